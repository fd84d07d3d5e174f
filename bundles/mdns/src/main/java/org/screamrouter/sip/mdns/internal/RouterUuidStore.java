package org.screamrouter.sip.mdns.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's persistent UUID, kept in the file {@value #FILE_NAME} under the Karaf data folder so that it outlives
 * bundle updates and restarts (docs/architecture.md: state that must outlive a bundle lives outside its heap).
 *
 * <p>Not mDNS specific: it lives here until a shared identity service exists, and is kept self-contained so it can
 * move there unchanged. The file holds the UUID in canonical text form and nothing else.
 */
public final class RouterUuidStore {
    static final String FILE_NAME = "router-uuid";
    private static final Logger LOG = LoggerFactory.getLogger(RouterUuidStore.class);

    private static final Pattern CANONICAL =
            Pattern.compile("\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}");

    private final Path file;

    RouterUuidStore(Path directory) {
        this.file = directory.resolve(FILE_NAME);
    }

    /** The store in {@code ${karaf.data}}, or in the bundle's persistent storage area outside Karaf. */
    static RouterUuidStore forBundle(BundleContext context) {
        String karafData = System.getProperty("karaf.data");
        if (karafData != null && !karafData.isBlank()) {
            return new RouterUuidStore(Path.of(karafData));
        }
        File area = context.getDataFile("");
        if (area == null) {
            throw new IllegalStateException("no karaf.data and the framework gives this bundle no persistent storage");
        }
        return new RouterUuidStore(area.toPath());
    }

    Path file() {
        return file;
    }

    /** Reads the UUID, or creates and stores a new one the first time. */
    synchronized String routerUuid() throws IOException {
        String existing = read();
        if (existing != null) {
            return existing;
        }
        String created = UUID.randomUUID().toString();
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), FILE_NAME, ".tmp");
        try {
            Files.writeString(tmp, created + "\n", StandardCharsets.US_ASCII);
            publish(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
        // another process may have won the race: the file on disk is the identity
        String stored = read();
        if (stored == null) {
            throw new IOException("router UUID file " + file + " vanished after being written");
        }
        if (stored.equals(created)) {
            LOG.info("created router UUID {} in {}", created, file);
        }
        return stored;
    }

    /** A hard link creates the file only if it is absent, with its content complete; rename is the fallback. */
    private void publish(Path tmp) throws IOException {
        try {
            Files.createLink(file, tmp);
            return;
        } catch (FileAlreadyExistsException raced) {
            return;
        } catch (UnsupportedOperationException | IOException noLinks) {
            // file systems without hard links
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private String read() throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (CANONICAL.matcher(text).matches()) {
            return text.toLowerCase(Locale.ROOT);
        }
        // kept aside rather than overwritten, so an operator can restore an identity that was damaged by hand
        Path aside = file.resolveSibling(FILE_NAME + ".invalid");
        LOG.warn("router UUID file {} does not hold a UUID ('{}'): moved to {}, a new UUID is created", file, text, aside);
        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        return null;
    }
}
