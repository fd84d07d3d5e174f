package org.screamrouter.sip.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.registrar.DeviceEvents;

/**
 * Issue 15: writes are coalesced under any load. Many changes within the window are one write, a change after it is
 * another, a write that took long holds the next one back ({@link ConfigurationManagerComponent#BUSY_FACTOR}), and
 * deactivation writes the last state of every device. Real files, the component's own thread; waits have deadlines.
 */
class ConfigWritePacingTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final ConfigurationManagerComponent manager = new ConfigurationManagerComponent();
    private boolean stopped;

    /** One write as seen by the writer: when it started and ended ({@link System#nanoTime}) and what it wrote. */
    record Write(long start, long end, String content) {}

    /** The real atomic writer, which records each write and may take {@code extra} longer (a slow disk). */
    static final class TimedWriter implements ConfigFileWriter {
        final BlockingQueue<Write> writes = new LinkedBlockingQueue<>();
        private final AtomicFileWriter delegate = new AtomicFileWriter();
        private final Duration extra;

        TimedWriter(Duration extra) {
            this.extra = extra;
        }

        @Override
        public void write(Path target, String content) throws IOException {
            long start = System.nanoTime();
            delegate.write(target, content);
            if (target.getFileName().toString().equals("config.yaml") && !extra.isZero()) {
                long until = start + extra.toNanos();
                while (System.nanoTime() < until) {
                    java.util.concurrent.locks.LockSupport.parkNanos(until - System.nanoTime());
                }
            }
            if (target.getFileName().toString().equals("config.yaml")) {
                writes.add(new Write(start, System.nanoTime(), content));
            }
        }

        Write next() throws InterruptedException {
            Write w = writes.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(w).as("a write within " + DEADLINE).isNotNull();
            return w;
        }
    }

    @AfterEach
    void stop() {
        if (!stopped) {
            manager.deactivate();
        }
    }

    private Path start(Duration window, ConfigFileWriter writer) {
        Path file = dir.resolve("config.yaml");
        manager.start(file, window, Duration.ofMillis(50), writer, Clock.systemUTC());
        return file;
    }

    private static String uuid(int i) {
        return String.format("%08x-0000-4000-8000-000000000000", i);
    }

    private void online(int i, int port) {
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(uuid(i), port)));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> sinks(String text) {
        return (List<Map<String, Object>>) Fixtures.load(text).get("sinks");
    }

    @Test
    void manyChangesWithinTheWindowAreOneWriteAndAChangeAfterItIsAnother() throws Exception {
        TimedWriter writer = new TimedWriter(Duration.ZERO);
        start(Duration.ofSeconds(2), writer); // wide: the test thread may be descheduled on a loaded machine
        for (int i = 0; i < 500; i++) {
            online(i, 5000 + i);
        }
        Write first = writer.next();
        Fixtures.await("nothing pending", DEADLINE, () -> manager.status().pendingDevices() == 0);
        assertThat(sinks(first.content())).hasSize(500);
        assertThat(writer.writes).as("one write for the 500").isEmpty();

        online(500, 5500);
        Write second = writer.next();
        assertThat(sinks(second.content())).hasSize(501);
        assertThat(manager.status().writes()).isEqualTo(2);
    }

    @Test
    void aSlowWriteHoldsTheNextOneBackByThreeTimesItsCost() throws Exception {
        Duration slow = Duration.ofMillis(300);
        TimedWriter writer = new TimedWriter(slow);
        start(Duration.ofMillis(10), writer);
        online(0, 5000);
        Write first = writer.next();
        online(1, 5001); // right after: the window alone would write it 10 ms later
        Write second = writer.next();
        long gap = second.start() - first.end();
        assertThat(Duration.ofNanos(gap)).as("pause after a write that took %s", slow)
                .isGreaterThanOrEqualTo(slow.multipliedBy(ConfigurationManagerComponent.BUSY_FACTOR));
        assertThat(sinks(second.content())).hasSize(2);
    }

    @Test
    void underAStreamOfChangesThereAreAtMostFourWritesASecond() throws Exception {
        TimedWriter writer = new TimedWriter(Duration.ZERO);
        start(Duration.ZERO, writer); // no window at all: only the pacing holds writes back
        long start = System.nanoTime();
        int i = 0;
        while (writer.writes.size() < 6) { // 200 devices, each change a new port: about 2,000 changes a second
            online(i % 200, 5000 + i / 200 % 1000);
            i++;
            if (System.nanoTime() - start > DEADLINE.toNanos()) {
                throw new AssertionError("6 writes did not come within " + DEADLINE);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(500_000);
        }
        List<Write> writes = List.copyOf(writer.writes);
        for (int w = 1; w < writes.size(); w++) {
            assertThat(Duration.ofNanos(writes.get(w).start() - writes.get(w - 1).end()))
                    .isGreaterThanOrEqualTo(ConfigurationManagerComponent.MIN_GAP);
        }
    }

    @Test
    void deactivationWritesTheLastStateOfEveryDevice() throws Exception {
        TimedWriter writer = new TimedWriter(Duration.ZERO);
        Path file = start(Duration.ofHours(1), writer); // nothing would be written before deactivation
        for (int i = 0; i < 100; i++) {
            online(i, 5000 + i);
        }
        for (int i = 0; i < 100; i += 2) {
            online(i, 7000 + i); // the newest change of a device is what counts
        }
        manager.handleEvent(Fixtures.offlineEvent(uuid(99)));
        assertThat(writer.writes).isEmpty();
        manager.deactivate();
        stopped = true;

        assertThat(writer.writes).hasSize(1);
        List<Map<String, Object>> sinks = sinks(Files.readString(file));
        assertThat(sinks).hasSize(100);
        for (int i = 0; i < 100; i++) {
            assertThat(sinks.get(i)).containsEntry("port", i % 2 == 0 ? 7000 + i : 5000 + i).containsEntry("enabled", i != 99);
        }
    }
}
