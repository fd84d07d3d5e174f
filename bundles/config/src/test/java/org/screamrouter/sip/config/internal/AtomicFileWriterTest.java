package org.screamrouter.sip.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileWriterTest {

    @TempDir
    Path dir;

    private final AtomicFileWriter writer = new AtomicFileWriter();

    /** Two large contents that differ all along: a partial write of either is neither. */
    private static String content(char fill, int generation) {
        return "# generation " + generation + "\n" + String.valueOf(fill).repeat(512 * 1024) + "\nend\n";
    }

    @Test
    void aReaderSeesTheOldOrTheNewContentNeverAPart() throws Exception {
        Path file = dir.resolve("config.yaml");
        writer.write(file, content('a', 0));
        Set<String> complete = Set.of(content('a', 0), content('b', 1), content('a', 2), content('b', 3), content('a', 4),
                content('b', 5), content('a', 6), content('b', 7), content('a', 8), content('b', 9));
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        List<String> torn = new ArrayList<>();
        Thread reader = new Thread(() -> {
            while (!done.get() || reads.get() == 0) {
                try {
                    String seen = Files.readString(file);
                    reads.incrementAndGet();
                    if (!complete.contains(seen)) {
                        synchronized (torn) {
                            torn.add(seen.length() + " chars");
                        }
                    }
                } catch (java.io.IOException e) {
                    synchronized (torn) {
                        torn.add(e.toString());
                    }
                }
            }
        }, "config-reader");
        reader.start();
        for (int round = 0; round < 5; round++) {
            for (int g = 1; g < 10; g++) {
                writer.write(file, content(g % 2 == 0 ? 'a' : 'b', g));
            }
        }
        done.set(true);
        reader.join(10_000);
        assertThat(reads.get()).isPositive();
        assertThat(torn).isEmpty();
        assertThat(Files.readString(file)).isEqualTo(content('b', 9));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void theFileKeepsItsPermissionsAndANewOneIsReadableByOthers() throws Exception {
        Path file = dir.resolve("sub").resolve("config.yaml");
        writer.write(file, "sinks: []\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));
        writer.write(file, "sinks: []\nsources: []\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-rw----");
        assertThat(Files.readString(file)).isEqualTo("sinks: []\nsources: []\n");
    }

    @Test
    void aSymbolicLinkIsFollowedAndKept() throws Exception {
        Path real = Files.createDirectories(dir.resolve("screamrouter")).resolve("config.yaml");
        Files.writeString(real, "sinks: []\n");
        Path link = Files.createSymbolicLink(dir.resolve("config.yaml"), real);
        writer.write(link, "sources: []\n");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).isEqualTo("sources: []\n");
    }
}
