package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.testsupport.FakeExchange;
import org.screamrouter.sip.testsupport.TestMessages;

class FinalResponsesTest {
    private final Harness.ManualScheduler scheduler = new Harness.ManualScheduler();
    private final List<String> noAcks = new ArrayList<>();
    private int t1 = 500;
    private final FinalResponses finals = new FinalResponses(scheduler, () -> t1,
            (call, r) -> noAcks.add(call.callId + " " + r.getStatusCode()));
    private final DialogMessages dialogs = new DialogMessages(TestMessages.MESSAGES, t -> null);

    private Call call(String transport) {
        return Harness.call(dialogs, "c-" + transport, transport, CallInfo.Kind.RTP, null);
    }

    private Response ok(Call call) {
        return Harness.invite(call).createResponse(200);
    }

    /** The times (ms after the first send) at which the response went out, until the test's horizon. */
    private List<Long> sendTimes(FakeExchange exchange, long horizonMs) {
        List<Long> times = new ArrayList<>();
        int seen = 0;
        for (long t = 0; t <= horizonMs; t += 50) {
            if (t > 0) scheduler.advance(50);
            for (; seen < exchange.responses.size(); seen++) times.add(t);
        }
        return times;
    }

    @Test
    void overUdpTheResponseIsResentAtT1DoublingUpTo8T1AndGivenUpAt64T1() {
        Call call = call("udp");
        Response ok = ok(call);
        finals.send(call, call.invite, ok, 1);
        List<Long> times = sendTimes(Harness.invite(call), 40_000);
        assertThat(times).containsExactly(0L, 500L, 1500L, 3500L, 7500L, 11500L, 15500L, 19500L, 23500L, 27500L, 31500L);
        assertThat(noAcks).containsExactly("c-udp 200");
        assertThat(finals.awaiting(call)).isFalse();
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void overTcpTheResponseGoesOnceAndItsAckIsStillAwaited() {
        Call call = call("tcp");
        finals.send(call, call.invite, ok(call), 1);
        List<Long> times = sendTimes(Harness.invite(call), 31_950);
        assertThat(times).containsExactly(0L);
        assertThat(noAcks).isEmpty();
        assertThat(finals.awaiting(call)).isTrue();
        scheduler.advance(50);
        assertThat(noAcks).containsExactly("c-tcp 200");
    }

    @Test
    void theAckOfItsCSeqStopsTheRetransmissions() {
        Call call = call("udp");
        finals.send(call, call.invite, ok(call), 1);
        scheduler.advance(600);
        assertThat(Harness.invite(call).responses).hasSize(2);
        assertThat(finals.acknowledge(call, 2)).as("an ACK of another CSeq").isZero();
        assertThat(finals.acknowledge(call, 1)).isEqualTo(200);
        assertThat(finals.acknowledge(call, 1)).as("the ACK retransmitted").isZero();
        scheduler.advance(60_000);
        assertThat(Harness.invite(call).responses).hasSize(2);
        assertThat(noAcks).isEmpty();
        assertThat(call.retransmission).isNull();
    }

    @Test
    void anErrorResponseIsRetransmittedTheSameWay() {
        Call call = call("udp");
        finals.send(call, call.invite, Harness.invite(call).createResponse(487), 1);
        scheduler.advance(1600);
        assertThat(Harness.invite(call).statuses()).containsExactly(487, 487, 487);
        assertThat(finals.acknowledge(call, 1)).isEqualTo(487);
    }

    @Test
    void aNewResponseReplacesTheOneAwaited() {
        Call call = call("udp");
        finals.send(call, call.invite, ok(call), 1);
        scheduler.advance(500);
        FakeExchange reInvite = new FakeExchange(Harness.inDialog("INVITE", call, 2, "z9hG4bKre", "application/sdp", Harness.RTP_OFFER));
        finals.send(call, reInvite, reInvite.createResponse(200), 2);
        scheduler.advance(2000);
        assertThat(Harness.invite(call).responses).as("the first 200 is no longer resent").hasSize(2);
        assertThat(reInvite.responses).hasSize(3);
        assertThat(finals.acknowledge(call, 1)).isZero();
        assertThat(finals.acknowledge(call, 2)).isEqualTo(200);
    }

    @Test
    void theIntervalCapFollowsT1AsItIsNow() {
        t1 = 100;
        Call call = call("udp");
        finals.send(call, call.invite, ok(call), 1);
        scheduler.advance(100); // 100
        scheduler.advance(200); // 300
        t1 = 50;
        scheduler.advance(400); // 700: capped at 8*T1 = 400 from now on
        scheduler.advance(400); // 1100
        assertThat(Harness.invite(call).responses).hasSize(5);
    }

    @Test
    void anAbandonedResponseIsNoLongerResentNorGivenUp() {
        Call call = call("udp");
        finals.send(call, call.invite, ok(call), 1);
        finals.abandon(call);
        scheduler.advance(60_000);
        assertThat(Harness.invite(call).responses).hasSize(1);
        assertThat(noAcks).isEmpty();
        assertThat(finals.awaiting(call)).isFalse();
    }

    @Test
    void afterShutdownNothingIsScheduled() {
        Call call = call("udp");
        scheduler.shutdownNow();
        finals.send(call, call.invite, ok(call), 1);
        assertThat(Harness.invite(call).responses).hasSize(1);
        assertThat(call.retransmission).isNull();
    }
}
