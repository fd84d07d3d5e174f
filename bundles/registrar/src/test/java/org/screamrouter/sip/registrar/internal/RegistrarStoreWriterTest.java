package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.screamrouter.sip.registrar.internal.RegistrarStoreFileTest.binding;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.registrar.Binding;

/**
 * The store's writer: writes are queued, newest per key, appended to a log by its own thread and merged into the maps
 * in bulk, at a load and at close (a bundle update, a stop), so a refresh costs no page read or page write of the maps
 * (docs/performance.md, "The store's log").
 */
class RegistrarStoreWriterTest {
    @TempDir
    Path dir;

    private static Binding refreshed(Binding b, int cseq) {
        return new Binding(b.addressOfRecord(), b.contactUri(), b.contactHeader(), b.transport(), b.source(),
                b.expires().plusSeconds(cseq), b.q(), b.callId(), cseq, b.path(), b.registeredAt());
    }

    private static byte[] onDisk(Path file, Binding b) {
        MVStore reader = new MVStore.Builder().fileName(file.toString()).readOnly().open();
        try {
            return reader.<String, byte[]>openMap("bindings").get(RegistrarStore.key(b));
        } finally {
            reader.close();
        }
    }

    /** The sequence numbers of the log's entries (one per pass of the writer) in a store file. */
    private static List<Object> logOnDisk(Path file) {
        MVStore reader = new MVStore.Builder().fileName(file.toString()).readOnly().open();
        try {
            return List.copyOf(reader.openMap("log").keySet());
        } finally {
            reader.close();
        }
    }

