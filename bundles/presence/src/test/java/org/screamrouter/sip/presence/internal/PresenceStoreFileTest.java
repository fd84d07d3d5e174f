package org.screamrouter.sip.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.registrar.StoreStatus;

/**
 * Issue 13 item 7: a store file that cannot be opened must not stop the presence server. Corrupt: moved aside, the
 * store starts empty on a new file. Locked by another open store: left alone, the store runs in memory.
 */
class PresenceStoreFileTest {
    private static final Instant LATER = Instant.parse("2099-01-01T00:00:00Z");
    @TempDir
    Path dir;

    private List<Path> siblings(Path file) throws IOException {
        try (Stream<Path> s = Files.list(file.getParent())) {
            return s.filter(p -> !p.equals(file)).sorted().toList();
        }
    }

    private void opensEmptyAndMovesAside(Path file) throws IOException {
        byte[] before = Files.readAllBytes(file);
        try (PresenceStore store = new PresenceStore(file)) {
            assertThat(store.loadSubscriptions()).isEmpty();
            assertThat(store.status().state()).isEqualTo(StoreStatus.State.MOVED_ASIDE);
            store.put(TablesTest.sub("a", "presence", "dev1", LATER));
        }
        List<Path> aside = siblings(file);
        assertThat(aside).hasSize(1);
        assertThat(aside.get(0).getFileName().toString()).startsWith("presence.mv.corrupt-");
        assertThat(Files.readAllBytes(aside.get(0))).as("the unreadable file is kept as it was").isEqualTo(before);
        try (PresenceStore again = new PresenceStore(file)) {
            assertThat(again.status().healthy()).isTrue();
            assertThat(again.loadSubscriptions()).as("the new file persists").extracting(Subscription::id).containsExactly("a");
        }
    }

    @Test
    void aFileOfGarbageIsMovedAsideAndTheStoreStartsEmpty() throws IOException {
        Path file = dir.resolve("presence.mv");
        byte[] garbage = new byte[20_000];
        new Random(7).nextBytes(garbage);
        Files.write(file, garbage);
        opensEmptyAndMovesAside(file);
    }

    @Test
    void aTruncatedStoreFileIsMovedAsideAndTheStoreStartsEmpty() throws IOException {
        Path file = dir.resolve("presence.mv");
        try (PresenceStore store = new PresenceStore(file)) {
            for (int i = 0; i < 200; i++) store.put(TablesTest.sub("s" + i, "presence", "dev1", LATER));
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(100); // cut inside the file header
        }
        opensEmptyAndMovesAside(file);
    }

    @Test
    void aStoreFileLockedByAnotherStoreIsLeftAloneAndTheStoreRunsInMemory() throws IOException {
        Path file = dir.resolve("presence.mv");
        try (PresenceStore first = new PresenceStore(file)) {
            first.put(TablesTest.sub("a", "presence", "dev1", LATER));
        }
        MVStore other = new MVStore.Builder().fileName(file.toString()).open();
        try {
            byte[] before = Files.readAllBytes(file);
            try (PresenceStore store = new PresenceStore(file)) {
                assertThat(store.status().state()).isEqualTo(StoreStatus.State.IN_MEMORY);
                assertThat(store.loadSubscriptions()).isEmpty();
                store.put(TablesTest.sub("b", "presence", "dev1", LATER));
                assertThat(store.loadSubscriptions()).hasSize(1);
            }
            assertThat(Files.readAllBytes(file)).as("the locked file is not touched").isEqualTo(before);
            assertThat(siblings(file)).as("nothing moved aside").isEmpty();
            assertThat(other.<String, byte[]>openMap("subscriptions").keySet()).as("the holder keeps its data").containsExactly("a");
        } finally {
            other.close();
        }
    }

    @Test
    void thePresenceServerActivatesOnAFileOfGarbageAndSaysSo() throws IOException {
        Path file = dir.resolve("presence.mv");
        Files.write(file, "not a store".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        PresenceComponent presence = new Harness().start(file, java.util.Map.of());
        try {
            StoreStatus status = presence.storeStatus();
            assertThat(status.state()).isEqualTo(StoreStatus.State.MOVED_ASIDE);
            assertThat(status.movedTo()).exists();
        } finally {
            presence.deactivate();
        }
    }
}
