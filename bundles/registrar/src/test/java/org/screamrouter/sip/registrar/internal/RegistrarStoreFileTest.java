package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.StoreStatus;

/**
 * Issue 13 item 7: a store file that cannot be opened must not stop the registrar. Corrupt: moved aside, the store
 * starts empty on a new file. Locked by another open store: left alone, the store runs in memory.
 */
class RegistrarStoreFileTest {
    @TempDir
    Path dir;

    static Binding binding(String aor) {
        return new Binding(aor, aor + ";transport=udp", "<" + aor + ">", "udp",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 5070), Instant.parse("2099-01-01T00:00:00Z"), -1f,
                "call-1", 1, List.of(), Instant.parse("2026-11-21T12:00:00Z"));
    }

    private List<Path> siblings(Path file) throws IOException {
        try (Stream<Path> s = Files.list(file.getParent())) {
            return s.filter(p -> !p.equals(file)).sorted().toList();
        }
    }

    private void opensEmptyAndMovesAside(Path file) throws IOException {
        byte[] before = Files.readAllBytes(file);
        try (RegistrarStore store = new RegistrarStore(file)) {
            assertThat(store.loadBindings()).isEmpty();
            assertThat(store.status().state()).isEqualTo(StoreStatus.State.MOVED_ASIDE);
            store.put(binding("sip:dev1@127.0.0.1"));
        }
        List<Path> aside = siblings(file);
        assertThat(aside).hasSize(1);
        assertThat(aside.get(0).getFileName().toString()).startsWith("registrar.mv.corrupt-");
        assertThat(Files.readAllBytes(aside.get(0))).as("the unreadable file is kept as it was").isEqualTo(before);
        try (RegistrarStore again = new RegistrarStore(file)) {
            assertThat(again.status().healthy()).isTrue();
            assertThat(again.loadBindings()).as("the new file persists").extracting(Binding::addressOfRecord)
                    .containsExactly("sip:dev1@127.0.0.1");
        }
    }

    @Test
    void aFileOfGarbageIsMovedAsideAndTheStoreStartsEmpty() throws IOException {
        Path file = dir.resolve("registrar.mv");
        byte[] garbage = new byte[20_000];
        new Random(7).nextBytes(garbage);
        Files.write(file, garbage);
        opensEmptyAndMovesAside(file);
    }

    @Test
    void aTruncatedStoreFileIsMovedAsideAndTheStoreStartsEmpty() throws IOException {
        Path file = dir.resolve("registrar.mv");
        try (RegistrarStore store = new RegistrarStore(file)) {
            for (int i = 0; i < 200; i++) store.put(binding("sip:dev" + i + "@127.0.0.1"));
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(100); // cut inside the file header
        }
        opensEmptyAndMovesAside(file);
    }

    @Test
    void aStoreFileLockedByAnotherStoreIsLeftAloneAndTheStoreRunsInMemory() throws IOException {
        Path file = dir.resolve("registrar.mv");
        try (RegistrarStore first = new RegistrarStore(file)) {
            first.put(binding("sip:dev1@127.0.0.1"));
        }
        MVStore other = new MVStore.Builder().fileName(file.toString()).open();
        try {
            byte[] before = Files.readAllBytes(file);
            try (RegistrarStore store = new RegistrarStore(file)) {
                assertThat(store.status().state()).isEqualTo(StoreStatus.State.IN_MEMORY);
                assertThat(store.loadBindings()).isEmpty();
                store.put(binding("sip:dev2@127.0.0.1"));
                assertThat(store.loadBindings()).hasSize(1);
            }
            assertThat(Files.readAllBytes(file)).as("the locked file is not touched").isEqualTo(before);
            assertThat(siblings(file)).as("nothing moved aside").isEmpty();
            assertThat(other.<String, byte[]>openMap("bindings").keySet()).as("the holder keeps its data")
                    .containsExactly(RegistrarStore.key(binding("sip:dev1@127.0.0.1")));
        } finally {
            other.close();
        }
    }

    @Test
    void theRegistrarActivatesOnAFileOfGarbageAndItsRegistrySaysSo() throws IOException {
        Path file = dir.resolve("registrar.mv");
        Files.write(file, "not a store".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        RegistrarComponent registrar = new TestHarness().start(file, java.util.Map.of());
        try {
            StoreStatus status = registrar.storeStatus();
            assertThat(status.state()).isEqualTo(StoreStatus.State.MOVED_ASIDE);
            assertThat(status.file()).isEqualTo(file);
            assertThat(status.movedTo()).exists();
            assertThat(status.describe()).startsWith("started empty: " + file).contains("moved to " + status.movedTo());
        } finally {
            registrar.deactivate();
        }
    }
}
