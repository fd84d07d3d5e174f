package org.screamrouter.sip.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.screamrouter.sip.config.internal.ConfigIndexTest.sink;
import static org.screamrouter.sip.config.internal.ConfigIndexTest.uuid;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, memory per ScreamRouter device: config.yaml's in-memory document kept a SnakeYAML node tree, a snapshot
 * map and the text of every entry, and the whole file's last text (about 4.5 KB a device). It now keeps each entry's
 * text and index keys, parses an entry only while a change works on it or a view reads it, and a hash of the file.
 */
class ConfigMemoryTest {
    private static final int DEVICES = 20_000;

    @TempDir
    Path dir;

    /**
     * What the bundle keeps per device: the file's document, its views and id map, and the newest change of every
     * device (the component keeps it for ScreamRouter's API; its owned fields were a LinkedHashMap each).
     */
    @Test
    void theConfigFileOf20000DevicesAndTheirNewestChangesRetainLessThan1500BytesADevice() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(memory);
        ConfigFile file = new ConfigFile(dir.resolve("config.yaml"), new AtomicFileWriter(),
                Clock.offset(Clock.systemUTC(), ConfigFile.SETTLE.multipliedBy(4)));
        List<PendingChange> known = new ArrayList<>();
        for (int from = 0; from < DEVICES; from += 1000) {
            List<PendingChange> batch = new ArrayList<>();
            for (int i = from; i < from + 1000; i++) {
                batch.add(sink(i, 5000 + i % 1000, true));
            }
            assertThat(file.apply(batch)).as("error: %s", file.error()).isEqualTo(ConfigFile.Outcome.DONE);
            known.addAll(batch);
        }
        // what the views hand out is still there (and reading them keeps nothing)
        assertThat(file.entries()).hasSize(DEVICES);
        assertThat(file.entries().get(uuid(7))).containsEntry("port", 5007).containsEntry("uuid", uuid(7));
        assertThat(file.sinks()).hasSize(DEVICES);
        assertThat(file.sinks().get(DEVICES - 1)).containsEntry("ip", "10.0.78.31");
        long after = usedAfterGc(memory);
        long perDevice = (after - before) / DEVICES;
        Reference.reachabilityFence(file);
        Reference.reachabilityFence(known);
        System.out.printf("config.yaml of %d devices: %d bytes retained per device%n", DEVICES, perDevice);
        assertThat(perDevice).as("bytes retained per device (3,746 before this change)").isLessThan(1500);
    }

    @Test
    void noEntryIsKeptAsANodeTreeBetweenChangesAndReadingItBackGivesTheSameFile() throws Exception {
        DeviceIds ids = new DeviceIds(dir.resolve("config.sip-devices"), new AtomicFileWriter());
        ConfigDocument doc = ConfigDocument.parse("");
        for (int i = 0; i < 200; i++) {
            doc.apply(sink(i, 5000 + i, true), ids);
        }
        assertThat(doc.entriesHeldAsNodes()).isZero();
        doc.apply(sink(3, 6003, false), ids);
        doc.apply(PendingChange.removal(uuid(4)), ids);
        doc.apply(PendingChange.offline(uuid(5)), ids);
        assertThat(doc.entriesHeldAsNodes()).isZero();
        assertThat(doc.dump()).isEqualTo(doc.dumpWhole());
        Map<String, Object> three = doc.entriesByUuid(ids).get(uuid(3));
        assertThat(three).containsEntry("port", 6003).containsEntry("enabled", false);
        assertThat(doc.entriesHeldAsNodes()).as("reading a view parses a copy").isZero();

        // ScreamRouter's own file: pickled models, an anchor shared by two routes (not by entries)
        String pickled = new String(getClass().getResourceAsStream("/screamrouter/screamrouter-config.yaml").readAllBytes(),
                StandardCharsets.UTF_8);
        ConfigDocument own = ConfigDocument.parse(pickled);
        assertThat(own.entriesHeldAsNodes()).isZero();
        own.apply(sink(1, 5001, true), ids);
        assertThat(own.entriesHeldAsNodes()).isZero();
        assertThat(own.dump()).isEqualTo(own.dumpWhole());

        // an entry that shares a node with another place is kept as nodes, and written with its anchor
        String anchored = """
                sinks:
                - name: a
                  equalizer: &eq {b1: 1.0}
                - name: b
                  port: 4010
                routes:
                - name: r
                  equalizer: *eq
                """;
        ConfigDocument withAnchor = ConfigDocument.parse(anchored);
        assertThat(withAnchor.entriesHeldAsNodes()).isEqualTo(1);
        withAnchor.apply(sink(9, 5009, true), ids);
        assertThat(withAnchor.dump()).isEqualTo(withAnchor.dumpWhole()).contains("&eq", "*eq", "name: b");
        Files.writeString(dir.resolve("anchored.yaml"), withAnchor.dump());
        assertThat(Fixtures.load(withAnchor.dump())).containsKey("routes");
    }

    /** The heap in use after full collections, once two in a row agree within 1 MB. */
    private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(last - used) < 1024 * 1024) {
                return used;
            }
            last = used;
            Thread.sleep(50);
        }
        return last;
    }
}
