package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.screamrouter.sip.registrar.internal.RegistrarStoreFileTest.binding;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.registrar.Binding;

/**
 * The store's writer: writes are queued, newest per key, and applied in key order by its own thread, at a load, and
 * at close (a bundle update, a stop), so a refresh costs no page read of the file (docs/performance.md).
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
        }
        try (RegistrarStore again = new RegistrarStore(file)) {
            assertThat(again.loadDevices()).extracting(d -> d.device().uuid()).containsExactlyInAnyOrder("uuid-0", "uuid-2");
        }
    }
}
