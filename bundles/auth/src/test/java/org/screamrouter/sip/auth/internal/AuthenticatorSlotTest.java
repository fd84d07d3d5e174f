package org.screamrouter.sip.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sip.header.RetryAfterHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.auth.AuthenticatorSlot;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.HandlerClosedException;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.testsupport.FakeExchange;

/** The API's {@link AuthenticatorSlot}, tested here beside the authenticator it waits for (the exchange fake is this bundle's). */
class AuthenticatorSlotTest {
    /** An authenticator that lets every request through as alice, and owns only alice's AOR. */
    private static final SipAuthenticator ALICE = new SipAuthenticator() {
        @Override public Outcome authenticate(SipExchange exchange) { return Outcome.authenticated("alice"); }
        @Override public boolean owns(String user, String aor) { return aor.startsWith("sip:" + user + "@"); }
    };

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    /** One SUBSCRIBE, and the responses sent to it. */
    private static FakeExchange subscribe() throws Exception {
        return new FakeExchange("SUBSCRIBE sip:dev1@127.0.0.1 SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKs1\nMax-Forwards: 70\nTo: <sip:dev1@127.0.0.1>\n"
                + "From: <sip:w@127.0.0.1>;tag=t\nCall-ID: s1\nCSeq: 1 SUBSCRIBE\nEvent: presence\nContent-Length: 0\n\n", "127.0.0.1", 5999);
    }

    @Test
    void aBoundAuthenticatorAnswersAtOnce() throws Exception {
        AuthenticatorSlot slot = new AuthenticatorSlot(() -> FakeExchange.MESSAGES, Duration.ofSeconds(30), 4);
        slot.bind(ALICE);
        FakeExchange exchange = subscribe();
        assertThat(slot.authenticate(exchange)).isEqualTo(SipAuthenticator.Outcome.authenticated("alice"));
        assertThat(exchange.responses).isEmpty();
        assertThat(slot.owns("alice", "sip:alice@screamrouter.local")).isTrue();
        assertThat(slot.owns("alice", "sip:bob@screamrouter.local")).isFalse();
    }

