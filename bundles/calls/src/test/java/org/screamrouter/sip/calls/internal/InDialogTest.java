package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.screamrouter.sip.testsupport.TestMessages.body;
import static org.screamrouter.sip.testsupport.TestMessages.header;

import java.util.concurrent.CompletableFuture;
import javax.sip.header.ToHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.testsupport.FakeExchange;

class InDialogTest {
    private static final String SESSION = "v=0\r\no=screamrouter 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

    private final Wired w = new Wired();

    /** A call whose 200 OK went out and waits for its ACK. */
    private Call answered(String callId, CallInfo.Kind kind) throws Exception {
        Call call = w.call(callId, "udp", kind, Call.Phase.ANSWERED);
        call.answerSdp = SESSION;
        w.finals.send(call, call.invite, w.dialogs.ok(call, call.invite, SESSION), call.inviteCSeq);
        return call;
    }

    private Call confirmed(String callId, CallInfo.Kind kind) throws Exception {
        Call call = answered(callId, kind);
        ack(call, 1, call.localTag);
        assertThat(call.phase).isEqualTo(Call.Phase.CONFIRMED);
        return call;
    }

    private FakeExchange ack(Call call, long cseq, String toTag) {
        FakeExchange x = new FakeExchange(Harness.request("ACK", "sip:kitchen@127.0.0.1:5060", "udp", "z9hG4bKack" + cseq,
                call.callId, cseq, "peer1", toTag, null, null));
        w.inDialog.ack(x);
        return x;
    }

    private FakeExchange send(String method, Call call, long cseq, String contentType, String body) {
        FakeExchange x = new FakeExchange(Harness.inDialog(method, call, cseq, "z9hG4bK" + method + cseq, contentType, body));
        switch (method) {
            case "INVITE" -> w.inDialog.reInvite(x);
            case "BYE" -> w.inDialog.bye(x);
            case "INFO" -> w.inDialog.info(x);
            default -> throw new IllegalArgumentException(method);
        }
        return x;
    }

    // ACK

    @Test
    void anAckWithoutOurToTagConfirmsNothingAndStartsNoMedia() throws Exception {
        Call call = answered("c1", CallInfo.Kind.RTP);
        FakeExchange forged = ack(call, 1, "guessed");
        assertThat(forged.responses).isEmpty();
        assertThat(call.phase).isEqualTo(Call.Phase.ANSWERED);
        assertThat(w.bridge.started).isEmpty();
        w.scheduler.advance(500);
        assertThat(Harness.invite(call).responses).as("the 200 is still resent").hasSize(2);
    }

    @Test
    void theAckWithOurToTagConfirmsTheCallStartsRtpMediaAndEndsTheRetransmissions() throws Exception {
        Call call = answered("c1", CallInfo.Kind.RTP);
        ack(call, 1, call.localTag);
        assertThat(call.phase).isEqualTo(Call.Phase.CONFIRMED);
        assertThat(call.listedState()).isEqualTo(CallInfo.State.CONFIRMED);
        assertThat(w.bridge.started).containsExactly("kitchen/c1");

        ack(call, 1, call.localTag); // retransmitted
        w.scheduler.advance(40_000);
        assertThat(w.bridge.started).containsExactly("kitchen/c1");
        assertThat(Harness.invite(call).responses).hasSize(1);
        assertThat(w.sender.sent).as("no BYE for a lost ACK").isEmpty();
    }

    @Test
    void anAckOfAnotherCSeqIsNotTheOneAwaited() throws Exception {
        Call call = answered("c1", CallInfo.Kind.RTP);
        ack(call, 2, call.localTag);
        assertThat(call.phase).isEqualTo(Call.Phase.ANSWERED);
        assertThat(w.bridge.started).isEmpty();
    }

    @Test
    void anAckForNoCallIsDropped() throws Exception {
        Call call = answered("c1", CallInfo.Kind.RTP);
        FakeExchange x = new FakeExchange(Harness.request("ACK", "sip:kitchen@127.0.0.1", "udp", "z9hG4bKx", "unknown", 1,
                "peer1", call.localTag, null, null));
        w.inDialog.ack(x);
        assertThat(x.responses).isEmpty();
    }

    @Test
    void aWebRtcCallsWaitingCandidatesGoOutOnceConfirmedAndNoRtpIsStarted() throws Exception {
        Call call = answered("w1", CallInfo.Kind.WEBRTC);
        call.pendingCandidates.add("candidate:2 1 udp 1686052607 198.51.100.7 50001 typ srflx raddr 127.0.0.1 rport 50000");
        ack(call, 1, call.localTag);
        assertThat(w.sender.of("INFO")).isEmpty();
        w.scheduler.runReady();
        assertThat(w.sender.of("INFO")).hasSize(1);
        assertThat(w.bridge.started).isEmpty();
    }

