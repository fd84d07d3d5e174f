package org.screamrouter.sip.stack.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP methods the stack served in its last run, one per line in the bundle's data area, so that after a
 * {@code bundle:update} of the stack (or a restart) requests of those methods are held for their handlers
 * ({@link HeldRequests}) rather than answered 405 in the moment before the handlers bind again. Holds the union of
 * what was served in this run; a method served in an earlier run only is forgotten once this run records anything.
 */
final class ServedMethodsFile {
    static final String NAME = "served-methods";
    private static final Logger LOG = LoggerFactory.getLogger(ServedMethodsFile.class);

    private final Path file;
    private final Set<String> previous;
    private final Set<String> recorded = new TreeSet<>();

    /** @param file null when the framework has no data area: then nothing is kept */
    ServedMethodsFile(File file) {
        this.file = file == null ? null : file.toPath();
        this.previous = read(this.file);
    }

    Set<String> previous() {
        return previous;
    }

    /** Adds what is served now to this run's set, written when it grew. */
    synchronized void record(Set<String> served) {
        if (file == null || !recorded.addAll(served)) return;
        try {
            Path tmp = file.resolveSibling(NAME + ".tmp");
            Files.writeString(tmp, String.join("\n", recorded) + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot keep the served methods in {}: {}", file, e.toString());
        }
    }

    private static Set<String> read(Path file) {
        Set<String> out = new TreeSet<>();
        if (file == null || !Files.isRegularFile(file)) return out;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                String m = line.strip();
                // only method tokens of a sane length: the file is ours, but a damaged one must not hold up anything else
                if (m.matches("[A-Z]{1,20}")) out.add(m);
            }
        } catch (IOException e) {
            LOG.warn("cannot read the served methods in {}: {}", file, e.toString());
        }
        return out;
    }
}
