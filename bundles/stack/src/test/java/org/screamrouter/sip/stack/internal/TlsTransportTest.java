package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Version;
import org.osgi.service.component.ComponentServiceObjects;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.FlowListener;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.internal.tls.TestKeys;

/**
 * SIP over TLS and secure WebSocket (issue 14): the real stack on loopback sockets, reached by the JDK's TLS client and
 * by openssl. Deadlines are socket timeouts and polls with an end, never sleeps.
 */
class TlsTransportTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final String PASSWORD = "secret";
    private final List<Socket> sockets = new ArrayList<>();
    private final BlockingQueue<Flow> keepAlives = new LinkedBlockingQueue<>();
    private final BlockingQueue<Flow> closed = new LinkedBlockingQueue<>();
    @TempDir
    Path dir;
    private Path keystore;
    private String fingerprint;
    private SipStackComponent stack;

    @BeforeEach
    void keys() throws Exception {
        keystore = dir.resolve("server.p12");
        fingerprint = TestKeys.write(keystore, PASSWORD, Instant.now());
    }

    @AfterEach
    void stop() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (stack != null) stack.deactivate();
    }

    // --- TLS

    @Test
    void aRegisterOverTlsIsAnsweredOnTheSameConnectionWithTls13() throws Exception {
        start(Map.of());
        SSLSocket s = tls("tls", "TLSv1.3", "TLSv1.2");
        assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(TestKeys.fingerprint((X509Certificate) s.getSession().getPeerCertificates()[0])).isEqualTo(fingerprint);
        assertThat(stack.tls().fingerprint()).isEqualTo(fingerprint);
        s.getOutputStream().write(register(s, "TLS", 1).getBytes(StandardCharsets.US_ASCII));
        assertThat(readHead(s.getInputStream())).startsWith("SIP/2.0 200 OK").contains("CSeq: 1 REGISTER");
    }

    @Test
    void tls12NegotiatesAForwardSecretAeadSuite() throws Exception {
        start(Map.of());
        SSLSocket s = tls("tls", "TLSv1.2");
        assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
        assertThat(s.getSession().getCipherSuite()).startsWith("TLS_ECDHE_").matches(".*(GCM|CHACHA20).*");
        s.getOutputStream().write(register(s, "TLS", 1).getBytes(StandardCharsets.US_ASCII));
        assertThat(readHead(s.getInputStream())).startsWith("SIP/2.0 200 OK");
    }

    @Test
    void oldProtocolsAndWeakSuitesAreRefusedByTheServer() throws Exception {
        start(Map.of());
        // the JDK client is willing (its own defaults would refuse TLS 1.0/1.1 before the server is asked)
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new Recording()}, null);
        for (String[] offer : List.of(new String[] {"TLSv1.1"}, new String[] {"TLSv1"})) {
            SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port("tls"));
            sockets.add(s);
            s.setSoTimeout((int) DEADLINE.toMillis());
            s.setEnabledProtocols(offer);
            s.setEnabledCipherSuites(s.getSupportedCipherSuites());
            assertThatThrownBy(s::startHandshake).as(String.join(",", offer)).isInstanceOf(IOException.class);
        }
        SSLSocket cbc = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port("tls"));
        sockets.add(cbc);
        cbc.setSoTimeout((int) DEADLINE.toMillis());
        cbc.setEnabledProtocols(new String[] {"TLSv1.2"});
        cbc.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"});
        assertThatThrownBy(cbc::startHandshake).isInstanceOf(SSLHandshakeException.class);
        // and the stack still serves a good client afterwards
        SSLSocket good = tls("tls", "TLSv1.3");
        good.getOutputStream().write(register(good, "TLS", 2).getBytes(StandardCharsets.US_ASCII));
        assertThat(readHead(good.getInputStream())).startsWith("SIP/2.0 200 OK");
    }

    @Test
    void opensslConnectsWithTls12And13AndIsRefusedWithTls10And11() throws Exception {
        start(Map.of());
        assertThat(openssl("-tls1_3")).contains("Protocol version: TLSv1.3").contains("Verification: OK");
        assertThat(openssl("-tls1_2")).contains("Protocol version: TLSv1.2").contains("Verification: OK");
        long refused = 0;
        for (String old : List.of("-tls1_1", "-tls1")) {
            // openssl sends its ClientHello (with SECLEVEL=0 it is willing to) and the server refuses it: JAIN-SIP closes
            // the connection without an alert, so openssl reads the end of the stream; the server counts the refusal
            String out = openssl(old);
            assertThat(out).as(old).doesNotContain("CONNECTION ESTABLISHED").containsAnyOf("unexpected eof", "alert protocol version");
            refused++;
            long expected = refused;
            assertThat(waitFor(() -> stack.counters().getOrDefault("rejected.tls-handshake", 0L) == expected)).as(old).isTrue();
        }
    }

    @Test
    void crlfKeepAliveAndTheEndOfATlsFlowAreReported() throws Exception {
        start(Map.of());
        listenToFlows();
        SSLSocket s = tls("tls", "TLSv1.3");
        s.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(s.getInputStream().read()).isEqualTo('\r');
        Flow flow = new Flow("tls", new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()));
        assertThat(keepAlives.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(flow);
        s.close();
        assertThat(closed.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(flow);
        // JAIN-SIP feeds its parser a CRLF when the peer closes: that is no keep-alive
        assertThat(keepAlives).isEmpty();
        assertThat(stack.counters()).containsEntry("keepalives", 1L);
    }

    @Test
    void aReplacedKeyStoreIsPresentedFromTheNextHandshakeWhileOpenConnectionsGoOn() throws Exception {
        start(Map.of());
        SSLSocket before = tls("tls", "TLSv1.3");
        String replaced = TestKeys.write(keystore, PASSWORD, Instant.now());
        assertThat(replaced).isNotEqualTo(fingerprint);
        long end = System.nanoTime() + DEADLINE.toNanos();
        String presented = fingerprint;
        while (!presented.equals(replaced) && System.nanoTime() < end) {
            try (SSLSocket s = tls("tls", "TLSv1.3")) {
                presented = TestKeys.fingerprint((X509Certificate) s.getSession().getPeerCertificates()[0]);
            }
            if (!presented.equals(replaced)) {
                Thread.onSpinWait();
                TimeUnit.MILLISECONDS.sleep(100); // the poll runs every 2 s; the loop ends at the deadline
            }
        }
        assertThat(presented).isEqualTo(replaced);
        assertThat(stack.tls().fingerprint()).isEqualTo(replaced);
        before.getOutputStream().write(register(before, "TLS", 3).getBytes(StandardCharsets.US_ASCII));
        assertThat(readHead(before.getInputStream())).startsWith("SIP/2.0 200 OK");
    }

    @Test
    void aBrokenKeyStoreLeavesTlsOffAndTheOtherTransportsUp() throws Exception {
        Files.write(keystore, new byte[] {1, 2, 3});
        start(Map.of());
        assertThat(stack.listeningPoints()).extracting(lp -> lp.transport()).containsExactly("udp", "tcp");
        assertThat(stack.tls().fingerprint()).isNull();
        assertThat(stack.tls().problem()).contains("TLS off", keystore.toString());
    }

    @Test
    void aWrongPasswordSaysSo() throws Exception {
        start(Map.of("tls_keystore_password", "not-it"));
        assertThat(stack.listeningPoints()).extracting(lp -> lp.transport()).containsExactly("udp", "tcp");
        assertThat(stack.tls().problem()).contains("wrong password");
    }

    @Test
    void aKeyStoreThatComesLaterIsBoundWithoutRestart() throws Exception {
        Files.delete(keystore);
        start(Map.of());
        assertThat(stack.tls().problem()).contains("no such file");
        TestKeys.write(keystore, PASSWORD, Instant.now());
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (stack.listeningPoints().stream().noneMatch(lp -> lp.transport().equals("tls")) && System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        assertThat(stack.listeningPoints()).extracting(lp -> lp.transport()).contains("tls", "wss");
    }

    @Test
    void aNewKeyStoreSettingReBindsOnlyTlsAndWss() throws Exception {
        start(Map.of());
        Socket tcp = new Socket(InetAddress.getLoopbackAddress(), port("tcp"));
        sockets.add(tcp);
        tcp.setSoTimeout((int) DEADLINE.toMillis());
        int udp = port("udp");
        Path other = dir.resolve("other.p12");
        String otherFingerprint = TestKeys.write(other, "other-pw", Instant.now());
        Map<String, Object> changed = new HashMap<>(values);
        changed.put("tls_keystore", other.toString());
        changed.put("tls_keystore_password", "other-pw");
        stack.modified(TestStackConfig.of(changed));
        assertThat(stack.tls().fingerprint()).isEqualTo(otherFingerprint);
        try (SSLSocket s = tls("tls", "TLSv1.3")) {
            assertThat(TestKeys.fingerprint((X509Certificate) s.getSession().getPeerCertificates()[0])).isEqualTo(otherFingerprint);
        }
        assertThat(port("udp")).isEqualTo(udp);
        // the TCP connection accepted before the change is still served
        tcp.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(tcp.getInputStream().read()).isEqualTo('\r');
    }

    @Test
    void mutualTlsNeedRefusesAClientWithoutACertificateAndServesOneWithATrustedOne() throws Exception {
        Path clientKeys = dir.resolve("client.p12");
        TestKeys.write(clientKeys, "client-pw", Instant.now());
        java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(clientKeys)) {
            keys.load(in, "client-pw".toCharArray());
        }
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("client", keys.getCertificate("test"));
        Path truststore = dir.resolve("trust.p12");
        try (java.io.OutputStream out = Files.newOutputStream(truststore)) {
            trust.store(out, "trust-pw".toCharArray());
        }
        start(Map.of("tls_client_auth", "need", "tls_truststore", truststore.toString(), "tls_truststore_password", "trust-pw"));

        SSLContext anonymous = SSLContext.getInstance("TLS");
        anonymous.init(null, new TrustManager[] {new Recording()}, null);
        assertThatThrownBy(() -> {
            SSLSocket s = (SSLSocket) anonymous.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port("tls"));
            sockets.add(s);
            s.setSoTimeout((int) DEADLINE.toMillis());
            s.startHandshake(); // TLS 1.3: the server's refusal comes with the first read
            s.getOutputStream().write(register(s, "TLS", 1).getBytes(StandardCharsets.US_ASCII));
            if (s.getInputStream().read() < 0) throw new IOException("closed");
        }).isInstanceOf(IOException.class);

        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "client-pw".toCharArray());
        SSLContext withCertificate = SSLContext.getInstance("TLS");
        withCertificate.init(kmf.getKeyManagers(), new TrustManager[] {new Recording()}, null);
        SSLSocket s = (SSLSocket) withCertificate.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port("tls"));
        sockets.add(s);
        s.setSoTimeout((int) DEADLINE.toMillis());
        s.startHandshake();
        s.getOutputStream().write(register(s, "TLS", 2).getBytes(StandardCharsets.US_ASCII));
        assertThat(readHead(s.getInputStream())).startsWith("SIP/2.0 200 OK");
    }

    // --- secure WebSocket

    @Test
    void aSecureWebSocketFromAForeignOriginIsRefused403BeforeTheUpgrade() throws Exception {
        start(Map.of());
        SSLSocket s = tls("wss", "TLSv1.3");
        assertThat(handshake(s, "http://evil.example")).startsWith("HTTP/1.1 403 Forbidden");
        assertThat(stack.counters()).containsEntry("rejected.ws-origin", 1L);
    }

    @Test
    void aSecureWebSocketRegistersAndItsKeepAliveAndEndAreReported() throws Exception {
        start(Map.of());
        listenToFlows();
        SSLSocket s = tls("wss", "TLSv1.3");
        assertThat(handshake(s, null)).startsWith("HTTP/1.1 101");
        s.getOutputStream().write(frame(register(s, "WSS", 1)));
        assertThat(unframe(s.getInputStream())).startsWith("SIP/2.0 200 OK");
        s.getOutputStream().write(frame("\r\n\r\n"));
        Flow flow = new Flow("wss", new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()));
        assertThat(keepAlives.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(flow);
        s.close();
        assertThat(closed.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(flow);
    }

    @Test
    void theServerReachesDevicesOnTheirOwnTlsAndWssConnections() throws Exception {
        start(Map.of());
        for (String transport : List.of("tls", "wss")) {
            SSLSocket s = tls(transport, "TLSv1.3");
            boolean ws = transport.equals("wss");
            if (ws) assertThat(handshake(s, null)).startsWith("HTTP/1.1 101");
            String register = register(s, transport.toUpperCase(java.util.Locale.ROOT), 1);
            s.getOutputStream().write(ws ? frame(register) : register.getBytes(StandardCharsets.US_ASCII));
            assertThat(ws ? unframe(s.getInputStream()) : readHead(s.getInputStream())).startsWith("SIP/2.0 200 OK");

            // the device's source port is no listening port: only its own connection reaches it
            Flow device = new Flow(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()));
            String options = "OPTIONS sip:dev@127.0.0.1:" + s.getLocalPort() + ";transport=" + transport + " SIP/2.0\r\n"
                    + "Max-Forwards: 70\r\nFrom: <sip:server@127.0.0.1>;tag=s1\r\nTo: <sip:dev@127.0.0.1>\r\n"
                    + "Call-ID: ping-" + transport + "-" + System.nanoTime() + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
            var answer = stack.send(stack.messages().createRequest(options), device, Duration.ofSeconds(5));
            String received = ws ? unframe(s.getInputStream()) : readHead(s.getInputStream());
            assertThat(received).startsWith("OPTIONS sip:dev@").contains("Via: SIP/2.0/" + transport.toUpperCase(java.util.Locale.ROOT));
            String ok = stack.messages().createResponse(200, stack.messages().createRequest(received)).toString();
            s.getOutputStream().write(ws ? frame(ok) : ok.getBytes(StandardCharsets.UTF_8));
            assertThat(answer.toCompletableFuture().get(10, TimeUnit.SECONDS).getStatusCode()).as(transport).isEqualTo(200);
        }
    }

    // --- helpers

    private static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) return false;
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return true;
    }

    private final Map<String, Object> values = new HashMap<>();

    private void start(Map<String, Object> extra) throws Exception {
        int sip = TestStacks.freePort();
        values.put("udp_enabled", true);
        values.put("udp_port", sip);
        values.put("tcp_enabled", true);
        values.put("tcp_port", sip);
        values.put("ws_enabled", false);
        values.put("tls_enabled", true);
        values.put("tls_port", TestStacks.freePort());
        values.put("wss_enabled", true);
        values.put("wss_port", TestStacks.freePort());
        values.put("tls_keystore", keystore.toString());
        values.put("tls_keystore_password", PASSWORD);
        values.putAll(extra);
        stack = new SipStackComponent();
        stack.activate(TestStacks.context(), TestStackConfig.of(values));
        addHandler("REGISTER");
    }

    private int port(String transport) {
        return stack.listeningPoints().stream().filter(lp -> lp.transport().equals(transport)).findFirst().orElseThrow().port();
    }

    private SSLSocket tls(String transport, String... protocols) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new Recording()}, null);
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port(transport));
        sockets.add(s);
        s.setSoTimeout((int) DEADLINE.toMillis());
        s.setEnabledProtocols(protocols);
        s.startHandshake();
        return s;
    }

    /** Trusts any server and keeps nothing: the tests look at the session's certificate themselves. */
    private static final class Recording implements X509TrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }

        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }

        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }

    private String openssl(String version) throws Exception {
        Path ca = dir.resolve("server.pem");
        try (SSLSocket s = tls("tls", "TLSv1.3")) {
            X509Certificate c = (X509Certificate) s.getSession().getPeerCertificates()[0];
            Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(c.getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
        }
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port("tls"), version,
                "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile", ca.toString(), "-verify_ip", "127.0.0.1", "-brief")
                .redirectErrorStream(true).start();
        try {
            p.getOutputStream().close(); // end of input: s_client quits after the handshake
            assertThat(p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("openssl " + version + " ended").isTrue();
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    private String register(Socket s, String transport, int cseq) {
        String sentBy = "127.0.0.1:" + s.getLocalPort();
        return "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " " + sentBy + ";branch=z9hG4bKtls" + cseq + System.nanoTime() + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:dev@127.0.0.1>;tag=a" + cseq + "\r\nTo: <sip:dev@127.0.0.1>\r\n"
                + "Call-ID: tls-" + cseq + "-" + System.nanoTime() + "\r\nCSeq: " + cseq + " REGISTER\r\n"
                + "Contact: <sip:dev@" + sentBy + ";transport=" + transport.toLowerCase(java.util.Locale.ROOT) + ">\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        for (int c; !head.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0; ) head.append((char) c);
        return head.toString();
    }

    private String handshake(Socket s, String origin) throws IOException {
        String request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port("wss") + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        return readHead(s.getInputStream());
    }

    /** A masked text frame (RFC 6455 5.2) as a client sends it. */
    private static byte[] frame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0x81);
        if (payload.length < 126) {
            out.write(0x80 | payload.length);
        } else {
            out.write(0x80 | 126);
            out.write(payload.length >> 8);
            out.write(payload.length & 0xFF);
        }
        out.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) out.write(payload[i] ^ mask[i % 4]);
        return out.toByteArray();
    }

    /** The payload of one unmasked server frame. */
    private static String unframe(InputStream in) throws IOException {
        int first = in.read();
        int length = in.read() & 0x7F;
        if (length == 126) length = (in.read() << 8) | in.read();
        assertThat(first & 0x0F).isEqualTo(1);
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private void listenToFlows() {
        @SuppressWarnings("unchecked")
        ComponentServiceObjects<FlowListener> objects = (ComponentServiceObjects<FlowListener>) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ComponentServiceObjects.class},
                (p, m, a) -> m.getName().equals("getService") ? new FlowListener() {
                    @Override public void keepAlive(Flow flow) { keepAlives.add(flow); }
                    @Override public void closed(Flow flow) { closed.add(flow); }
                } : null);
        stack.addFlowListener(objects, Map.of("service.id", 9L));
    }

    private void addHandler(String method) {
        SipRequestHandler handler = exchange -> exchange.respond(exchange.createResponse(200));
        stack.addHandler(TestStacks.objects(handler), Map.of("service.id", 1L, SipRequestHandler.METHOD, method));
    }
}
