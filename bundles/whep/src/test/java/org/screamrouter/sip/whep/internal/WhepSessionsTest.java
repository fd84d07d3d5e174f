package org.screamrouter.sip.whep.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WhepSessionsTest {
    private final WhepSessions sessions = new WhepSessions();

    private WhepSessions.Session open(String sink, String client, long now) {
        return (WhepSessions.Session) sessions.open(sink, client, 3, 2, now);
    }

    @Test
    void sessionsAreCappedInTotalAndPerClient() {
        open("kitchen", "10.0.0.1", 0);
        open("kitchen", "10.0.0.1", 0);
        assertThat(sessions.open("kitchen", "10.0.0.1", 3, 2, 0)).isEqualTo(WhepSessions.Refusal.TOO_MANY_FROM_CLIENT);
        open("kitchen", "10.0.0.2", 0);
        assertThat(sessions.open("kitchen", "10.0.0.3", 3, 2, 0)).isEqualTo(WhepSessions.Refusal.TOO_MANY);
        assertThat(sessions.size()).isEqualTo(3);
    }

    @Test
    void aSessionIsFoundOnlyUnderItsOwnSink() {
        WhepSessions.Session s = open("kitchen", "10.0.0.1", 0);
        assertThat(sessions.touch("garage", s.listenerId, 1)).isEmpty();
        assertThat(sessions.remove("garage", s.listenerId)).isEmpty();
        assertThat(sessions.touch("kitchen", s.listenerId, 1)).contains(s);
        assertThat(sessions.remove("kitchen", s.listenerId)).contains(s);
        assertThat(sessions.touch("kitchen", s.listenerId, 2)).isEmpty();
    }

    @Test
    void silentSessionsExpireAndLifeKeepsThem() {
        long second = TimeUnit.SECONDS.toNanos(1);
        WhepSessions.Session quiet = open("kitchen", "10.0.0.1", 0);
        WhepSessions.Session alive = open("kitchen", "10.0.0.2", 0);
        sessions.touch("kitchen", alive.listenerId, 10 * second);
        assertThat(sessions.expire(16 * second, 15 * second)).containsExactly(quiet);
        assertThat(sessions.all()).containsExactly(alive);
    }

    @Test
    void candidatesAreKeptUntilFetchedAndBounded() {
        WhepSessions.Session s = open("kitchen", "10.0.0.1", 0);
        for (int i = 0; i < WhepSessions.MAX_PENDING_CANDIDATES; i++) {
            assertThat(sessions.offer(s.listenerId, new WhepSessions.Candidate("candidate:" + i, "0"))).isTrue();
        }
        assertThat(sessions.offer(s.listenerId, new WhepSessions.Candidate("candidate:x", "0"))).isFalse();
        assertThat(sessions.drain(s)).hasSize(WhepSessions.MAX_PENDING_CANDIDATES);
        assertThat(sessions.drain(s)).isEmpty();
        assertThat(sessions.offer("no-such", new WhepSessions.Candidate("candidate:y", "0"))).isFalse();
    }
}