    /** A copy of a store file taken while its store runs, as a crash would leave it, once its log is {@code passes}. */
    private static Path crashImageWithALog(Path file, Path copy, List<Object> passes) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
            if (logOnDisk(copy).equals(passes)) return copy;
            if (System.nanoTime() - deadline > 0) throw new AssertionError("no log of passes " + passes + " committed to the file within 10 s");
            Thread.sleep(50);
        }
    }

    @Test
    void refreshesOfOneBindingAreQueuedAsOneWriteAndTheNewestReachesTheFile() {
        Path file = dir.resolve("registrar.mv");
        Binding first = binding("sip:dev1@127.0.0.1");
        try (RegistrarStore store = new RegistrarStore(file)) {
            for (int cseq = 2; cseq <= 1_000; cseq++) store.put(refreshed(first, cseq));
            assertThat(store.pending()).as("a thousand refreshes of one binding wait as one write").isLessThanOrEqualTo(1);
        }
        try (RegistrarStore again = new RegistrarStore(file)) {
            assertThat(again.loadBindings()).extracting(Binding::cseq).containsExactly(1_000L);
        }
    }

    @Test
    void theWriterAppliesTheQueueOnItsOwnWithinItsDelay() throws InterruptedException {
        Path file = dir.resolve("registrar.mv");
        try (RegistrarStore store = new RegistrarStore(file)) {
            for (int i = 0; i < 500; i++) store.put(binding("sip:dev" + i + "@127.0.0.1"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (store.pending() > 0 && System.nanoTime() - deadline < 0) Thread.sleep(20);
            assertThat(store.pending()).as("queued writes applied by the writer thread").isZero();
        }
    }

    @Test
    void aRemovalAfterAPutLeavesNothingAndAPutAfterARemovalStays() {
        Path file = dir.resolve("registrar.mv");
        Binding gone = binding("sip:gone@127.0.0.1");
        Binding back = binding("sip:back@127.0.0.1");
        try (RegistrarStore store = new RegistrarStore(file)) {
            store.put(gone);
            store.put(back);
            store.flush();
            store.remove(gone);
            store.remove(back);
            store.put(back);
        }
        assertThat(onDisk(file, gone)).isNull();
        assertThat(onDisk(file, back)).isNotNull();
        try (RegistrarStore again = new RegistrarStore(file)) {
            assertThat(again.loadBindings()).extracting(Binding::addressOfRecord).containsExactly("sip:back@127.0.0.1");
        }
    }

    @Test
    void devicesAreQueuedAndRemovedTheSameWay() {
        Path file = dir.resolve("registrar.mv");
        Instant t = Instant.parse("2026-12-06T08:00:00Z");
        try (RegistrarStore store = new RegistrarStore(file)) {
            for (int i = 0; i < 3; i++) {
                store.put(new RegistrarStore.StoredDevice("uuid-" + i, "sip:d" + i + "@127.0.0.1", "sip:d" + i + "@127.0.0.1", "udp",
                        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 5070 + i), "ua", true, t, t,
                        t.plusSeconds(3600), null));
            }
            store.removeDevice("uuid-1");
            store.putSdp("uuid-0", "v=0\r\n");
            store.putSdp("uuid-2", "");
        }
        try (RegistrarStore again = new RegistrarStore(file)) {
            assertThat(again.loadDevices()).extracting(d -> d.device().uuid(), RegistrarStore.LoadedDevice::sdp)
                    .as("an empty body is a body, not a removal").containsExactlyInAnyOrder(tuple("uuid-0", "v=0\r\n"), tuple("uuid-2", ""));
        }
    }

    @Test
    void aCrashKeepsTheLogAndTheNextLoadMergesItOverTheOlderMaps() throws Exception {
        Path file = dir.resolve("registrar.mv");
        Binding a = binding("sip:a@127.0.0.1");
        Binding b = binding("sip:b@127.0.0.1");
        Binding c = binding("sip:c@127.0.0.1");
        Path crashed;
        try (RegistrarStore store = new RegistrarStore(file)) {
            store.put(a);
            store.put(b);
            store.flushAndMerge();
            store.put(refreshed(a, 2));
            store.remove(b);
            store.put(c);
            store.flush();
            assertThat(store.logged()).as("three changes in the log, below the smallest merge").isEqualTo(3);
            // pass 0 (a, b) was merged and its log emptied; pass 1 holds the three changes
            crashed = crashImageWithALog(file, dir.resolve("crashed.mv"), List.of(1L));
        }
        // the maps of the crash image are older than its log: a load that read the maps alone would be wrong
        assertThat(onDisk(crashed, b)).isNotNull();
        assertThat(onDisk(crashed, c)).isNull();
        try (RegistrarStore again = new RegistrarStore(crashed)) {
            assertThat(again.loadBindings()).extracting(Binding::addressOfRecord, Binding::cseq)
                    .containsExactlyInAnyOrder(tuple("sip:a@127.0.0.1", 2L), tuple("sip:c@127.0.0.1", 1L));
            assertThat(again.logged()).as("merged at the load").isZero();
        }
        assertThat(logOnDisk(crashed)).isEmpty();
        assertThat(onDisk(crashed, b)).isNull();
    }

    @Test
    void theWriterMergesTheLogOnceItHoldsAsManyRecordsAsTheMaps() {
        Path file = dir.resolve("registrar.mv");
        try (RegistrarStore store = new RegistrarStore(file, 100)) {
            for (int i = 0; i < 60; i++) store.put(binding("sip:dev" + i + "@127.0.0.1"));
            store.flush();
            assertThat(store.logged()).as("below the smallest merge").isEqualTo(60);
            for (int i = 60; i < 120; i++) store.put(binding("sip:dev" + i + "@127.0.0.1"));
            store.flush();
            assertThat(store.logged()).as("120 records reach the smallest merge of 100").isZero();
            for (int i = 0; i < 100; i++) store.put(refreshed(binding("sip:dev" + i + "@127.0.0.1"), 2));
            store.flush();
            assertThat(store.logged()).as("100 refreshes are fewer than the 120 records of the maps").isEqualTo(100);
            for (int i = 100; i < 120; i++) store.put(refreshed(binding("sip:dev" + i + "@127.0.0.1"), 2));
            store.flush();
            assertThat(store.logged()).as("120 refreshes: as many as the maps hold").isZero();
        }
        try (RegistrarStore again = new RegistrarStore(file)) {
            assertThat(again.loadBindings()).hasSize(120).extracting(Binding::cseq).containsOnly(2L);
        }
    }
}
