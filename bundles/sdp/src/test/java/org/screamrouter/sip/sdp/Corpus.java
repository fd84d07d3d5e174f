package org.screamrouter.sip.sdp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shared SDP corpus, {@code <checkout>/../shared/corpus/sdp}, found by walking up from the module
 * directory. Tests fail with a clear message when it is absent instead of passing on nothing.
 */
final class Corpus {

    static final String INVALID = "edge-invalid-lines.sdp";

    private Corpus() {
    }

    static Path directory() {
        String base = System.getProperty("sdp.module.basedir", System.getProperty("user.dir"));
        for (Path p = Path.of(base).toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared").resolve("corpus").resolve("sdp");
            if (p.getParent() != null && Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("SDP corpus not found: expected <checkout>/../shared/corpus/sdp above " + base);
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