    @Test
    void mediaThatCannotStartEndTheCallWithABye() throws Exception {
        w.bridge.startResult = CompletableFuture.failedFuture(new IllegalStateException("no such listener"));
        Call call = answered("c1", CallInfo.Kind.RTP);
        ack(call, 1, call.localTag);
        w.scheduler.runReady();
        assertThat(w.sender.of("BYE")).hasSize(1);
        assertThat(w.sender.of("BYE").get(0).header("Reason")).isEqualTo("SIP;cause=200;text=\"media could not start: no such listener\"");
        assertThat(call.phase).isEqualTo(Call.Phase.ENDING);
    }

    @Test
    void a200NeverAcknowledgedEndsTheCallWithAByeAfter64T1() throws Exception {
        Call call = answered("c1", CallInfo.Kind.RTP);
        w.scheduler.advance(31_999);
        assertThat(w.sender.sent).isEmpty();
        w.scheduler.advance(1);
        assertThat(w.sender.of("BYE")).hasSize(1);
        assertThat(w.sender.of("BYE").get(0).header("Reason")).isEqualTo("SIP;cause=200;text=\"no ACK\"");
        assertThat(Harness.invite(call).responses).hasSize(11);
    }

    // re-INVITE

    @Test
    void aReInviteGetsTheCurrentSessionRetransmittedUntilItsAck() throws Exception {
        Call call = confirmed("c1", CallInfo.Kind.RTP);
        FakeExchange reInvite = send("INVITE", call, 2, "application/sdp", Harness.RTP_OFFER);
        Response ok = reInvite.last();
        assertThat(ok.getStatusCode()).isEqualTo(200);
        assertThat(body(ok)).isEqualTo(SESSION);
        assertThat(((ToHeader) ok.getHeader(ToHeader.NAME)).getTag()).isEqualTo(call.localTag);
        assertThat(header(ok, "Contact")).isNotNull();
        assertThat(call.remoteCSeq).isEqualTo(2);

        w.scheduler.advance(500);
        assertThat(reInvite.responses).hasSize(2);
        ack(call, 2, call.localTag);
        w.scheduler.advance(10_000);
        assertThat(reInvite.responses).hasSize(2);
        assertThat(call.phase).isEqualTo(Call.Phase.CONFIRMED);
        assertThat(w.bridge.started).as("media started once, at the first ACK").hasSize(1);
    }

    @Test
    void aReInviteBeforeTheAckGets491() throws Exception {
        Call call = answered("c1", CallInfo.Kind.RTP);
        FakeExchange reInvite = send("INVITE", call, 2, "application/sdp", Harness.RTP_OFFER);
        assertThat(reInvite.statuses()).containsExactly(491);
        assertThat(reInvite.last().getReasonPhrase()).isEqualTo("Request Pending (the call is not confirmed)");
    }

    @Test
    void aReInviteWhileTheLastOneWaitsForItsAckGets500WithRetryAfter() throws Exception {
        Call call = confirmed("c1", CallInfo.Kind.RTP);
        send("INVITE", call, 2, "application/sdp", Harness.RTP_OFFER);
        FakeExchange second = send("INVITE", call, 3, "application/sdp", Harness.RTP_OFFER);
        assertThat(second.statuses()).containsExactly(500);
        assertThat(second.last().getReasonPhrase()).isEqualTo("Server Internal Error (previous INVITE not acknowledged)");
        assertThat(header(second.last(), "Retry-After")).isEqualTo("1");
    }

    // BYE

    @Test
    void theirByeEndsTheCallAndALaterOneGets481() throws Exception {
        Call call = confirmed("c1", CallInfo.Kind.RTP);
        FakeExchange bye = send("BYE", call, 2, null, null);
        assertThat(bye.statuses()).containsExactly(200);
        assertThat(call.phase).isEqualTo(Call.Phase.ENDED);
        assertThat(w.table.get("c1")).isNull();
        assertThat(w.bridge.removed).containsExactly("kitchen/c1");
        assertThat(send("BYE", call, 3, null, null).statuses()).containsExactly(481);
    }

    @Test
    void theirByeBeforeTheAckAlsoEndsTheCall() throws Exception {
        Call call = answered("c1", CallInfo.Kind.RTP);
        assertThat(send("BYE", call, 2, null, null).statuses()).containsExactly(200);
        w.scheduler.advance(40_000);
        assertThat(Harness.invite(call).responses).as("the 200 is no longer resent").hasSize(1);
        assertThat(w.sender.sent).isEmpty();
    }

