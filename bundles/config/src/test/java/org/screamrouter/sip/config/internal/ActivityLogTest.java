package org.screamrouter.sip.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Issue 15: per-device lines under load, the first few of an interval at INFO, then one summary line. */
class ActivityLogTest {

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void theFirstFewAreLoggedOneByOneAndTheIntervalIsSummedUp() {
        MovingClock clock = new MovingClock();
        ActivityLog log = new ActivityLog(LoggerFactory.getLogger(ActivityLogTest.class), "config.yaml devices", Duration.ofSeconds(10), 3, clock);
        int info = 0;
        for (int i = 0; i < 1234; i++) {
            info += log.record("added", "device {} added", i) ? 1 : 0;
        }
        for (int i = 0; i < 5; i++) {
            info += log.record("removed", "device {} removed", i) ? 1 : 0;
        }
        assertThat(info).isEqualTo(3);
        clock.advance(Duration.ofSeconds(9));
        assertThat(log.summarize()).as("the interval is not over").isNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(log.summarize()).isEqualTo("config.yaml devices: 1,234 added, 5 removed in the last 10 s "
                + "(3 logged one by one, the rest at DEBUG)");

        // a new interval: its first few at INFO again; a quiet one says nothing
        assertThat(log.record("added", "device {} added", "x")).isTrue();
        clock.advance(Duration.ofSeconds(10));
        assertThat(log.summarize()).as("all of them were logged one by one").isNull();
        clock.advance(Duration.ofSeconds(10));
        assertThat(log.summarize()).isNull();
        log.record("added", "a", 1);
        log.record("added", "b", 2);
        log.record("added", "c", 3);
        log.record("added", "d", 4);
        assertThat(log.summarize(true)).as("at once when the owner stops").startsWith("config.yaml devices: 4 added in the last");
    }
}
