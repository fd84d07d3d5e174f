package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class OccasionalWarningTest {
    private final List<List<Object>> lines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    /** A logger that keeps what {@code warn(String, Object...)} was given (the collaborator, not the thing under test). */
    private Logger recording() {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class}, (proxy, method, args) -> {
            if (method.getName().equals("warn") && args.length == 2 && args[1] instanceof Object[] values) {
                List<Object> line = new ArrayList<>(List.of(args[0]));
                line.addAll(Arrays.asList(values));
                lines.add(line);
            }
            return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
        });
    }

    @Test
    void oneLineAnIntervalCarryingHowManyTimesItHappened() {
        OccasionalWarning warning = new OccasionalWarning(recording(), Duration.ofSeconds(1), "503 to {}: {} ({} since)", now::get);
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
