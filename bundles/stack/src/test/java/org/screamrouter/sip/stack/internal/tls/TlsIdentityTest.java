package org.screamrouter.sip.stack.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.testsupport.MovableClock;

class TlsIdentityTest {
    @TempDir
    Path dir;

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        Instant now = Instant.now();

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }

        @Override public Clock withZone(java.time.ZoneId zone) { return this; }

        @Override public Instant instant() { return now; }
    }

    @Test
    void withoutAKeyStoreACertificateIsGeneratedOnceAndKeptOwnerOnly() throws Exception {
        TlsIdentity identity = new TlsIdentity(Clock.systemUTC());
        assertThat(identity.configure(TlsSettings.generatedIn(dir))).isTrue();
        assertThat(identity.ready()).isTrue();
        Path p12 = dir.resolve(TlsIdentity.GENERATED_KEYSTORE);
        Path crt = dir.resolve(TlsIdentity.GENERATED_CERTIFICATE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p12))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(crt))).isEqualTo("rw-r--r--");
        X509Certificate pem;
        try (InputStream in = Files.newInputStream(crt)) {
            pem = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String fingerprint = identity.status().fingerprint();
        assertThat(Fingerprint.sha256(pem)).isEqualTo(fingerprint);
        assertThat(identity.status().generated()).isTrue();
        assertThat(identity.status().source()).isEqualTo(p12.toString());

        // a second start finds the same certificate
        TlsIdentity again = new TlsIdentity(Clock.systemUTC());
        again.configure(TlsSettings.generatedIn(dir));
        assertThat(again.status().fingerprint()).isEqualTo(fingerprint);
        assertThat(again.poll()).isEqualTo(TlsIdentity.Change.NONE);
    }

    @Test
    void anExpiredGeneratedCertificateIsMadeAnew() {
        MovableClock clock = new MovableClock();
        TlsIdentity identity = new TlsIdentity(clock);
        identity.configure(TlsSettings.generatedIn(dir));
        String first = identity.status().fingerprint();
        clock.now = clock.now.plus(Duration.ofDays(SelfSignedCertificate.VALID_DAYS + 1));
        assertThat(identity.poll()).isEqualTo(TlsIdentity.Change.REPLACED);
        assertThat(identity.status().fingerprint()).isNotEqualTo(first);
        assertThat(identity.status().notAfter()).isAfter(clock.now);
    }

    @Test
    void anExpiredConfiguredCertificateLeavesTlsOff() throws Exception {
        Path keys = dir.resolve("old.p12");
        TestKeys.write(keys, "pw", Instant.now().minus(Duration.ofDays(SelfSignedCertificate.VALID_DAYS + 2)));
        TlsIdentity identity = new TlsIdentity(Clock.systemUTC());
        identity.configure(new TlsSettings(keys.toString(), "pw", "", "", "", "", "none", dir, ""));
        assertThat(identity.ready()).isFalse();
        assertThat(identity.status().problem()).contains("expired");
    }

    @Test
    void aBrokenReplacementKeepsTheWorkingCertificate() throws Exception {
        Path keys = dir.resolve("server.p12");
        String fingerprint = TestKeys.write(keys, "pw", Instant.now());
        TlsIdentity identity = new TlsIdentity(Clock.systemUTC());
        identity.configure(new TlsSettings(keys.toString(), "pw", "", "", "", "", "none", dir, ""));
        Files.writeString(keys, "not a key store, and longer than before");
        assertThat(identity.poll()).isEqualTo(TlsIdentity.Change.NONE);
        assertThat(identity.ready()).isTrue();
        assertThat(identity.status().fingerprint()).isEqualTo(fingerprint);
    }

    @Test
    void aMissingAliasIsNamed() throws Exception {
        Path keys = dir.resolve("server.jks.p12");
        TestKeys.write(keys, "pw", Instant.now());
        TlsIdentity identity = new TlsIdentity(Clock.systemUTC());
        identity.configure(new TlsSettings(keys.toString(), "pw", "PKCS12", "nope", "", "", "need", dir, ""));
        assertThat(identity.status().problem()).contains("no key entry nope");
    }
}
