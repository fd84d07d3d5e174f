package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipTimeoutException;
import org.screamrouter.sip.testsupport.RecordingSender;
import org.screamrouter.sip.testsupport.Sent;
import org.screamrouter.sip.testsupport.TestMessages;

class TeardownTest {
    private final Harness.ManualScheduler scheduler = new Harness.ManualScheduler();
    private final RecordingSender sender = new RecordingSender();
    private final Harness.FakeBridge bridge = new Harness.FakeBridge();
    private final CallTable table = new CallTable();
    private final DialogMessages dialogs = new DialogMessages(TestMessages.MESSAGES, t -> null);
    private CallsConfig config = Harness.config(Map.of("bye_timeout_ms", 1234, "shutdown_grace_ms", 50));
    private Teardown teardown;
    private final FinalResponses finals = new FinalResponses(scheduler, () -> 500, (call, r) -> teardown.noAck(call, r));

    {
        teardown = new Teardown(table, dialogs, finals, sender, scheduler, () -> config);
    }

    private Call call(String callId, String transport, Call.Phase phase) {
        Call call = Harness.call(dialogs, callId, transport, CallInfo.Kind.RTP, bridge);
        call.phase = phase;
        table.add(call);
        return call;
    }

    @Test
    void beforeTheAnswerTheInviteGetsTheStatusAndTheListenerGoes() {
        Call call = call("c1", "udp", Call.Phase.PROCEEDING);
        call.deadline = scheduler.schedule(() -> { throw new AssertionError("the deadline ran"); }, 5000);
        CompletionStage<Void> over = teardown.hangup(call, "hung up by the server", 480);

        assertThat(over.toCompletableFuture()).isCompleted();
        Response r = Harness.invite(call).last();
        assertThat(r.getStatusCode()).isEqualTo(480);
        assertThat(r.getReasonPhrase()).isEqualTo("Call Ended (hung up by the server)");
        assertThat(((javax.sip.header.ToHeader) r.getHeader("To")).getTag()).as("our tag: the ACK that carries it ends the wait")
                .isEqualTo(call.localTag);
        assertThat(call.phase).isEqualTo(Call.Phase.REJECTED);
        assertThat(bridge.removed).containsExactly("kitchen/c1");
        assertThat(sender.sent).isEmpty();
        assertThat(finals.awaiting(call)).as("the 480 waits for its ACK").isTrue();
        assertThat(table.get("c1")).as("kept until the ACK of the 480").isSameAs(call);
        scheduler.advance(10_000);
    }

    @Test
    void a503BeforeTheAnswerSaysServiceUnavailable() {
        Call call = call("c1", "udp", Call.Phase.PROCEEDING);
        teardown.hangup(call, "the calls service is stopping", 503);
        assertThat(Harness.invite(call).last().getReasonPhrase()).isEqualTo("Service Unavailable (the calls service is stopping)");
    }

    @Test
    void anAnsweredCallGetsAByeWithTheReasonAndEndsWhenItIsAnswered() {
        Call call = call("c1", "udp", Call.Phase.CONFIRMED);
        CompletionStage<Void> over = teardown.hangup(call, "hung up by the server", 480);

        Sent bye = sender.of("BYE").get(0);
        assertThat(bye.flow()).isEqualTo(call.flow);
        assertThat(bye.timeout()).isEqualTo(Duration.ofMillis(1234));
        assertThat(bye.header("Reason")).isEqualTo("SIP;cause=200;text=\"hung up by the server\"");
        assertThat(call.phase).isEqualTo(Call.Phase.ENDING);
        assertThat(call.listedState()).isEqualTo(CallInfo.State.ENDING);
        assertThat(bridge.removed).containsExactly("kitchen/c1");
        assertThat(over.toCompletableFuture()).isNotDone();

        bye.answer(200);
        assertThat(over.toCompletableFuture()).isCompleted();
        assertThat(call.phase).isEqualTo(Call.Phase.ENDED);
        assertThat(table.get("c1")).isNull();
    }

    @Test
    void aByeNotAnsweredEndsTheCallAllTheSame() {
        Call call = call("c1", "udp", Call.Phase.ANSWERED);
        finals.send(call, call.invite, Harness.invite(call).createResponse(200), 1);
        CompletionStage<Void> over = teardown.hangup(call, "no ACK", 408);
        assertThat(finals.awaiting(call)).as("the 200 is no longer resent").isFalse();
        sender.of("BYE").get(0).answer().completeExceptionally(new SipTimeoutException("no answer"));
        assertThat(over.toCompletableFuture()).isCompletedWithValue(null);
        assertThat(table.get("c1")).isNull();
        scheduler.advance(60_000);
        assertThat(Harness.invite(call).responses).hasSize(1);
    }

    @Test
    void aCallEndingOrOverIsNotEndedAgain() {
        Call ending = call("c1", "udp", Call.Phase.ENDING);
        Call rejected = call("c2", "udp", Call.Phase.REJECTED);
        teardown.hangup(ending, "again", 480);
        teardown.hangup(rejected, "again", 480);
        assertThat(sender.sent).isEmpty();
        assertThat(Harness.invite(rejected).responses).isEmpty();
    }

    @Test
    void theCallsServiceHangsUpOnlyCallsInProgress() {
        call("c1", "udp", Call.Phase.CONFIRMED);
        call("c2", "udp", Call.Phase.REJECTED);
        assertThat(teardown.hangup("nobody")).isFalse();
        assertThat(teardown.hangup("c2")).isFalse();
        assertThat(teardown.hangup("c1")).isTrue();
        assertThat(sender.of("BYE")).hasSize(1);
    }

