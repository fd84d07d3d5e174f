package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OccasionalWarningTest {
    private final RecordingLogger log = new RecordingLogger();
    private final List<List<Object>> lines = log.lines;
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void oneLineAnIntervalCarryingHowManyTimesItHappened() {
        OccasionalWarning warning = new OccasionalWarning(log.logger(), Duration.ofSeconds(1), "503 to {}: {} ({} since)", now::get);
        warning.log("REGISTER", "away");
        for (int i = 0; i < 499; i++) {
            now.addAndGet(1_000_000L); // 1 ms each: 499 ms in all
            warning.log("REGISTER", "away");
        }
        assertThat(lines).containsExactly(List.of("503 to {}: {} ({} since)", "REGISTER", "away", 1));
        now.addAndGet(600_000_000L);
        warning.log("OPTIONS", "gone");
        assertThat(lines).hasSize(2);
        // the 499 of the first second that had no line of their own, and this one
        assertThat(lines.get(1)).containsExactly("503 to {}: {} ({} since)", "OPTIONS", "gone", 500);
    }
}