    @Test
    void aByeWithAnotherFromTagOrWithoutOurToTagGets481() throws Exception {
        Call call = confirmed("c1", CallInfo.Kind.RTP);
        FakeExchange otherFrom = new FakeExchange(Harness.request("BYE", "sip:kitchen@127.0.0.1", "udp", "z9hG4bKb", "c1", 2,
                "intruder", call.localTag, null, null));
        w.inDialog.bye(otherFrom);
        FakeExchange noTo = new FakeExchange(Harness.request("BYE", "sip:kitchen@127.0.0.1", "udp", "z9hG4bKb2", "c1", 2,
                "peer1", null, null, null));
        w.inDialog.bye(noTo);
        assertThat(otherFrom.statuses()).containsExactly(481);
        assertThat(otherFrom.last().getReasonPhrase()).isEqualTo("Call/Transaction Does Not Exist");
        assertThat(noTo.statuses()).containsExactly(481);
        assertThat(call.phase).isEqualTo(Call.Phase.CONFIRMED);
    }

    @Test
    void ourByeAndTheirsCross() throws Exception {
        Call call = confirmed("c1", CallInfo.Kind.RTP);
        w.teardown.hangup(call, "hung up by the server", 480);
        assertThat(send("BYE", call, 2, null, null).statuses()).as("ENDING is still the dialog").containsExactly(200);
        w.sender.of("BYE").get(0).answer(481);
        assertThat(w.table.get("c1")).isNull();
    }

    // CANCEL

    private FakeExchange cancel(Call call, String branch) {
        FakeExchange x = new FakeExchange(Harness.request("CANCEL", "sip:kitchen@127.0.0.1:5060", "udp", branch,
                call.callId, 1, "peer1", null, null, null));
        w.inDialog.cancel(x);
        return x;
    }

    @Test
    void aCancelBeforeTheAnswerGets200AndTheInvite487() {
        Call call = w.call("c1", "udp", CallInfo.Kind.WEBRTC, Call.Phase.PROCEEDING);
        FakeExchange cancel = cancel(call, call.inviteBranch);
        assertThat(cancel.statuses()).containsExactly(200);
        Response terminated = Harness.invite(call).last();
        assertThat(terminated.getStatusCode()).isEqualTo(487);
        assertThat(terminated.getReasonPhrase()).isEqualTo("Request Terminated");
        assertThat(call.phase).isEqualTo(Call.Phase.REJECTED);
        assertThat(call.listedState()).isNull();
        assertThat(w.bridge.removed).containsExactly("kitchen/c1");
    }

    @Test
    void anAckOfTheErrorResponseLetsTheCallGo() {
        Call call = w.call("c1", "udp", CallInfo.Kind.WEBRTC, Call.Phase.PROCEEDING);
        cancel(call, call.inviteBranch);
        // the ACK of a non-2xx carries the To of the response it acknowledges (RFC 3261 17.1.1.3)
        ack(call, 1, ((ToHeader) Harness.invite(call).last().getHeader(ToHeader.NAME)).getTag());
        assertThat(w.table.get("c1")).isNull();
        assertThat(call.phase).isEqualTo(Call.Phase.ENDED);
        w.scheduler.advance(40_000);
        assertThat(Harness.invite(call).statuses()).containsExactly(487);
    }

    @Test
    void aCancelOfAnotherBranchOrCallGets481() {
        Call call = w.call("c1", "udp", CallInfo.Kind.WEBRTC, Call.Phase.PROCEEDING);
        assertThat(cancel(call, "z9hG4bKother").statuses()).containsExactly(481);
        assertThat(Harness.invite(call).responses).isEmpty();
        assertThat(call.phase).isEqualTo(Call.Phase.PROCEEDING);
    }

    @Test
    void aCancelAfterTheAnswerGets200AndChangesNothing() throws Exception {
        Call call = answered("c1", CallInfo.Kind.RTP);
        assertThat(cancel(call, call.inviteBranch).statuses()).containsExactly(200);
        assertThat(Harness.invite(call).statuses()).containsExactly(200);
        assertThat(call.phase).isEqualTo(Call.Phase.ANSWERED);
    }

    // INFO

    @Test
    void anInfoInTheDialogGoesToTrickleAndOutsideItGets481() throws Exception {
        Call call = confirmed("w1", CallInfo.Kind.WEBRTC);
        FakeExchange info = send("INFO", call, 2, "application/trickle-ice-sdpfrag",
                "m=audio 9 RTP/AVP 0\r\na=mid:0\r\na=candidate:9 1 udp 2122260223 127.0.0.1 40000 typ host\r\n");
        assertThat(info.statuses()).containsExactly(200);
        assertThat(w.bridge.remoteCandidates).hasSize(1);

        FakeExchange stray = new FakeExchange(Harness.request("INFO", "sip:kitchen@127.0.0.1", "udp", "z9hG4bKs", "w1", 3,
                "peer1", "notours", null, null));
        w.inDialog.info(stray);
        assertThat(stray.statuses()).containsExactly(481);
    }

    @Test
    void aRequestInADialogThatEndedGets481() throws Exception {
        Call call = confirmed("c1", CallInfo.Kind.RTP);
        call.phase = Call.Phase.ENDED;
        assertThat(send("INFO", call, 2, null, null).statuses()).containsExactly(481);
    }
}