    @Test
    void a200WithoutAckEndsItsCallWithAByeAndAnErrorWithoutAckLetsItsCallGo() {
        Call answered = call("c1", "udp", Call.Phase.ANSWERED);
        Call rejected = call("c2", "udp", Call.Phase.REJECTED);
        finals.send(answered, answered.invite, Harness.invite(answered).createResponse(200), 1);
        finals.send(rejected, rejected.invite, Harness.invite(rejected).createResponse(487), 1);
        scheduler.advance(32_000);

        assertThat(sender.of("BYE")).hasSize(1);
        assertThat(sender.of("BYE").get(0).header("Reason")).isEqualTo("SIP;cause=200;text=\"no ACK\"");
        assertThat(rejected.phase).isEqualTo(Call.Phase.ENDED);
        assertThat(table.get("c2")).isNull();
        assertThat(bridge.removed).containsExactlyInAnyOrder("kitchen/c1", "kitchen/c2");
    }

    @Test
    void aClosedConnectionEndsTheCallsSignalledOverItOnly() {
        Call overTcp = call("c1", "tcp", Call.Phase.CONFIRMED);
        Call overUdp = call("c2", "udp", Call.Phase.CONFIRMED);
        teardown.flowClosed(new Flow("tcp", new InetSocketAddress("127.0.0.1", 5070)));
        assertThat(table.get("c1")).isNull();
        assertThat(overTcp.phase).isEqualTo(Call.Phase.ENDED);
        assertThat(table.get("c2")).isSameAs(overUdp);
        assertThat(bridge.removed).containsExactly("kitchen/c1");
        assertThat(sender.sent).as("no BYE can reach the peer").isEmpty();
    }

    @Test
    void aStoppedBridgeEndsTheCallsItCarriedOnly() {
        Call onIt = call("c1", "udp", Call.Phase.CONFIRMED);
        Call elsewhere = Harness.call(dialogs, "c2", "udp", CallInfo.Kind.RTP, new Harness.FakeBridge());
        elsewhere.phase = Call.Phase.CONFIRMED;
        table.add(elsewhere);
        teardown.bridgeStopped(bridge);
        assertThat(sender.of("BYE")).extracting(s -> s.header("Call-ID")).containsExactly("c1");
        assertThat(sender.of("BYE").get(0).header("Reason")).isEqualTo("SIP;cause=200;text=\"the audio engine stopped\"");
        assertThat(onIt.phase).isEqualTo(Call.Phase.ENDING);
        assertThat(elsewhere.phase).isEqualTo(Call.Phase.CONFIRMED);
    }

    @Test
    void mediaEndingSendsAByeOnTheSchedulerForThatSinksListenerOnly() {
        Call call = call("c1", "udp", Call.Phase.CONFIRMED);
        teardown.mediaEnded("office", "c1", "CONNECTIVITY_TIMEOUT");
        teardown.mediaEnded("kitchen", "c1", "CONNECTIVITY_TIMEOUT");
        assertThat(sender.sent).as("not on the event's thread").isEmpty();
        scheduler.runReady();
        assertThat(sender.of("BYE")).hasSize(1);
        assertThat(sender.of("BYE").get(0).header("Reason")).isEqualTo("SIP;cause=200;text=\"media ended: CONNECTIVITY_TIMEOUT\"");
        assertThat(call.phase).isEqualTo(Call.Phase.ENDING);
    }

    @Test
    void stoppingEndsEveryCallAndWaitsForTheByesAtMostTheGrace() {
        Call confirmed = call("c1", "udp", Call.Phase.CONFIRMED);
        Call proceeding = call("c2", "udp", Call.Phase.PROCEEDING);
        long start = System.nanoTime();
        teardown.endAll();
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(sender.of("BYE")).extracting(s -> s.header("Reason"))
                .containsExactly("SIP;cause=200;text=\"the calls service is stopping\"");
        assertThat(Harness.invite(proceeding).last().getStatusCode()).isEqualTo(503);
        assertThat(confirmed.phase).isEqualTo(Call.Phase.ENDING);
        assertThat(tookMs).as("waited for the unanswered BYE, shutdown.grace.ms = 50").isBetween(40L, 2000L);
    }

    @Test
    void stoppingReturnsAsSoonAsEveryByeIsAnswered() {
        call("c1", "udp", Call.Phase.CONFIRMED);
        config = Harness.config(Map.of("shutdown_grace_ms", 60_000));
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(teardown::endAll);
        Sent bye = awaitBye();
        assertThat(stopped).isNotDone();
        bye.answer(200);
        stopped.orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(table.size()).isZero();
    }

    private Sent awaitBye() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sender.of("BYE").isEmpty() && System.nanoTime() < deadline) Thread.onSpinWait();
        return sender.of("BYE").get(0);
    }

    @Test
    void forgettingACallRemovesItsListenerAndTimers() {
        Call call = call("c1", "udp", Call.Phase.ANSWERED);
        finals.send(call, call.invite, Harness.invite(call).createResponse(200), 1);
        teardown.forget(call);
        assertThat(call.phase).isEqualTo(Call.Phase.ENDED);
        assertThat(table.get("c1")).isNull();
        assertThat(bridge.removed).containsExactly("kitchen/c1");
        assertThat(scheduler.pending()).isZero();
    }
}
