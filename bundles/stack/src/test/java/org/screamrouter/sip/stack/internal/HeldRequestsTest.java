package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeldRequestsTest {
    private static final long WAIT = 1_000;
    private final HeldRequests held = new HeldRequests(WAIT);
    private final List<String> log = new ArrayList<>();

    private HeldRequests.Held recording(String name) {
        return new HeldRequests.Held() {
            @Override public void resume() { log.add("resume " + name); }
            @Override public void expire() { log.add("expire " + name); }
        };
    }

    @Test
    void aMethodNeverServedIsNotHeldAndOneThatLeftIsHeldUntilTheWaitRunsOut() {
        assertThat(held.hold("REGISTER", "k1", recording("a"), 0)).isEqualTo(HeldRequests.Outcome.NOT_AWAY);
        held.served(Set.of("REGISTER", "OPTIONS"), Set.of("OPTIONS"), 100);
        assertThat(held.away("REGISTER")).isTrue();
        assertThat(held.away("OPTIONS")).isFalse();
        assertThat(held.hold("REGISTER", "k1", recording("a"), 200)).isEqualTo(HeldRequests.Outcome.HELD);
        assertThat(held.hold("REGISTER", "k1", recording("a again"), 300)).isEqualTo(HeldRequests.Outcome.RETRANSMISSION);
        assertThat(held.expired(100 + WAIT - 1)).isEmpty();
        held.expired(100 + WAIT).forEach(HeldRequests.Held::expire);
        assertThat(log).containsExactly("expire a");
        // still away, but past the wait: refused at once (the dispatcher answers 503)
        assertThat(held.hold("REGISTER", "k2", recording("b"), 100 + WAIT)).isEqualTo(HeldRequests.Outcome.REFUSED);
        assertThat(held.away("REGISTER")).isTrue();
        assertThat(held.size()).isZero();
    }

    @Test
    void heldRequestsResumeInOrderWhenTheirMethodIsServedAgain() {
        held.served(Set.of("REGISTER", "SUBSCRIBE"), Set.of(), 0);
        held.hold("REGISTER", "r1", recording("r1"), 1);
        held.hold("SUBSCRIBE", "s1", recording("s1"), 2);
        held.hold("REGISTER", "r2", recording("r2"), 3);
        held.served(Set.of(), Set.of("REGISTER"), 4);
        held.returned("REGISTER"::equals).forEach(HeldRequests.Held::resume);
        assertThat(log).containsExactly("resume r1", "resume r2");
        assertThat(held.away("REGISTER")).isFalse();
        assertThat(held.size()).isEqualTo(1);
        // the key of a resumed request is free again
        held.served(Set.of("REGISTER"), Set.of(), 5);
        assertThat(held.hold("REGISTER", "r1", recording("r1 later"), 6)).isEqualTo(HeldRequests.Outcome.HELD);
    }

    /**
     * The sweep of expired requests runs on the stack's timer; a handler comes back on a DS thread, which first marks its
     * method served, then takes the held requests out to resume them. A sweep between the two found the method not
     * away and took its requests as expired: 348 REGISTERs answered 503 in one stack update under load
     * (bench/hotswap-bench.sh), 9 ms after the registrar's handler was back.
     */
    @Test
    void aSweepBetweenAHandlersReturnAndTheResumeLeavesItsRequestsToTheResume() {
        held.served(Set.of("REGISTER"), Set.of(), 0);
        held.hold("REGISTER", "r1", recording("r1"), 1);
        held.served(Set.of(), Set.of("REGISTER"), 2); // the handler is back
        held.expired(2 + WAIT).forEach(HeldRequests.Held::expire); // the timer's sweep, before the resume
        held.returned("REGISTER"::equals).forEach(HeldRequests.Held::resume);
        assertThat(log).containsExactly("resume r1");
        assertThat(held.size()).isZero();
    }

    @Test
    void aReturnedRequestCountsAsResumingUntilItWasHandedOver() {
        held.served(Set.of("REGISTER"), Set.of(), 0);
        held.hold("REGISTER", "r1", recording("r1"), 1);
        assertThat(held.resuming("r1")).as("held, not yet returned").isFalse();
        held.served(Set.of(), Set.of("REGISTER"), 2);
        assertThat(held.returned("REGISTER"::equals)).hasSize(1);
        assertThat(held.resuming("r1")).as("returned: a copy arriving now is dropped").isTrue();
        assertThat(held.resuming(null)).isFalse();
        held.resumed("r1");
        assertThat(held.resuming("r1")).as("handed over: the response cache answers copies from now on").isFalse();
        // an expired request is answered at once (503): nothing resumes
        held.served(Set.of("REGISTER"), Set.of(), 3);
        held.hold("REGISTER", "r2", recording("r2"), 4);
        held.expired(3 + WAIT).forEach(HeldRequests.Held::expire);
        assertThat(held.resuming("r2")).isFalse();
    }

    @Test
    void theNumberHeldIsBounded() {
        held.served(Set.of("REGISTER"), Set.of(), 0);
        for (int i = 0; i < HeldRequests.MAX_HELD; i++) {
            assertThat(held.hold("REGISTER", "k" + i, recording("x"), 1)).isEqualTo(HeldRequests.Outcome.HELD);
        }
        assertThat(held.hold("REGISTER", "one more", recording("x"), 1)).isEqualTo(HeldRequests.Outcome.REFUSED);
        assertThat(held.size()).isEqualTo(HeldRequests.MAX_HELD);
    }

    /**
     * A refresh of an API bundle: the dispatcher saw REGISTER away with no handler, and the registrar's handler came
     * back before the request was held. Refused as "away past the wait" before (one 503 in HotSwapUnderLoadIT); now
     * NOT_AWAY, and the dispatcher gives it to the handler that is back.
     */
    @Test
    void aMethodWhoseHandlerCameBackBeforeTheHoldIsNotAwayAndNotRefused() {
        held.served(Set.of("REGISTER"), Set.of(), 100);
        assertThat(held.away("REGISTER")).isTrue(); // what the dispatcher saw
        held.served(Set.of(), Set.of("REGISTER"), 150); // the handler is back
        assertThat(held.hold("REGISTER", "k1", recording("a"), 160)).isEqualTo(HeldRequests.Outcome.NOT_AWAY);
        assertThat(held.size()).isZero();
    }
}
