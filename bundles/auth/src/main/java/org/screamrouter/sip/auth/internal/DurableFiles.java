package org.screamrouter.sip.auth.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;

/**
 * The last step of replacing a file through a temporary one (the users file, the nonce key): the content is forced
 * to disk before the rename, so a crash cannot leave a renamed but empty file, and the directory is forced after it,
 * so the rename itself survives (as the config bundle's AtomicFileWriter does for config.yaml; that class is
 * internal to its bundle).
 */
final class DurableFiles {
    private DurableFiles() {}

    /** Writes {@code content} to {@code temp} (made by the caller, with its permissions), forces it, renames it over {@code target}. */
    static void replace(Path temp, byte[] content, Path target) throws IOException {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(content);
            while (bytes.hasRemaining()) channel.write(bytes);
            channel.force(true);
        }
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path dir = target.toAbsolutePath().getParent();
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: not every platform opens a directory (Windows cannot); the rename is done either way
        }
    }
}
