package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.SIPServerTransaction;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sip.header.CallIdHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipRequestHandler;

/**
 * REGISTER and OPTIONS outside a dialog answered before JAIN-SIP's transaction layer ({@link StatelessRequests}), on
 * the real stack over loopback UDP and TCP: what reaches the handler, what the retransmissions get, and which requests
 * still get a JAIN-SIP server transaction. The handler records the transaction JAIN-SIP attached to the request
 * ({@code SIPRequest.getTransaction}): before the stateless path, every request had one (made in
 * {@code SIPTransactionStack.newSIPServerRequest}, then {@code DialogFilter}).
 */
class StatelessRequestsTest {
    private SipStackComponent stack;
    private final List<DatagramSocket> sockets = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch entered = new CountDownLatch(1);
    /** Call-ID and the transaction JAIN-SIP attached to the request (or "none"), per call of a handler. */
    private final List<String> handled = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        int port = TestStacks.freePort();
        stack = new SipStackComponent();
        stack.activate(TestStacks.context(), TestStackConfig.of(Map.of("udp_enabled", true, "udp_port", port, "tcp_enabled", true,
                "tcp_port", port, "ws_enabled", false, "ws_port", 1)));
        for (String method : List.of("REGISTER", "OPTIONS", "INVITE")) {
            addHandler(100L + method.length(), method, this::answer);
        }
    }

    @AfterEach
    void stop() {
        release.countDown();
        stack.deactivate();
        sockets.forEach(DatagramSocket::close);
    }

    /** 200 naming the Call-ID; Call-ID "held" waits for the test after it entered, before its answer. */
    private void answer(SipExchange exchange) throws Exception {
        String callId = ((CallIdHeader) exchange.request().getHeader(CallIdHeader.NAME)).getCallId();
        Object tx = ((SIPRequest) exchange.request()).getTransaction();
        handled.add(callId + ":" + (tx instanceof SIPServerTransaction ? "transaction" : "none"));
        if (callId.equals("held")) {
            entered.countDown();
            release.await(10, TimeUnit.SECONDS);
        }
        if (callId.startsWith("stateful")) {
            exchange.serverTransaction().sendResponse(exchange.createResponse(200, "OK " + callId));
        } else {
            exchange.respond(exchange.createResponse(200, "OK " + callId));
        }
        if (callId.equals("answered-first")) {
            // answered, and still running (a handler that logs or stores after its answer, or a slow thread)
            entered.countDown();
            release.await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A copy of an OPTIONS that comes after its answer is answered again even while the first handler has not returned:
     * it was taken for a copy of a request in progress and dropped (a UAC that got the answer and sent again, seen
     * as a test that timed out on a loaded machine).
     */
    @Test
    void aCopyOfAnOptionsAfterItsAnswerIsAnsweredWhileTheFirstHandlerStillRuns() throws Exception {
        DatagramSocket a = socket();
        String raw = request("OPTIONS", "answered-first", "z9hG4bKfirst", false);
        send(a, raw);
        String first = receive(a);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        send(a, raw);
        String again = receive(a);
        release.countDown();
        assertThat(again).startsWith("SIP/2.0 200 OK answered-first");
        assertThat(Wire.header(again, "To", "t")).isEqualTo(Wire.header(first, "To", "t"));
        assertThat(stack.counters()).doesNotContainKey("retransmissions.in-progress");
    }

    @Test
    void registerAndOptionsOutsideADialogReachTheHandlerWithoutATransaction() throws Exception {
        DatagramSocket a = socket();
        send(a, request("REGISTER", "reg", "z9hG4bKreg", false));
        assertThat(receive(a)).startsWith("SIP/2.0 200 OK reg");
        send(a, request("OPTIONS", "opt", "z9hG4bKopt", false));
        assertThat(receive(a)).startsWith("SIP/2.0 200 OK opt");
        assertThat(handled).containsExactly("reg:none", "opt:none");
        assertThat(stack.counters()).containsEntry("stateless", 2L);
    }

    @Test
    void optionsInsideADialogAndInviteStillGetAServerTransaction() throws Exception {
        DatagramSocket a = socket();
        send(a, request("OPTIONS", "in-dialog", "z9hG4bKdlg", true));
        assertThat(receive(a)).startsWith("SIP/2.0 200 OK in-dialog");
        send(a, request("INVITE", "invite", "z9hG4bKinv", false));
        assertThat(receive(a)).startsWith("SIP/2.0 200 OK invite");
        assertThat(handled).containsExactly("in-dialog:transaction", "invite:transaction");
        assertThat(stack.counters()).doesNotContainKey("stateless");
    }

    @Test
    void aRetransmittedRegisterIsAnsweredFromTheCacheWithoutReachingTheHandlerAgain() throws Exception {
        String[] answers = answersToTwoCopies(request("REGISTER", "once", "z9hG4bKonce", false));
        String first = answers[0];
        String again = answers[1];
        assertThat(first).startsWith("SIP/2.0 200 OK once");
        assertThat(again).startsWith("SIP/2.0 200 OK once");
        // the same answer, To tag included (RFC 3261 17.2.2: the last response is sent again)
        assertThat(Wire.header(again, "To", "t")).isEqualTo(Wire.header(first, "To", "t"));
        assertThat(handled).containsExactly("once:none");
        assertThat(stack.counters()).containsEntry("retransmissions", 1L);
    }

    /**
     * OPTIONS is answered again for a retransmission, not from kept answers (RFC 3261 8.2.7): the handler sees it twice,
     * and both answers carry the same To tag (RFC 3261 8.2.6.2).
     */
    @Test
    void aRetransmittedOptionsIsAnsweredAgainWithTheSameToTag() throws Exception {
        String[] answers = answersToTwoCopies(request("OPTIONS", "ping", "z9hG4bKping", false));
        String first = answers[0];
        String again = answers[1];
        assertThat(first).startsWith("SIP/2.0 200 OK ping");
        assertThat(again).startsWith("SIP/2.0 200 OK ping");
        assertThat(Wire.header(again, "To", "t")).contains("tag=").isEqualTo(Wire.header(first, "To", "t"));
        assertThat(handled).containsExactly("ping:none", "ping:none");
        assertThat(stack.counters()).doesNotContainKey("retransmissions");
    }

    @Test
    void aCopyThatComesWhileTheFirstIsStillHandledIsAbsorbedAndTheFirstAnswerFollows() throws Exception {
        DatagramSocket a = socket();
        String register = request("REGISTER", "held", "z9hG4bKheld", false);
        send(a, register);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        send(a, register);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (stack.counters().getOrDefault("retransmissions.in-progress", 0L) == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(stack.counters()).containsEntry("retransmissions.in-progress", 1L);
        release.countDown();
        assertThat(receive(a)).startsWith("SIP/2.0 200 OK held");
        send(a, register);
        assertThat(receive(a)).startsWith("SIP/2.0 200 OK held");
        assertThat(handled).containsExactly("held:none");
    }

    /**
     * A handler may still ask for a transaction ({@code SipExchange.serverTransaction}) and answer through it: the
     * copies then go to that transaction through JAIN-SIP (ScreamSipStack's promoted transactions), which sends its
     * answer again (RFC 3261 17.2.2), not to the stateless path, where the handler's second call for a transaction
     * would fail ("Transaction exists", a 500). JAIN-SIP may still hand a copy to the handler a second time, as it did
     * before the stateless path (seen now and then under load of the whole module's tests); not asserted here.
     */
    @Test
    void aHandlerThatAsksForATransactionStillGetsOneAndItsRetransmissionIsAnswered() throws Exception {
        DatagramSocket a = socket();
        String register = request("REGISTER", "stateful", "z9hG4bKstateful", false);
        send(a, register);
        assertThat(receive(a)).startsWith("SIP/2.0 200 OK stateful");
        // the answer went out through the transaction, not the cache: a copy that comes before the handler has returned
        // is absorbed (requests in progress), so it is sent again as a UA does (RFC 3261 17.1.2.2)
        String again = null;
        for (int attempt = 0; attempt < 8 && again == null; attempt++) {
            send(a, register);
            try {
                again = receive(a, 500);
            } catch (SocketTimeoutException notYet) {
                // the next copy
            }
        }
        assertThat(again).as(handled + " " + stack.counters()).startsWith("SIP/2.0 200 OK stateful");
        assertThat(handled).first().isEqualTo("stateful:none");
        assertThat(stack.counters()).doesNotContainKey("responses.5xx");
    }

    /**
     * Over TCP a UAC does not retransmit, and a server transaction ends as soon as it has answered (RFC 3261 17.2.2,
     * Timer J is zero on reliable transports): nothing is kept for a copy, which is a request of its own.
     */
    @Test
    void aRegisterOverTcpIsAnsweredOnItsConnectionAndACopyIsHandledAgain() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port("tcp"))) {
            s.setSoTimeout(5000);
            String register = request("REGISTER", "tcp", "z9hG4bKtcp", false).replace("SIP/2.0/UDP", "SIP/2.0/TCP");
            s.getOutputStream().write(register.getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            assertThat(Wire.readMessage(in)).startsWith("SIP/2.0 200 OK tcp");
            s.getOutputStream().write(register.getBytes(StandardCharsets.UTF_8));
            assertThat(Wire.readMessage(in)).startsWith("SIP/2.0 200 OK tcp");
        }
        assertThat(handled).containsExactly("tcp:none", "tcp:none");
        assertThat(stack.counters()).containsEntry("stateless", 2L).doesNotContainKey("retransmissions");
    }

    // --- helpers

    private static String request(String method, String callId, String branch, boolean inDialog) {
        return method + " sip:example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=" + branch + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:watson@example.com>;tag=838293\r\n"
                + "To: <sip:watson@example.com>" + (inDialog ? ";tag=remote1" : "") + "\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 2 " + method + "\r\n"
                + "Contact: <sip:watson@127.0.0.1:5999>\r\nContent-Length: 0\r\n\r\n";
    }

    /** The answers to a request sent once and then again (a retransmission), from one socket. */
    private String[] answersToTwoCopies(String raw) throws Exception {
        DatagramSocket s = socket();
        send(s, raw);
        String first = receive(s);
        send(s, raw);
        return new String[] {first, receive(s)};
    }

    private DatagramSocket socket() throws Exception {
        DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        sockets.add(s);
        return s;
    }

    private int port(String transport) {
        return stack.listeningPoints().stream().filter(lp -> lp.transport().equals(transport)).findFirst().orElseThrow().port();
    }

    private void send(DatagramSocket socket, String raw) throws Exception {
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port("udp")));
    }

    /** The next datagram on this socket within 3 s (SocketTimeoutException if none). */
    private static String receive(DatagramSocket socket) throws Exception {
        return receive(socket, 3000);
    }

    private static String receive(DatagramSocket socket, int millis) throws Exception {
        socket.setSoTimeout(millis);
        DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("no answer within " + millis + " ms");
        }
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    private void addHandler(long id, String method, SipRequestHandler handler) {
        stack.addHandler(TestStacks.objects(handler), Map.of("service.id", id, SipRequestHandler.METHOD, method));
    }
}
