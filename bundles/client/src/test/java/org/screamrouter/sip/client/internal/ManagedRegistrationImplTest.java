package org.screamrouter.sip.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.client.Registration;
import org.screamrouter.sip.client.RegistrationState;
import org.screamrouter.sip.client.RegistrationState.Phase;
import org.screamrouter.sip.client.SipRejectedException;
import org.screamrouter.sip.client.SipReply;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipTimeoutException;
import org.screamrouter.sip.testsupport.TestMessages;

/** Refresh and backoff timing on a manual scheduler: no sockets, no sleeping. */
class ManagedRegistrationImplTest {
    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<Registration> registerCalls = new ArrayList<>();
    private final List<CompletableFuture<Registration>> answers = new ArrayList<>();
    private final List<Registration> unregistered = new ArrayList<>();
    private final List<RegistrationState> seen = new ArrayList<>();
    private final ManagedRegistrationImpl managed = new ManagedRegistrationImpl(previous -> {
        registerCalls.add(previous);
        CompletableFuture<Registration> f = new CompletableFuture<>();
        answers.add(f);
        return f;
    }, r -> {
        unregistered.add(r);
        return CompletableFuture.completedFuture(reply(200));
    }, scheduler, "test");

    @Test
    void refreshesAt85PercentOfTheGrantedExpiry() throws Exception {
        managed.onChange(seen::add);
        managed.start();
        scheduler.runReady();
        assertThat(registerCalls).hasSize(1).containsOnlyNulls();
        Registration first = registration(100);
        answers.get(0).complete(first);
        scheduler.runReady();
        assertThat(managed.state().phase()).isEqualTo(Phase.REGISTERED);
        assertThat(scheduler.pendingDelays()).containsExactly(85_000L);

        scheduler.advance(Duration.ofMillis(84_999));
        assertThat(registerCalls).hasSize(1);
        scheduler.advance(Duration.ofMillis(1));
        assertThat(registerCalls).hasSize(2);
        assertThat(registerCalls.get(1)).isSameAs(first);
        assertThat(managed.state().phase()).isEqualTo(Phase.REFRESHING);

        answers.get(1).complete(registration(60));
        scheduler.runReady();
        assertThat(scheduler.pendingDelays()).containsExactly(51_000L);
        assertThat(seen).extracting(RegistrationState::phase)
                .containsExactly(Phase.REGISTERING, Phase.REGISTERED, Phase.REFRESHING, Phase.REGISTERED);
    }

    @Test
    void failuresBackOffExponentiallyUpTo30Seconds() throws Exception {
        managed.start();
        scheduler.runReady();
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            answers.get(i).completeExceptionally(i % 2 == 0 ? new SipTimeoutException("no answer")
                    : new SipRejectedException("REGISTER", reply(503)));
            scheduler.runReady();
            assertThat(managed.state().phase()).isEqualTo(Phase.FAILED);
            assertThat(managed.state().attempts()).isEqualTo(i + 1);
            waits.add(scheduler.pendingDelays().get(0));
            scheduler.advance(Duration.ofMillis(waits.get(i)));
        }
        assertThat(waits).containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L);
        answers.get(7).complete(registration(3600));
        scheduler.runReady();
        assertThat(managed.state().phase()).isEqualTo(Phase.REGISTERED);
        assertThat(managed.state().attempts()).isZero();
    }

    @Test
    void failedStateCarriesTheLastAnswer() throws Exception {
        managed.start();
        scheduler.runReady();
        answers.get(0).completeExceptionally(new SipRejectedException("REGISTER", reply(403)));
        scheduler.runReady();
        assertThat(managed.state().lastReply().status()).isEqualTo(403);
        assertThat(managed.state().failure()).isInstanceOf(SipRejectedException.class);
    }

    @Test
    void closingCancelsTheRefreshAndUnregisters() throws Exception {
        managed.start();
        scheduler.runReady();
        Registration r = registration(100);
        answers.get(0).complete(r);
        scheduler.runReady();
        assertThat(managed.unregister().toCompletableFuture().get().status()).isEqualTo(200);
        assertThat(unregistered).containsExactly(r);
        assertThat(scheduler.pendingDelays()).isEmpty();
        assertThat(managed.state().phase()).isEqualTo(Phase.CLOSED);
        scheduler.advance(Duration.ofHours(1));
        assertThat(registerCalls).hasSize(1);
    }

    @Test
    void aRegisterAnsweredAfterCloseIsUnregistered() throws Exception {
        managed.start();
        scheduler.runReady();
        managed.close();
        Registration late = registration(100);
        answers.get(0).complete(late);
        scheduler.runReady();
        assertThat(unregistered).containsExactly(late);
        assertThat(managed.state().phase()).isEqualTo(Phase.CLOSED);
    }

    @Test
    void backoffAndRefreshArithmetic() {
        assertThat(RefreshSchedule.refreshAfter(3600)).isEqualTo(Duration.ofSeconds(3060));
        assertThat(RefreshSchedule.refreshAfter(0)).isEqualTo(Duration.ofMillis(850));
        assertThat(RefreshSchedule.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(RefreshSchedule.backoff(100)).isEqualTo(Duration.ofSeconds(30));
    }

    static SipReply reply(int status) {
        try {
            javax.sip.message.MessageFactory f = TestMessages.MESSAGES.messages();
            Request r = f.createRequest("REGISTER sip:127.0.0.1 SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 REGISTER\r\n"
                    + "From: <sip:u@127.0.0.1>;tag=1\r\nTo: <sip:u@127.0.0.1>\r\nVia: SIP/2.0/UDP 127.0.0.1:5;branch=z9hG4bK1\r\n"
                    + "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
            return SipReply.of(f.createResponse(status, r));
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Registration registration(int granted) {
        SipReply ok = reply(200);
        return new Registration() {
            @Override public Flow registrar() { return new Flow("udp", new InetSocketAddress("127.0.0.1", 5060)); }
            @Override public String addressOfRecord() { return "sip:u@127.0.0.1"; }
            @Override public String contact() { return "sip:u@127.0.0.1:5999"; }
            @Override public String callId() { return "a"; }
            @Override public int grantedExpires() { return granted; }
            @Override public List<String> contacts() { return List.of(); }
            @Override public SipReply reply() { return ok; }
        };
    }
}
