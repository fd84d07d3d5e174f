package org.screamrouter.sip.presence.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.screamrouter.sip.registrar.StoreStatus;
import org.slf4j.Logger;

/**
 * Opens a store file so that a bad file never stops the bundle (issue 13 item 7): a file locked by another open
 * store (another server on the same data folder) is left alone and the store runs in memory; any other failure
 * (garbage, truncation) moves the file aside to {@code <name>.corrupt-<UTC time>} and starts empty on a new file.
 * One WARN (moved) or ERROR (in memory) line names the file, the reason and where it went. The registrar and the
 * presence bundle each have this class, the same text: see docs/registrar-state.md for why it is not shared.
 */
final class StoreFile {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    record Opened(MVStore store, StoreStatus status) {}

    private StoreFile() {}

    /** Opens {@code file} and reads every page of {@code maps}, so a damaged page shows here and not later. */
    static Opened open(Path file, Logger log, String... maps) {
        try {
            return new Opened(openFile(file, maps), StoreStatus.ok(file));
        } catch (RuntimeException | IOException e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            boolean locked = e instanceof MVStoreException m && m.getErrorCode() == DataUtils.ERROR_FILE_LOCKED;
            if (!locked && Files.exists(file)) {
                try {
                    Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)));
                    for (int i = 1; Files.exists(aside); i++) aside = aside.resolveSibling(aside.getFileName() + "-" + i);
                    Files.move(file, aside);
                    MVStore store = openFile(file, maps);
                    log.warn("store {} could not be opened ({}): moved it to {}, starting with an empty store", file, reason, aside);
                    return new Opened(store, new StoreStatus(file, StoreStatus.State.MOVED_ASIDE, aside, reason));
                } catch (RuntimeException | IOException again) {
                    reason = reason + "; then " + (again.getMessage() == null ? again : again.getMessage());
                }
            }
            log.error("store {} could not be opened ({}){}: running in memory, nothing is kept across a restart", file, reason,
                    locked ? ", another server may be running on the same data folder; left it untouched" : "");
            return new Opened(new MVStore.Builder().open(), new StoreStatus(file, StoreStatus.State.IN_MEMORY, null, reason));
        }
    }

    private static MVStore openFile(Path file, String... maps) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        MVStore store = new MVStore.Builder().fileName(file.toString()).open();
        try {
            for (String name : maps) {
                store.<Object, Object>openMap(name).forEach((k, v) -> { });
            }
            return store;
        } catch (RuntimeException e) {
            store.closeImmediately();
            throw e;
        }
    }
}
