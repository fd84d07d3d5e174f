package org.screamrouter.sip.stack.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificateTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    private static SelfSignedCertificate.Made make() throws Exception {
        LocalNames names = new LocalNames(List.of("localhost", "screamrouter-box"),
                List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"), InetAddress.getByName("192.168.1.20")));
        return SelfSignedCertificate.make(names, NOW, new SecureRandom());
    }

    @Test
    void theCertificateParsesAndItsSignatureVerifies() throws Exception {
        X509Certificate c = make().certificate();
        X509Certificate again = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(c.getEncoded()));
        again.verify(again.getPublicKey());
        assertThat(again.getVersion()).isEqualTo(3);
        assertThat(again.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(again.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofHours(1)));
        assertThat(again.getNotAfter().toInstant()).isEqualTo(NOW.minus(Duration.ofHours(1)).plus(Duration.ofDays(825)));
        assertThat(again.getBasicConstraints()).isEqualTo(-1);
        assertThat(again.getKeyUsage()[0]).isTrue();
        assertThat(again.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(again.getSubjectX500Principal().getName()).isEqualTo("CN=screamrouter-box,O=ScreamRouter SIP");
        assertThat(again.getSerialNumber().signum()).isEqualTo(1);
    }

    @Test
    void subjectAlternativeNamesHoldTheNamesAndAddresses() throws Exception {
        assertThat(make().certificate().getSubjectAlternativeNames()).containsExactly(
                List.of(2, "localhost"), List.of(2, "screamrouter-box"),
                List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"), List.of(7, "192.168.1.20"));
    }

    @Test
    void theNamesOfThisMachineAreFoundWithoutDns() {
        LocalNames names = LocalNames.ofThisMachine();
        assertThat(names.dnsNames()).startsWith("localhost");
        assertThat(names.addresses()).extracting(InetAddress::getHostAddress).contains("127.0.0.1", "0:0:0:0:0:0:0:1");
    }

    @Test
    void opensslReadsIt(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("c.crt");
        Files.writeString(pem, SelfSignedCertificate.pem(make().certificate()), StandardCharsets.US_ASCII);
        Process openssl = new ProcessBuilder("openssl", "x509", "-noout", "-text", "-fingerprint", "-sha256", "-in", pem.toString())
                .redirectErrorStream(true).start();
        try {
            assertThat(openssl.waitFor(20, TimeUnit.SECONDS)).as("openssl ended").isTrue();
            String out = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(openssl.exitValue()).as(out).isZero();
            assertThat(out).contains("ecdsa-with-SHA256", "DNS:localhost", "IP Address:192.168.1.20", "TLS Web Server Authentication",
                    "CA:FALSE", "Digital Signature", "prime256v1");
        } finally {
            openssl.destroyForcibly();
        }
    }

    @Test
    void fingerprintsAreWrittenAsOpensslDoes() {
        assertThat(Fingerprint.normalize("ab".repeat(32))).isEqualTo(("AB:".repeat(32)).substring(0, 95));
        assertThat(Fingerprint.normalize("sha-256 " + "AB:".repeat(31) + "AB")).isEqualTo(("AB:".repeat(32)).substring(0, 95));
    }
}
