package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Version;
import org.osgi.service.component.ComponentServiceObjects;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.FlowListener;
import org.screamrouter.sip.stack.ListeningPoint;

/**
 * Issue 13 item 5 and part of item 4: what a peer on the LAN (or a web page in a browser on it) may do with
 * connections. The real stack on loopback sockets; deadlines are socket timeouts, never sleeps.
 */
class ConnectionLimitsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private final List<Socket> sockets = new ArrayList<>();
    private SipStackComponent stack;

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

    private void start(Map<String, Object> extra) throws Exception {
        stack = new SipStackComponent();
        stack.activate(context(), config(extra));
    }

    private int port(String transport) {
        return stack.listeningPoints().stream().filter(lp -> lp.transport().equals(transport)).findFirst().orElseThrow().port();
    }

    // --- WebSocket Origin

    @Test
    void aWebSocketHandshakeFromAForeignOriginIsRefused403BeforeTheUpgrade() throws Exception {
        start(Map.of());
        String answer = handshake("http://evil.example");
        assertThat(answer).startsWith("HTTP/1.1 403 Forbidden").contains("Origin http://evil.example is not allowed")
                .doesNotContain("Sec-WebSocket-Accept");
        assertThat(stack.counters()).containsEntry("rejected.ws-origin", 1L);
    }

    @Test
    void aSecondHandshakeRightAfterARefusedOneIsNotUpgradedEither() throws Exception {
        start(Map.of());
        Socket s = connect("ws");
        String refused = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Origin: http://evil.example\r\n\r\n";
        String again = refused.replace("Origin: http://evil.example\r\n", "");
        s.getOutputStream().write(refused.getBytes(StandardCharsets.US_ASCII));
        StringBuilder first = new StringBuilder();
        InputStream in = s.getInputStream();
        for (int c; !first.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0; ) first.append((char) c);
        assertThat(first.toString()).startsWith("HTTP/1.1 403");
        // at once, in the time the server gives its 403 to be written before it closes: JAIN-SIP, still waiting for a
        // handshake, upgraded this one
        try {
            s.getOutputStream().write(again.getBytes(StandardCharsets.US_ASCII));
        } catch (java.net.SocketException closed) {
            // closed already: nothing to upgrade
        }
        assertThat(readAll(in)).doesNotContain("HTTP/1.1 101");
    }

    @Test
    void aRealWebSocketClientSendingAForeignOriginCannotConnect() throws Exception {
        start(Map.of());
        HttpClient client = HttpClient.newHttpClient();
        var foreign = client.newWebSocketBuilder().subprotocols("sip").header("Origin", "https://attacker.example")
                .buildAsync(URI.create("ws://127.0.0.1:" + port("ws")), new WebSocket.Listener() {}).toCompletableFuture();
        assertThatThrownBy(() -> foreign.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(403));
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket own = client.newWebSocketBuilder().subprotocols("sip").header("Origin", "http://127.0.0.1:8080")
                .buildAsync(URI.create("ws://127.0.0.1:" + port("ws")), new WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        socket.request(1);
                        return null;
                    }
                })
                .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        // SIP flows over the upgraded connection as before (no handler here: the stack's own 405)
        own.sendText("OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKws1\r\n"
                + "Max-Forwards: 70\r\nTo: <sip:t@127.0.0.1>\r\nFrom: <sip:f@127.0.0.1>;tag=1\r\nCall-ID: ws-origin\r\n"
                + "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", true).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(received.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)).startsWith("SIP/2.0 405");
        own.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void theServersOwnAddressesAndClientsWithoutOriginAreUpgraded() throws Exception {
        start(Map.of());
        assertThat(handshake(null)).as("a device or baresip: no Origin").startsWith("HTTP/1.1 101");
        assertThat(handshake("http://127.0.0.1:8080")).startsWith("HTTP/1.1 101");
        assertThat(handshake("http://localhost")).startsWith("HTTP/1.1 101");
        assertThat(handshake("null")).as("an opaque origin (sandboxed frame of any page)").startsWith("HTTP/1.1 403");
        assertThat(handshake("http://127.0.0.1.evil.example")).startsWith("HTTP/1.1 403");
    }

    @Test
    void theAllowListIsConfigurableLive() throws Exception {
        start(Map.of());
        assertThat(handshake("https://ui.example.lan:8443")).startsWith("HTTP/1.1 403");
        stack.modified(config(Map.of("ws_allowed_origins", "self, https://ui.example.lan:8443")));
        assertThat(handshake("https://ui.example.lan:8443")).startsWith("HTTP/1.1 101");
        assertThat(handshake("https://ui.example.lan:8444")).startsWith("HTTP/1.1 403");
    }

    @Test
    void aHandshakeThatNeverEndsIsRefusedAtItsLimit() throws Exception {
        start(Map.of());
        Socket s = connect("ws");
        String start = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
        s.getOutputStream().write(start.getBytes(StandardCharsets.US_ASCII));
        byte[] filler = ("X-Filler: " + "a".repeat(1000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try {
            for (int i = 0; i < 20; i++) s.getOutputStream().write(filler);
        } catch (IOException closedOnUs) {
            // the server may close before all is written
        }
        assertThat(readAll(s.getInputStream())).startsWith("HTTP/1.1 431 ");
    }

    // --- connection caps

    @Test
    void connectionsPerSourceAreCappedAndAClosedOneFreesItsPlace() throws Exception {
        start(Map.of("connections_per_source", 3));
        List<Socket> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket s = connect("tcp");
            assertThat(pong(s)).as("connection %d", i + 1).isTrue();
            open.add(s);
        }
        Socket fourth = connect("tcp");
        assertThat(pong(fourth)).as("a fourth connection from the same address").isFalse();
        assertThat(handshake(connect("ws"), null)).as("the cap counts WebSocket connections too").isEmpty();
        assertThat(stack.counters()).containsEntry("rejected.connection-cap", 2L);

        open.get(0).close();
        // the server notices the close on its selector thread: retry a new connection until the deadline
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        boolean accepted = false;
        while (!accepted && System.nanoTime() < deadline) {
            accepted = pong(connect("tcp"));
        }
        assertThat(accepted).as("a connection after one closed").isTrue();
    }

    @Test
    void connectionsInAllAreCapped() throws Exception {
        start(Map.of("connections_max", 2));
        assertThat(pong(connect("tcp"))).isTrue();
        assertThat(handshake(connect("ws"), null)).startsWith("HTTP/1.1 101");
        assertThat(pong(connect("tcp"))).as("the third connection").isFalse();
        assertThat(handshake(connect("ws"), null)).as("the fourth").isEmpty();
    }

    // --- idle connections

    @Test
    void idleConnectionsAreClosedAndTheirFlowReportedClosed() throws Exception {
        start(Map.of("connection_idle_timeout", 1));
        BlockingQueue<Flow> closed = new LinkedBlockingQueue<>();
        @SuppressWarnings("unchecked")
        ComponentServiceObjects<FlowListener> objects = (ComponentServiceObjects<FlowListener>) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ComponentServiceObjects.class},
                (p, m, a) -> m.getName().equals("getService") ? new FlowListener() {
                    @Override public void keepAlive(Flow flow) { }
                    @Override public void closed(Flow flow) { closed.add(flow); }
                } : null);
        stack.addFlowListener(objects, Map.of("service.id", 9L));
        Socket tcp = connect("tcp");
        Socket ws = connect("ws");
        assertThat(readAll(tcp.getInputStream())).as("the server closed the idle TCP connection").isEmpty();
        assertThat(readAll(ws.getInputStream())).as("the server closed the idle WebSocket connection").isEmpty();
        assertThat(closed.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isNotNull();
        assertThat(stack.counters()).containsEntry("connections.idle-closed", 2L);
    }

    // --- helpers

    private Socket connect(String transport) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port(transport));
        s.setSoTimeout((int) DEADLINE.toMillis());
        sockets.add(s);
        return s;
    }

    /** Sends a CRLF keep-alive on a fresh TCP connection; whether the server answered it (false: closed on us). */
    private static boolean pong(Socket s) throws IOException {
        try {
            s.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return s.getInputStream().read() == '\r';
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException reset) {
            return false;
        }
    }

    /** Everything the server sends until it closes (a read past {@link #DEADLINE} fails the test). */
    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) out.write(buffer, 0, n);
        } catch (java.net.SocketException reset) {
            // closed with data unread on its side: what came before is the answer
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** A WebSocket opening handshake (RFC 6455 4.1) on a new connection; the server's answer up to its blank line. */
    private String handshake(String origin) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port("ws"))) {
            s.setSoTimeout((int) DEADLINE.toMillis());
            return handshake(s, origin);
        }
    }

    /** The handshake on this connection; "" when the server closed it without a word. */
    private String handshake(Socket s, String origin) throws IOException {
        String request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port("ws") + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
        StringBuilder answer = new StringBuilder();
        try {
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            for (int c; !answer.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0; ) answer.append((char) c);
            if (answer.toString().startsWith("HTTP/1.1 403")) {
                answer.append(readAll(in));
            }
        } catch (java.net.SocketException reset) {
            // closed on us
        }
        return answer.toString();
    }

    private static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int p = s.getLocalPort();
            try (java.net.ServerSocket t = new java.net.ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException tcpTaken) {
                return freePort();
            }
        }
    }

    private final Map<String, Object> ports = new HashMap<>();

    private StackConfig config(Map<String, Object> extra) throws Exception {
        if (ports.isEmpty()) {
            int sip = freePort();
            ports.put("udp_port", sip);
            ports.put("tcp_port", sip);
            int ws;
            do {
                ws = freePort();
            } while (ws == sip);
            ports.put("ws_port", ws);
        }
        Map<String, Object> values = new HashMap<>(ports);
        values.put("udp_enabled", true);
        values.put("tcp_enabled", true);
        values.put("ws_enabled", true);
        values.putAll(extra);
        return TestStackConfig.of(values);
    }

    private static BundleContext context() {
        Bundle bundle = (Bundle) Proxy.newProxyInstance(ConnectionLimitsTest.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, a) -> m.getName().equals("getVersion") ? new Version(1, 0, 0) : null);
        return (BundleContext) Proxy.newProxyInstance(ConnectionLimitsTest.class.getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getBundle" -> bundle;
                    case "registerService" -> Proxy.newProxyInstance(ConnectionLimitsTest.class.getClassLoader(),
                            new Class<?>[] {ServiceRegistration.class}, (p2, m2, a2) -> null);
                    default -> null;
                });
    }
}
