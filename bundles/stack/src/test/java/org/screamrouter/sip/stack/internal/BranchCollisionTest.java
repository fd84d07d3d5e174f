package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.sip.header.CallIdHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.stack.SipRequestHandler;

/**
 * Requests that share a branch (RFC 3261 17.2.3: a request matches a server transaction by branch, sent-by and method,
 * and here by flow too: see {@code ScreamSipStack}), on the real stack over loopback UDP. RFC 4475 and RFC 5118 reuse
 * branches across files: cparam01/cparam02 (same branch, sent-by and method, other Call-ID), ipv6-bad and
 * ipv6-bug-abnf-3-colons (same branch, other sent-by and method), port-ambiguous/port-unambiguous.
 *
 * <p>JAIN-SIP keeps a "pending" transaction per branch while the listener handles its request, and its server transaction
 * table holds one transaction per branch. A handler that goes on working after it answered (the registrar posts events
 * and writes its store) keeps the first request pending; the handlers here hold the first request past its answer
 * until the test releases them, which makes the window the distribution hits now and then certain.
 */
class BranchCollisionTest {
    private static final String BRANCH = "z9hG4bKkdjuw";
    private SipStackComponent stack;
    private final List<DatagramSocket> sockets = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> handled = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        stack = new SipStackComponent();
        stack.activate(TestStacks.context(), TestStackConfig.of(Map.of("udp_enabled", true, "udp_port", TestStacks.freePort(), "tcp_enabled", false,
                "tcp_port", 1, "ws_enabled", false, "ws_port", 1)));
    }

    @AfterEach
    void stop() {
        release.countDown();
        stack.deactivate();
        sockets.forEach(DatagramSocket::close);
    }

    /** Answers 200 naming the Call-ID and the source port; the request with Call-ID "held" then waits for the test. */
    private void answerAndHoldTheFirst(String method) {
        addHandler(handled.size() + 100L + method.length(), method, exchange -> {
            String callId = ((CallIdHeader) exchange.request().getHeader(CallIdHeader.NAME)).getCallId();
            handled.add(callId + "@" + exchange.flow().port());
            exchange.respond(exchange.createResponse(200, "OK " + callId + " for " + exchange.flow().port()));
            if (callId.equals("held")) {
                try {
                    // the handler goes on after its answer, as the registrar does; bounded, the test releases it
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }

    @Test
    void aRequestFromAnotherFlowWithTheBranchOfOneStillBeingHandledIsAnsweredAtOnce() throws Exception {
        // cparam01 then cparam02: same branch, sent-by and method, another Call-ID, from another socket
        answerAndHoldTheFirst("REGISTER");
        DatagramSocket a = socket();
        DatagramSocket b = socket();
        send(a, request("REGISTER", "saturn.example.com:5060", "held", 2));
        assertThat(receive(a, m -> true)).startsWith("SIP/2.0 200 OK held for " + a.getLocalPort());
        // one send, no retransmission: a new transaction (another flow) must be answered
        send(b, request("REGISTER", "saturn.example.com:5060", "second", 3));
        assertThat(receive(b, m -> true)).as("the second request, from another socket, while the first is still handled")
                .startsWith("SIP/2.0 200 OK second for " + b.getLocalPort());
    }

    @Test
    void aRequestOfAnotherSentByAndMethodWithTheBranchOfOneStillBeingHandledIsAnsweredAtOnce() throws Exception {
        // ipv6-bad (REGISTER, Via [2001:db8::9:1]) then ipv6-bug-abnf-3-colons (OPTIONS, Via lab1.east.example.com):
        // other transactions by RFC 3261 17.2.3 whatever the flow; from the same socket and from another
        answerAndHoldTheFirst("REGISTER");
        answerAndHoldTheFirst("OPTIONS");
        DatagramSocket a = socket();
        DatagramSocket b = socket();
        send(a, request("REGISTER", "[2001:db8::9:1]", "held", 98176));
        assertThat(receive(a, m -> true)).startsWith("SIP/2.0 200 OK held for ");
        send(a, request("OPTIONS", "lab1.east.example.com", "same-socket", 689));
        assertThat(receive(a, m -> true)).startsWith("SIP/2.0 200 OK same-socket for " + a.getLocalPort());
        send(b, request("OPTIONS", "lab1.east.example.com:5061", "other-socket", 689));
        assertThat(receive(b, m -> true)).startsWith("SIP/2.0 200 OK other-socket for " + b.getLocalPort());
    }

    @Test
    void manyCollidingPairsFromNewSocketsAreEachAnsweredWithOneSend() throws Exception {
        // the corpus over UDP: each file from a new socket, right after the one before it was answered
        answerAndHoldTheFirst("REGISTER");
        for (int round = 0; round < 20; round++) {
            String branch = BRANCH + "-" + round;
            DatagramSocket a = socket();
            DatagramSocket b = socket();
            send(a, request("REGISTER", "saturn.example.com:5060", "first" + round, 2).replace(BRANCH, branch));
            assertThat(receive(a, m -> true)).startsWith("SIP/2.0 200 OK first" + round);
            send(b, request("REGISTER", "saturn.example.com:5060", "second" + round, 3).replace(BRANCH, branch));
            assertThat(receive(b, m -> true)).as("round " + round).startsWith("SIP/2.0 200 OK second" + round);
        }
    }

    @Test
    void aRetransmissionFromTheSameFlowStillGetsTheFirstAnswerAndIsNotHandledAgain() throws Exception {
        // the same branch, sent-by and method from the same socket is, by RFC 3261 17.2.3, the first request again,
        // whatever else differs (cparam02 sent from cparam01's socket): it gets the first one's answer
        answerAndHoldTheFirst("REGISTER");
        DatagramSocket a = socket();
        send(a, request("REGISTER", "saturn.example.com:5060", "held", 2));
        assertThat(receive(a, m -> true)).startsWith("SIP/2.0 200 OK held for " + a.getLocalPort());
        release.countDown();
        String retransmission = request("REGISTER", "saturn.example.com:5060", "retransmitted", 3);
        String answer = null;
        // while the first is still in its handler the copy is absorbed (RFC 3261 17.2.2, Trying): resend as a UA does
        for (int attempt = 0; attempt < 8 && answer == null; attempt++) {
            send(a, retransmission);
            try {
                answer = receive(a, m -> true, 500);
            } catch (SocketTimeoutException notYet) {
                // the next retransmission
            }
        }
        assertThat(answer).startsWith("SIP/2.0 200 OK held for " + a.getLocalPort());
        assertThat(handled).containsExactly("held@" + a.getLocalPort());
    }

    @Test
    void aLiveTransactionKeepsItsRetransmissionsAndAckAfterAnotherFlowUsedItsBranch() throws Exception {
        // two INVITE server transactions with the same branch, sent-by and method from two sockets: each must get its
        // own 486, and each ACK must end only its own transaction's retransmissions (RFC 3261 17.2.1, timer G)
        addHandler(1L, "INVITE", exchange -> {
            handled.add("INVITE@" + exchange.flow().port());
            exchange.serverTransaction().sendResponse(exchange.createResponse(486, "Busy for " + exchange.flow().port()));
        });
        DatagramSocket a = socket();
        DatagramSocket b = socket();
        String invite = request("INVITE", "192.0.2.1:5060", "call", 1);
        send(a, invite);
        assertThat(receive(a, m -> true)).startsWith("SIP/2.0 486 Busy for " + a.getLocalPort());
        send(b, invite);
        assertThat(receive(b, m -> true)).as("the same INVITE from another socket is another transaction")
                .startsWith("SIP/2.0 486 Busy for " + b.getLocalPort());
        // a's retransmission of its INVITE is a's transaction's: its 486 again, to a
        send(a, invite);
        assertThat(receive(a, m -> true)).startsWith("SIP/2.0 486 Busy for " + a.getLocalPort());
        send(a, ack(invite, "192.0.2.1:5060"));
        // after a's ACK, b's transaction goes on retransmitting to b (b sent no ACK) and a's stops. Timer G doubles
        // from 500 ms: 0.5, 1.5, 3.5 s after b's first 486; a 486 to a after its ACK was read would be a retransmission
        // of a transaction the ACK did not reach
        int toB = 0;
        List<String> toA = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        a.setSoTimeout(50);
        b.setSoTimeout(50);
        while (toB < 3 && System.nanoTime() < deadline) {
            try {
                if (receive(b, m -> true, 50).startsWith("SIP/2.0 486")) toB++;
            } catch (SocketTimeoutException nothing) {
                // read a's side too
            }
            try {
                toA.add(receive(a, m -> true, 50));
            } catch (SocketTimeoutException nothing) {
                // nothing for a: as it should be
            }
        }
        assertThat(toB).as("retransmissions of b's 486 after a's ACK").isEqualTo(3);
        // at most one that was already on its way when the ACK came in (a's first retransmission is due at 0.5 s)
        assertThat(toA).as("486s to a after its ACK").hasSizeLessThanOrEqualTo(1);
        // b's retransmission of its INVITE belongs to b's transaction (not in JAIN-SIP's table: a's has the branch):
        // its 486 again, and the handler does not see it a second time
        send(b, invite);
        assertThat(receive(b, m -> true)).startsWith("SIP/2.0 486 Busy for " + b.getLocalPort());
        assertThat(handled).containsExactly("INVITE@" + a.getLocalPort(), "INVITE@" + b.getLocalPort());
        // and a new INVITE from a (another branch) is still answered, to a
        String next = request("INVITE", "192.0.2.1:5060", "call2", 2).replace(BRANCH, BRANCH + "-next");
        send(a, next);
        assertThat(receive(a, m -> m.contains("CSeq: 2 INVITE"))).startsWith("SIP/2.0 486 Busy for " + a.getLocalPort());
    }

    @Test
    void theAckOfAnErrorAnswerReachesItsHandlerWhileTheInviteIsStillBeingHandled() throws Exception {
        // the calls bundle answers without a JAIN-SIP transaction and waits for the ACK itself. A CANCEL can end a call
        // while its INVITE's handler is still at work (a slow machine, the thread descheduled after 100 Trying): the
        // ACK of the 487 has the INVITE's branch (RFC 3261 17.1.1.3), and JAIN-SIP tied it to the INVITE still pending
        // (it waited for that handler, then dropped the ACK as a copy of a request in progress). CI saw the 487
        // retransmitted past its ACK (CallsIT.cancelBeforeTheAnswerGets487AndNoCallRemains).
        addHandler(1L, "INVITE", exchange -> {
            exchange.respond(exchange.createResponse(487, "Request Terminated"));
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CountDownLatch acked = new CountDownLatch(1);
        addHandler(2L, "ACK", exchange -> acked.countDown());
        DatagramSocket a = socket();
        String invite = request("INVITE", "127.0.0.1:" + a.getLocalPort(), "cancelled", 1);
        send(a, invite);
        assertThat(receive(a, m -> true)).startsWith("SIP/2.0 487");
        send(a, ack(invite, "127.0.0.1:" + a.getLocalPort()));
        assertThat(acked.await(3, TimeUnit.SECONDS)).as("the ACK handled while the INVITE's handler still works").isTrue();
    }

    // --- helpers

    private static String request(String method, String sentBy, String callId, int cseq) {
        return method + " sip:example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + sentBy + ";branch=" + BRANCH + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:watson@example.com>;tag=838293\r\nTo: <sip:watson@example.com>\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: " + cseq + " " + method + "\r\n"
                + "Contact: <sip:+19725552222@gw1.example.net;unknownparam>\r\nContent-Length: 0\r\n\r\n";
    }

    /** The ACK of a non-2xx answer to this INVITE (RFC 3261 17.1.1.3): same branch, the answer's To tag. */
    private static String ack(String invite, String sentBy) {
        return invite.replaceFirst("^INVITE ", "ACK ").replace(" INVITE\r\n", " ACK\r\n")
                .replace("Contact: <sip:+19725552222@gw1.example.net;unknownparam>\r\n", "");
    }

    private DatagramSocket socket() throws Exception {
        DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        sockets.add(s);
        return s;
    }

    private int udpPort() {
        return stack.listeningPoints().stream().filter(lp -> lp.transport().equals("udp")).findFirst().orElseThrow().port();
    }

    private void send(DatagramSocket socket, String raw) throws Exception {
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), udpPort()));
    }

    /** The next datagram this socket gets that passes the filter, within 3 s (SocketTimeoutException if none). */
    private static String receive(DatagramSocket socket, Predicate<String> wanted) throws Exception {
        return receive(socket, wanted, 3000);
    }

    private static String receive(DatagramSocket socket, Predicate<String> wanted, int millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) throw new SocketTimeoutException("nothing within " + millis + " ms");
            socket.setSoTimeout((int) left);
            DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
            socket.receive(packet);
            String m = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            if (wanted.test(m)) return m;
        }
    }

    private void addHandler(long id, String method, SipRequestHandler handler) {
        stack.addHandler(TestStacks.objects(handler), Map.of("service.id", id, SipRequestHandler.METHOD, method));
    }
}
