package org.screamrouter.sip.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionsTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Sessions sessions = new Sessions(new SecureRandom(), clock::get, Duration.ofSeconds(60), 3);

    @Test
    void aSessionHasARandom128BitIdAndItsOwnCsrfToken() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            Sessions.Session s = sessions.create("alice").orElseThrow();
            assertThat(s.id).matches("[0-9a-f]{32}");
            assertThat(s.csrf).matches("[0-9a-f]{32}").isNotEqualTo(s.id);
            assertThat(seen.add(s.id)).isTrue();
            assertThat(seen.add(s.csrf)).isTrue();
            assertThat(s.user).isEqualTo("alice");
        }
    }

    @Test
    void theCsrfTokenMatchesOnlyItself() {
        Sessions.Session s = sessions.create("alice").orElseThrow();
        assertThat(s.csrfMatches(s.csrf)).isTrue();
        assertThat(s.csrfMatches(null)).isFalse();
        assertThat(s.csrfMatches("")).isFalse();
        assertThat(s.csrfMatches(s.id)).isFalse();
        assertThat(s.csrfMatches(s.csrf.substring(1))).isFalse();
    }

    @Test
    void anIdleSessionEndsAndAUsedOneLives() {
        Sessions.Session used = sessions.create("alice").orElseThrow();
        Sessions.Session idle = sessions.create("bob").orElseThrow();
        clock.addAndGet(Duration.ofSeconds(50).toNanos());
        assertThat(sessions.find(used.id)).contains(used);
        clock.addAndGet(Duration.ofSeconds(20).toNanos());
        assertThat(sessions.find(idle.id)).as("70 s unused").isEmpty();
        assertThat(sessions.find(used.id)).as("20 s since its last use").contains(used);
        assertThat(sessions.size()).isEqualTo(1);
    }

    @Test
    void peekingDoesNotKeepASessionAlive() {
        Sessions.Session s = sessions.create("alice").orElseThrow();
        clock.addAndGet(Duration.ofSeconds(50).toNanos());
        assertThat(sessions.peek(s.id)).contains(s);
        clock.addAndGet(Duration.ofSeconds(20).toNanos());
        assertThat(sessions.peek(s.id)).isEmpty();
    }

    @Test
    void atMostMaxSessionsAndAnExpiredOneMakesRoom() {
        for (int i = 0; i < 3; i++) {
            assertThat(sessions.create("u" + i)).isPresent();
        }
        assertThat(sessions.create("u3")).isEmpty();
        clock.addAndGet(Duration.ofSeconds(61).toNanos());
        assertThat(sessions.create("u3")).isPresent();
        assertThat(sessions.size()).isEqualTo(1);
    }

    @Test
    void logoutEndsTheSessionAndUnknownIdsAreNothing() {
        Sessions.Session s = sessions.create("alice").orElseThrow();
        assertThat(sessions.remove(s.id)).isTrue();
        assertThat(sessions.remove(s.id)).isFalse();
        assertThat(sessions.find(s.id)).isEmpty();
        assertThat(sessions.find(null)).isEmpty();
        assertThat(sessions.find("0123")).isEmpty();
    }

    @Test
    void newLimitsApplyToLiveSessions() {
        Sessions.Session s = sessions.create("alice").orElseThrow();
        clock.addAndGet(Duration.ofSeconds(20).toNanos());
        sessions.limits(Duration.ofSeconds(10), 3);
        assertThat(sessions.find(s.id)).isEmpty();
    }
}
