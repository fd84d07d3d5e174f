package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import javax.net.ssl.TrustManager;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.PinnedHttps;

/**
 * Issue 17: the console (and the whole HTTP server) over HTTPS with the SIP stack's own certificate, in the
 * distribution as users run it. The stack generates {@code etc/sip-tls.p12} on first start; the console then writes
 * Felix HTTP's HTTPS settings and Jetty serves that very certificate (its fingerprint is the one of
 * {@code etc/sip-tls.crt}); a login over HTTPS gets a {@code Secure} cookie; TLS 1.1 and a CBC suite are refused
 * (openssl as the client, since this JVM's own client refuses TLS 1.1 before asking); a replaced key store is served
 * within seconds; {@code https.enabled = false} closes the HTTPS port and keeps HTTP.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WebConsoleHttpsIT {
    private static final String ADMIN = "httpsadmin";
    private static final String ADMIN_PASSWORD = "https-it-" + "pw1";
    private static final Duration SETTLE = Duration.ofSeconds(60);

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return KarafRun.options(KarafRun.httpsOn(), editConfigurationFilePut("etc/users.properties", ADMIN, ADMIN_PASSWORD + ",admin"));
    }

    @Test
    public void theHttpServerSpeaksHttpsWithTheStacksCertificate() throws Exception {
        Path etc = Path.of(System.getProperty("karaf.etc"));
        int https = Integer.getInteger("itest.https.port");
        // the stack makes its certificate, then the console turns HTTPS on with it
        String served = Await.until("HTTPS on port " + https, SETTLE, () -> PinnedHttps.served("127.0.0.1", https), f -> f != null);
        String generated = PinnedHttps.fingerprint(PinnedHttps.pem(etc.resolve("sip-tls.crt")));
        assertEquals("the certificate HTTPS presents is the stack's", generated, served);

        // a client that trusts exactly that certificate (etc/sip-tls.crt, as a user imports it): the page and a login
        HttpClient client = PinnedHttps.trusting(PinnedHttps.pem(etc.resolve("sip-tls.crt")));
        HttpResponse<String> page = client.send(HttpRequest.newBuilder(uri(https, "/console/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body(), page.body().contains("login-form"));
        HttpResponse<String> login = client.send(HttpRequest.newBuilder(uri(https, "/api/login")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + ADMIN + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(login.body(), 200, login.statusCode());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie, cookie.endsWith("; Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        // plain HTTP is still served (loopback by default), without the Secure flag
        HttpClient plain = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
        assertEquals(200, plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Integer.getInteger("itest.http.port") + "/console/")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());

        // the stack's protocol and cipher rules (docs/tls.md) hold here too
        assertFalse("TLS 1.1 is refused", openssl(https, "-tls1_1"));
        assertFalse("a CBC suite is refused", openssl(https, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256"));
        assertTrue("TLS 1.2 with AES-GCM is served", openssl(https, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"));
        assertTrue("TLS 1.3 is served", openssl(https, "-tls1_3"));

        // a replaced key store (written beside it, then renamed over it, as docs/tls.md says): served within seconds
        Path fresh = Files.createTempDirectory(etc, "https-it").resolve("new.p12");
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-keystore", fresh.toString(),
                "-storetype", "PKCS12", "-storepass", "screamrouter-sip", "-keypass", "screamrouter-sip", "-alias", "sip",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=https-it", "-ext", "SAN=ip:127.0.0.1", "-validity", "2"));
        String replacement = PinnedHttps.fingerprint(keyStoreCertificate(fresh));
        assertNotEquals(generated, replacement);
        long replaced = System.nanoTime();
        Files.move(fresh, etc.resolve("sip-tls.p12"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Await.until("the replaced certificate served", Duration.ofSeconds(20), () -> PinnedHttps.served("127.0.0.1", https), replacement::equals);
        System.out.println("HTTPS serves the replaced certificate " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - replaced) + " ms after the rename");

        // switched off: the HTTPS port closes, HTTP stays
        org.osgi.service.cm.Configuration web = configAdmin.getConfiguration("org.screamrouter.sip.web", "?");
        java.util.Dictionary<String, Object> props = web.getProperties();
        props.put("https.enabled", "false");
        web.update(props);
        Await.until("HTTPS closed", Duration.ofSeconds(20), () -> PinnedHttps.served("127.0.0.1", https), f -> f == null);
        HttpResponse<String> after = Await.until("HTTP after HTTPS went off", Duration.ofSeconds(20),
                () -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Integer.getInteger("itest.http.port") + "/console/")).build(),
                        HttpResponse.BodyHandlers.ofString()), r -> r.statusCode() == 200);
        assertEquals(200, after.statusCode());
    }

    private static URI uri(int port, String path) {
        return URI.create("https://127.0.0.1:" + port + path);
    }

    private static Certificate keyStoreCertificate(Path file) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, "screamrouter-sip".toCharArray());
        }
        return ks.getCertificate("sip");
    }

    /** Whether openssl s_client completes a handshake with these options. */
    private static boolean openssl(int port, String... options) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        cmd.addAll(List.of(options));
        String out = run(cmd);
        return out.contains("Cipher is ") && !out.contains("Cipher is (NONE)");
    }

    /** Runs a command to its end (at most 30 s, then it is killed) and gives its output. */
    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(cmd + " ended", p.waitFor(30, TimeUnit.SECONDS));
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }
}
