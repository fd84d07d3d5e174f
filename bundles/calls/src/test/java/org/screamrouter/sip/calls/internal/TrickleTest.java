package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.screamrouter.sip.testsupport.TestMessages.header;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.sdp.Candidate;
import org.screamrouter.sip.stack.SipTimeoutException;
import org.screamrouter.sip.testsupport.FakeExchange;
import org.screamrouter.sip.testsupport.Sent;
import org.screamrouter.sip.testsupport.TestMessages;

class TrickleTest {
    private static final String LATE = "candidate:2 1 udp 1686052607 198.51.100.7 50001 typ srflx raddr 127.0.0.1 rport 50000";
    private static final String LATER = "candidate:3 1 udp 41885439 203.0.113.9 3478 typ relay raddr 198.51.100.7 rport 50001";

    private final Wired w = new Wired();
    private Call call;

    @BeforeEach
    void answeredWebRtcCall() {
        call = w.call("t1", "udp", CallInfo.Kind.WEBRTC, Call.Phase.ANSWERED);
        call.iceUfrag = "ours";
        call.icePwd = "ourpasswordourpassword1";
        call.answeredCandidates.add(Candidate.parse(Harness.ANSWERED_CANDIDATE).orElseThrow());
    }

    private String infoBody(int i) {
        return TestMessages.body(w.sender.of("INFO").get(i).request());
    }

    @Test
    void candidatesWaitForTheConfirmedDialog() {
        w.trickle.local(call, LATE, "0");
        assertThat(w.sender.sent).isEmpty();
        call.phase = Call.Phase.CONFIRMED;
        w.trickle.flush(call);

        Sent info = w.sender.of("INFO").get(0);
        assertThat(info.flow()).isEqualTo(call.flow);
        assertThat(info.timeout()).isEqualTo(Duration.ofMillis(4000));
        assertThat(info.header("Info-Package")).isEqualTo("trickle-ice");
        assertThat(info.header("Content-Type")).isEqualTo("application/trickle-ice-sdpfrag");
        assertThat(infoBody(0)).contains("a=ice-ufrag:ours", "a=ice-pwd:ourpasswordourpassword1", "a=mid:0",
                "a=candidate:2 1 udp 1686052607 198.51.100.7 50001 typ srflx");
        assertThat(infoBody(0)).doesNotContain("end-of-candidates");
    }

    @Test
    void oneInfoAtATimeTheNextWhenTheFirstIsAnswered() {
        call.phase = Call.Phase.CONFIRMED;
        w.trickle.local(call, LATE, "0");
        w.trickle.local(call, LATER, "0");
        w.trickle.local(call, null, null);
        assertThat(w.sender.of("INFO")).hasSize(1);

        w.sender.of("INFO").get(0).answer(200);
        assertThat(w.sender.of("INFO")).as("the answer is handled on the scheduler").hasSize(1);
        w.scheduler.runReady();
        assertThat(w.sender.of("INFO")).hasSize(2);
        assertThat(infoBody(1)).contains("a=candidate:3 1 udp 41885439 203.0.113.9 3478 typ relay", "a=end-of-candidates");
        assertThat(w.sender.of("INFO").get(1).cseq()).isEqualTo(w.sender.of("INFO").get(0).cseq() + 1);
    }

    @Test
    void anInfoThatFailsDoesNotStopTheNext() {
        call.phase = Call.Phase.CONFIRMED;
        w.trickle.local(call, LATE, "0");
        w.trickle.local(call, LATER, "0");
        w.sender.of("INFO").get(0).answer().completeExceptionally(new SipTimeoutException("no answer"));
        w.scheduler.runReady();
        assertThat(w.sender.of("INFO")).hasSize(2);
    }

    @Test
    void candidatesTheAnswerCarriedAreNotSentAgain() {
        call.phase = Call.Phase.CONFIRMED;
        w.trickle.local(call, Harness.ANSWERED_CANDIDATE, "0");
        assertThat(w.sender.sent).isEmpty();
        assertThat(call.pendingCandidates).isEmpty();
        w.trickle.local(call, null, null);
        assertThat(infoBody(0)).contains("a=end-of-candidates").doesNotContain("a=candidate");
    }

    @Test
    void theEnginesMediaIdIsTheOneUsed() {
        call.phase = Call.Phase.CONFIRMED;
        w.trickle.local(call, LATE, "audio");
        assertThat(infoBody(0)).contains("a=mid:audio");
    }

    // the peer's INFO

    private FakeExchange info(String contentType, String body) {
        FakeExchange x = new FakeExchange(Harness.inDialog("INFO", call, 2, "z9hG4bKi", contentType, body));
        w.trickle.received(x, call);
        return x;
    }

    @Test
    void thePeersCandidatesGoToTheEngineWithTheirMediaId() {
        FakeExchange x = info("application/trickle-ice-sdpfrag", "a=ice-ufrag:peer\r\na=ice-pwd:peerpasswordpeerpassword\r\n"
                + "m=audio 9 RTP/AVP 0\r\na=mid:0\r\na=candidate:9 1 udp 2122260223 127.0.0.1 40000 typ host\r\n"
                + "a=candidate:10 1 udp 1686052607 198.51.100.8 40001 typ srflx raddr 127.0.0.1 rport 40000\r\n");
        assertThat(x.statuses()).containsExactly(200);
        assertThat(w.bridge.remoteCandidates).containsExactly(
                "kitchen/t1 0 candidate:9 1 udp 2122260223 127.0.0.1 40000 typ host",
                "kitchen/t1 0 candidate:10 1 udp 1686052607 198.51.100.8 40001 typ srflx raddr 127.0.0.1 rport 40000");
    }

    @Test
    void anInfoWithoutBodyIsAnswered200() {
        assertThat(info(null, null).statuses()).containsExactly(200);
        assertThat(w.bridge.remoteCandidates).isEmpty();
    }

    @Test
    void anotherBodyTypeGets415NamingTheOneTaken() {
        FakeExchange x = info("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n");
        assertThat(x.statuses()).containsExactly(415);
        assertThat(x.last().getReasonPhrase()).isEqualTo("Unsupported Media Type (INFO carries application/trickle-ice-sdpfrag)");
        assertThat(header(x.last(), "Accept")).isEqualTo("application/trickle-ice-sdpfrag");
    }

    @Test
    void aMalformedFragmentGets400() {
        FakeExchange x = info("application/trickle-ice-sdpfrag", "m=audio nine RTP/AVP 0\r\n");
        assertThat(x.statuses()).containsExactly(400);
        assertThat(x.last().getReasonPhrase()).startsWith("Bad Request (malformed sdpfrag: ");
        assertThat(w.bridge.remoteCandidates).isEmpty();
    }

    @Test
    void aPlainRtpCallTakesTheInfoButHasNoCandidatesToAdd() {
        call = w.call("r1", "udp", CallInfo.Kind.RTP, Call.Phase.CONFIRMED);
        FakeExchange x = info("application/trickle-ice-sdpfrag", "m=audio 9 RTP/AVP 0\r\na=mid:0\r\n"
                + "a=candidate:9 1 udp 2122260223 127.0.0.1 40000 typ host\r\n");
        assertThat(x.statuses()).containsExactly(200);
        assertThat(w.bridge.remoteCandidates).isEmpty();
    }
}
