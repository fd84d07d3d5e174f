package org.screamrouter.sip.sdp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The SDP corpus of the repository, {@code <checkout>/corpus/sdp} (system property {@code corpus.dir}, set by the
 * build). Tests fail with a clear message when it is absent instead of passing on nothing.
 */
final class Corpus {

    static final String INVALID = "edge-invalid-lines.sdp";

    private Corpus() {
    }

    static Path directory() {
        String base = System.getProperty("corpus.dir");
        if (base == null) {
            throw new IllegalStateException("system property corpus.dir is not set: run the tests through Maven");
        }
        Path sdp = Path.of(base, "sdp");
        if (!Files.isDirectory(sdp)) {
            throw new IllegalStateException("SDP corpus not found: expected " + sdp.toAbsolutePath().normalize());
        }
        return sdp;
    }

    static List<Path> files() {
        try (Stream<Path> s = Files.list(directory())) {
            List<Path> files = s.filter(f -> f.getFileName().toString().endsWith(".sdp")).sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalStateException("no .sdp file in " + directory());
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> wellFormed() {
        return files().stream().filter(f -> !f.getFileName().toString().equals(INVALID)).toList();
    }

    static String text(String name) {
        return text(directory().resolve(name));
    }

    static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
