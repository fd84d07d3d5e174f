package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.sip.header.CallIdHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.stack.HandlerClosedException;
import org.screamrouter.sip.stack.RequestFields;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipRequestHandler;

/**
 * Plain OPTIONS answered on the UDP thread without a parse ({@link PlainAnswers}), on the real stack over loopback:
 * what the handler sees on each path, that both paths give one request the same answer (To tag included), and that
 * everything the plain path does not take (another shape, a closing handler, a source past its rate) still gets the
 * usual path's answer.
 */
class PlainAnswersTest {
    private static final byte[] LINES = "Allow: OPTIONS\r\nX-Plain: yes\r\n".getBytes(StandardCharsets.US_ASCII);

    private SipStackComponent stack;
    private DatagramSocket socket;
    private int port;
    /** What okHeaders does: "lines", "null" or "closing". */
    private final AtomicReference<String> plainMode = new AtomicReference<>("lines");
    /** Per call: "plain:<From user>" or "usual:<Call-ID>". */
    private final List<String> calls = new CopyOnWriteArrayList<>();

    private final SipRequestHandler handler = new SipRequestHandler() {
        @Override
        public void handle(SipExchange exchange) {
            calls.add("usual:" + ((CallIdHeader) exchange.request().getHeader(CallIdHeader.NAME)).getCallId());
            exchange.respond(exchange.createResponse(200));
        }

        @Override
        public byte[] okHeaders(RequestFields request) {
            switch (plainMode.get()) {
                case "closing" -> throw new HandlerClosedException("test handler is stopping");
                case "null" -> {
                    return null;
                }
                default -> {
                    calls.add("plain:" + request.fromUser() + " " + request.method() + " " + request.flow().port());
                    return LINES;
                }
            }
        }
    };

    @BeforeEach
    void start() throws Exception {
        start(0);
    }

    private void start(int ratePerSource) throws Exception {
        port = TestStacks.freePort();
        stack = new SipStackComponent();
        stack.activate(TestStacks.context(), TestStackConfig.of(Map.of("udp_enabled", true, "udp_port", port, "tcp_enabled", false,
                "tcp_port", port, "ws_enabled", false, "ws_port", 1, "rate_per_source", ratePerSource, "rate_burst", 2)));
        stack.addHandler(TestStacks.objects(handler), Map.of("service.id", 101L, SipRequestHandler.METHOD, "OPTIONS"));
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() {
        stack.deactivate();
        socket.close();
    }

    private static String options(String callId, String extraLine) {
        return "OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;rport;branch=z9hG4bK" + callId + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:kitchen@127.0.0.1>;tag=838293\r\n"
                + "To: <sip:127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 7 OPTIONS\r\n" + extraLine
                + "Content-Length: 0\r\n\r\n";
    }

    private String exchange(String raw) throws Exception {
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
        socket.setSoTimeout(3000);
        DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("no answer within 3 s to " + raw);
        }
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void aPlainOptionsIsAnsweredFromItsFieldsWithoutReachingHandle() throws Exception {
        String answer = exchange(options("plain1", ""));
        assertThat(answer).startsWith("SIP/2.0 200 OK\r\n").contains("\r\nX-Plain: yes\r\n").endsWith("Content-Length: 0\r\n\r\n");
        assertThat(Wire.header(answer, "Via", "v")).contains(";received=127.0.0.1").contains(";rport=" + socket.getLocalPort())
                .doesNotContain(";rport;");
        assertThat(Wire.header(answer, "To", "t")).contains(";tag=");
        assertThat(calls).containsExactly("plain:kitchen OPTIONS " + socket.getLocalPort());
        assertThat(stack.counters()).containsEntry("plain", 1L).containsEntry("requests.OPTIONS", 1L)
                .containsEntry("responses.2xx", 1L).doesNotContainKey("stateless");
    }

    /**
     * One request answered on each path, as a retransmission may be (a handler that answered plain, then did not): the
     * same To tag (RFC 3261 8.2.6.2) and the same From, To, Call-ID, CSeq and Via.
     */
    @Test
    void bothPathsGiveOneRequestTheSameAnswer() throws Exception {
        String request = options("same1", "User-Agent: baresip v3.10.1\r\n");
        String plain = exchange(request);
        plainMode.set("null");
        String usual = exchange(request);
        assertThat(calls).containsExactly("plain:kitchen OPTIONS " + socket.getLocalPort(), "usual:same1");
        assertThat(plain).contains("X-Plain");
        assertThat(usual).doesNotContain("X-Plain");
        assertThat(Wire.header(plain, "Server", "Server")).startsWith("test");
        for (String[] name : new String[][] {{"To", "t"}, {"From", "f"}, {"Call-ID", "i"}, {"CSeq", "CSeq"}, {"Server", "Server"}}) {
            assertThat(Wire.header(plain, name[0], name[1])).as(name[0]).isEqualTo(Wire.header(usual, name[0], name[1]));
        }
        assertThat(params(Wire.header(plain, "Via", "v"))).isEqualTo(params(Wire.header(usual, "Via", "v")));
    }

    /** The Via's parameters, in any order. */
    private static java.util.Set<String> params(String via) {
        return new java.util.TreeSet<>(List.of(via.split(";")));
    }

    @Test
    void anOptionsOutsideThePlainShapeGoesTheUsualWay() throws Exception {
        String answer = exchange(options("uuid1", "X-UUID: 5f2c1b9e-0c44-4a57-9d1e-0b3f6a1c2d3e\r\n"));
        assertThat(answer).startsWith("SIP/2.0 200 OK").doesNotContain("X-Plain");
        assertThat(calls).containsExactly("usual:uuid1");
        assertThat(stack.counters()).doesNotContainKey("plain").containsEntry("stateless", 1L);
    }

    @Test
    void aClosingHandlerLeavesTheRequestToTheUsualPath() throws Exception {
        plainMode.set("closing");
        assertThat(exchange(options("closing1", ""))).startsWith("SIP/2.0 200 OK").doesNotContain("X-Plain");
        assertThat(calls).containsExactly("usual:closing1");
        assertThat(stack.counters()).doesNotContainKey("plain");
    }

    /**
     * A source past its rate: the plain path takes only what the usual path would admit, and leaves the rest to it,
     * which answers 503 (counted once: the plain path takes nothing from the source's bucket when it refuses).
     */
    @Test
    void aSourcePastItsRateGetsTheUsualPathsAnswers() throws Exception {
        stop();
        start(1);
        // the first request of a new source makes its bucket on the usual path (burst 2): it and the next are admitted
        assertThat(exchange(options("rate1", ""))).startsWith("SIP/2.0 200 OK").doesNotContain("X-Plain");
        assertThat(exchange(options("rate2", ""))).startsWith("SIP/2.0 200 OK").contains("X-Plain");
        assertThat(exchange(options("rate3", ""))).startsWith("SIP/2.0 503 ");
        assertThat(calls).containsExactly("usual:rate1", "plain:kitchen OPTIONS " + socket.getLocalPort());
        assertThat(stack.counters()).containsEntry("throttled", 1L).containsEntry("plain", 1L);
    }
}