    @Test
    void aWaitingRequestProceedsAsSoonAsTheAuthenticatorComesBack() throws Exception {
        AuthenticatorSlot slot = new AuthenticatorSlot(() -> FakeExchange.MESSAGES, Duration.ofSeconds(30), 4);
        slot.bind(ALICE);
        slot.unbind(ALICE);
        FakeExchange exchange = subscribe();
        CountDownLatch started = new CountDownLatch(1);
        Future<SipAuthenticator.Outcome> outcome = threads.submit(() -> {
            started.countDown();
            return slot.authenticate(exchange);
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        awaitWaiting(slot, 1);
        assertThat(slot.waiting()).isEqualTo(1);
        assertThat(outcome.isDone()).isFalse();
        long bound = System.nanoTime();
        slot.bind(ALICE);
        // far less than the 30 s wait: the bind woke it
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(SipAuthenticator.Outcome.authenticated("alice"));
        assertThat(System.nanoTime() - bound).isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(exchange.responses).isEmpty();
        assertThat(slot.waiting()).isZero();
    }

    /**
     * With the slot's own wait, an authenticator that is away for 3 s (an API bundle's refresh on a slow machine stops
     * the auth bundle about 2 s before the registrar) is waited for: the request proceeds, no 503.
     */
    @Test
    void theDefaultWaitOutlastsAnAuthenticatorAwayForThreeSeconds() throws Exception {
        AuthenticatorSlot slot = new AuthenticatorSlot(() -> FakeExchange.MESSAGES);
        FakeExchange exchange = subscribe();
        Future<SipAuthenticator.Outcome> outcome = threads.submit(() -> slot.authenticate(exchange));
        awaitWaiting(slot, 1);
        long start = System.nanoTime();
        Thread.sleep(3_000); // the authenticator's absence itself, not a wait for something to happen
        assertThat(outcome.isDone()).as("still waiting after %d ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isFalse();
        slot.bind(ALICE);
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(SipAuthenticator.Outcome.authenticated("alice"));
        assertThat(exchange.responses).isEmpty();
    }

    @Test
    void whenNoneComesBackInTimeTheRequestGets503WithRetryAfterAndIsRefused() throws Exception {
        AuthenticatorSlot slot = new AuthenticatorSlot(() -> FakeExchange.MESSAGES, Duration.ofMillis(200), 4);
        FakeExchange exchange = subscribe();
        long start = System.nanoTime();
        assertThat(slot.authenticate(exchange).proceed()).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(exchange.responses).hasSize(1);
        Response r = exchange.responses.get(0);
        assertThat(r.getStatusCode()).isEqualTo(503);
        assertThat(r.getReasonPhrase()).isEqualTo(AuthenticatorSlot.REASON).isEqualTo("Authentication Unavailable");
        assertThat(((RetryAfterHeader) r.getHeader(RetryAfterHeader.NAME)).getRetryAfter()).isEqualTo(AuthenticatorSlot.RETRY_AFTER_SECONDS);
        // owns fails closed too
        assertThat(slot.owns("alice", "sip:alice@screamrouter.local")).isFalse();
    }

    @Test
    void closingTheSlotSendsAWaitingRequestBackToTheStackUnanswered() throws Exception {
        // a stack update takes the authenticator and its consumers down together: the consumer's deactivation closes
        // the slot, and what waited is held by the stack for the next revision instead of getting the 503 (hotswap-bench)
        AuthenticatorSlot slot = new AuthenticatorSlot(() -> FakeExchange.MESSAGES, Duration.ofSeconds(30), 4);
        FakeExchange exchange = subscribe();
        Future<SipAuthenticator.Outcome> outcome = threads.submit(() -> slot.authenticate(exchange));
        awaitWaiting(slot, 1);
        assertThat(slot.waiting()).isEqualTo(1);
        slot.close();
        assertThatThrownBy(() -> outcome.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(HandlerClosedException.class);
        assertThatThrownBy(() -> slot.authenticate(subscribe())).as("a later request too").isInstanceOf(HandlerClosedException.class);
        assertThat(exchange.responses).as("nothing answered: the stack holds it").isEmpty();
        slot.bind(ALICE);
        assertThat(slot.authenticate(subscribe())).as("with the authenticator there, closing changes nothing")
                .isEqualTo(SipAuthenticator.Outcome.authenticated("alice"));
    }

    @Test
    void releasingTheWaitersSendsThemBackToTheStackAndLaterRequestsWaitAsBefore() throws Exception {
        // a refresh of an API bundle stops auth and the registrar in no fixed order: the stack, removing the registrar's
        // handler, waited up to 5 s for requests that were waiting here for the authenticator (hotswap-bench: 491 REGISTERs
        // answered 503 past the stack's wait). The handler's leaving() releases them: the stack holds them instead.
        AuthenticatorSlot slot = new AuthenticatorSlot(() -> FakeExchange.MESSAGES, Duration.ofSeconds(30), 4);
        FakeExchange exchange = subscribe();
        Future<SipAuthenticator.Outcome> outcome = threads.submit(() -> slot.authenticate(exchange));
        awaitWaiting(slot, 1);
        assertThat(slot.waiting()).isEqualTo(1);
        long start = System.nanoTime();
        slot.releaseWaiters();
        assertThatThrownBy(() -> outcome.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(HandlerClosedException.class);
        assertThat(System.nanoTime() - start).as("released at once, not after the wait").isLessThan(TimeUnit.SECONDS.toNanos(2));
        assertThat(exchange.responses).as("nothing answered: the stack holds it").isEmpty();

        FakeExchange later = subscribe();
        Future<SipAuthenticator.Outcome> next = threads.submit(() -> slot.authenticate(later));
        awaitWaiting(slot, 1);
        assertThat(slot.waiting()).as("a later request waits as before").isEqualTo(1);
        slot.bind(ALICE);
        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo(SipAuthenticator.Outcome.authenticated("alice"));
    }

    @Test
    void pastTheBoundOfWaitersARequestGetsThe503AtOnce() throws Exception {
        AuthenticatorSlot slot = new AuthenticatorSlot(() -> FakeExchange.MESSAGES, Duration.ofSeconds(30), 2);
        List<Future<SipAuthenticator.Outcome>> waiting = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            FakeExchange e = subscribe();
            waiting.add(threads.submit(() -> slot.authenticate(e)));
        }
        awaitWaiting(slot, 2);
        assertThat(slot.waiting()).isEqualTo(2);
        FakeExchange third = subscribe();
        long start = System.nanoTime();
        assertThat(slot.authenticate(third).proceed()).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(third.responses).extracting(Response::getStatusCode).containsExactly(503);
        // the two within the bound still get through once it is back
        slot.bind(ALICE);
        for (Future<SipAuthenticator.Outcome> f : waiting) {
            assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo(SipAuthenticator.Outcome.authenticated("alice"));
        }
    }

    @Test
    void unbindingAReplacedAuthenticatorKeepsTheNewOne() {
        AuthenticatorSlot slot = new AuthenticatorSlot(() -> FakeExchange.MESSAGES, Duration.ofMillis(1), 1);
        SipAuthenticator next = new SipAuthenticator() {
            @Override public Outcome authenticate(SipExchange exchange) { return Outcome.open(); }
            @Override public boolean owns(String user, String aor) { return true; }
        };
        slot.bind(ALICE);
        slot.bind(next); // a new revision bound before the old one is unbound (greedy)
        slot.unbind(ALICE);
        assertThat(slot.present()).isTrue();
        assertThat(slot.await()).isEqualTo(Optional.of(next));
    }

    /** Waits (5 s at most) until this many requests wait in the slot. */
    private static void awaitWaiting(AuthenticatorSlot slot, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (slot.waiting() < n && System.nanoTime() < deadline) Thread.onSpinWait();
    }
}
