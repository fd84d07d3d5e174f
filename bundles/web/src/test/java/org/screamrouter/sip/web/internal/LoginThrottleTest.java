package org.screamrouter.sip.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    private LoginThrottle throttle;

    @BeforeEach
    void limits() {
        throttle = new LoginThrottle(clock::get, 8);
        throttle.limits(5, Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    /** A login that fails. */
    private LoginThrottle.Lockout fail(String address, String user) {
        LoginThrottle.Permit permit = throttle.begin(address, user).permit();
        assertThat(permit).as("let in").isNotNull();
        return throttle.failed(permit);
    }

    private void succeed(String address, String user) {
        throttle.succeeded(throttle.begin(address, user).permit());
    }

    /** 0 when a login may go ahead (and then ends it without counting), else the wait. */
    private long retryAfter(String address, String user) {
        LoginThrottle.Admission a = throttle.begin(address, user);
        if (a.permit() != null) {
            throttle.released(a.permit());
            return 0;
        }
        assertThat(a.lockedOut()).isTrue();
        return a.retryAfterS();
    }

    private void advance(long seconds) {
        clock.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    @Test
    void theFifthFailureWithinTheWindowLocksTheAddressAndTheUserOnce() {
        for (int i = 0; i < 4; i++) {
            assertThat(fail("10.0.0.1", "admin").started()).isEmpty();
            assertThat(retryAfter("10.0.0.1", "admin")).isZero();
        }
        assertThat(fail("10.0.0.1", "admin").started()).containsExactly("address 10.0.0.1", "user admin");
        assertThat(retryAfter("10.0.0.1", "admin")).isEqualTo(60);
        assertThat(retryAfter("10.0.0.2", "admin")).as("the user from elsewhere").isEqualTo(60);
        assertThat(retryAfter("10.0.0.1", "other")).as("another user from the address").isEqualTo(60);
        assertThat(retryAfter("10.0.0.2", "other")).isZero();
        assertThat(throttle.begin("10.0.0.1", "admin").permit()).as("refused during the lockout, not counted").isNull();
        advance(59);
        assertThat(retryAfter("10.0.0.1", "admin")).isEqualTo(1);
        clock.addAndGet(999_999_999L);
        assertThat(retryAfter("10.0.0.1", "admin")).as("rounded up").isEqualTo(1);
        clock.addAndGet(1);
        assertThat(retryAfter("10.0.0.1", "admin")).isZero();
        // a fresh count after the lockout
        for (int i = 0; i < 4; i++) {
            assertThat(fail("10.0.0.1", "admin").started()).isEmpty();
        }
    }

    @Test
    void theWindowSlides() {
        for (int i = 0; i < 4; i++) {
            fail("10.0.0.1", "u" + i);
            advance(20);
        }
        // the failures at 0 and 20 s have left the window: 2 in it, plus this one
        assertThat(fail("10.0.0.1", "x").started()).isEmpty();
        assertThat(fail("10.0.0.1", "y").started()).isEmpty();
        assertThat(fail("10.0.0.1", "z").started()).containsExactly("address 10.0.0.1");
    }

    @Test
    void aUserGuessedFromManyAddressesIsLocked() {
        for (int i = 1; i <= 4; i++) {
            assertThat(fail("10.0.0." + i, "admin").started()).isEmpty();
        }
        assertThat(fail("10.0.0.5", "admin").started()).containsExactly("user admin");
        assertThat(retryAfter("10.0.0.9", "admin")).isEqualTo(60);
    }

    @Test
    void aSuccessClearsTheCountsOfItsAddressAndUser() {
        for (int i = 0; i < 4; i++) {
            fail("10.0.0.1", "admin");
        }
        succeed("10.0.0.1", "admin");
        for (int i = 0; i < 4; i++) {
            assertThat(fail("10.0.0.1", "admin").started()).isEmpty();
        }
        assertThat(retryAfter("10.0.0.1", "admin")).isZero();
    }

    @Test
    void rotatingNamesAndAddressesKeepsTheMapAtItsCapAndEvictsTheOldest() {
        for (int i = 0; i < 5; i++) {
            fail("10.0.0.1", "admin");
        }
        assertThat(retryAfter("10.0.0.1", "admin")).isEqualTo(60);
        for (int i = 0; i < 1000; i++) {
            fail("10.1." + (i / 256) + "." + (i % 256), "name" + i);
            assertThat(throttle.tracked()).isLessThanOrEqualTo(8);
        }
        // the cap (8 here, 4096 in use) is what it costs to push a lockout out
        assertThat(retryAfter("10.0.0.1", "admin")).isZero();
    }

    @Test
    void entriesWithNothingLeftToCountGoFirst() {
        for (int i = 0; i < 5; i++) {
            fail("10.0.0.1", "admin"); // locked: 2 entries
        }
        advance(1);
        fail("10.0.0.2", "old"); // 4 entries, counting for 60 s
        advance(61);
        // 10.0.0.2/old have left their window; admin's lockout is over too: a new attacker's entries push them out first
        fail("10.0.0.3", "a");
        fail("10.0.0.4", "b");
        assertThat(throttle.tracked()).isEqualTo(8);
        fail("10.0.0.5", "c");
        assertThat(throttle.tracked()).as("the 4 ended entries went at once").isEqualTo(6);
    }

    @Test
    void loginsInProgressCountSoParallelGuessesGetNoMore() {
        List<LoginThrottle.Permit> inProgress = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inProgress.add(throttle.begin("10.0.0.1", "admin").permit());
        }
        assertThat(inProgress).doesNotContainNull();
        LoginThrottle.Admission sixth = throttle.begin("10.0.0.1", "admin");
        assertThat(sixth.permit()).isNull();
        assertThat(sixth.lockedOut()).isFalse();
        assertThat(sixth.retryAfterS()).isEqualTo(1);
        assertThat(throttle.begin("10.0.0.2", "admin").permit()).as("the user is busy too").isNull();
        throttle.released(inProgress.get(0));
        throttle.released(inProgress.get(0));
        assertThat(throttle.begin("10.0.0.1", "other").permit()).as("a released one frees its place, once").isNotNull();
        for (LoginThrottle.Permit p : inProgress.subList(1, 5)) {
            throttle.failed(p);
            throttle.released(p); // after failed: nothing more
        }
        assertThat(fail("10.0.0.3", "admin").started()).as("4 failures + this one").containsExactly("user admin");
    }
}
