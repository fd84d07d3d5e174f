package org.screamrouter.sip.registrar;

import java.nio.file.Path;

/**
 * The health of a bundle's store file (the registrar's {@code registrar.mv}, the presence server's
 * {@code presence.mv}): a file that cannot be opened does not stop the bundle (docs/registrar-state.md, "A store
 * file that cannot be opened").
 *
 * @param file    the store file
 * @param state   what the bundle did with it
 * @param movedTo where the unreadable file went ({@link State#MOVED_ASIDE}), else {@code null}
 * @param reason  why it could not be opened, {@code null} when {@link State#OK}
 * @since 1.5
 */
public record StoreStatus(Path file, State state, Path movedTo, String reason) {
    public enum State {
        /** The file was opened: state is kept across restarts. */
        OK,
        /** The file could not be read (corrupt, truncated): it was moved to {@code movedTo}, the store started empty on a new file. */
        MOVED_ASIDE,
        /**
         * The file is locked by another open store (another server on the same data folder) or no file could be
         * opened: it was not touched and the store runs in memory, so nothing is kept across a restart.
         */
        IN_MEMORY
    }

    public static StoreStatus ok(Path file) {
        return new StoreStatus(file, State.OK, null, null);
    }

    public boolean healthy() {
        return state == State.OK;
    }

    /** One line for the shell. */
    public String describe() {
        return switch (state) {
            case OK -> "ok (" + file + ")";
            case MOVED_ASIDE -> "started empty: " + file + " could not be opened (" + reason + "), moved to " + movedTo;
            case IN_MEMORY -> "in memory, nothing persisted: " + file + " could not be opened (" + reason + ")";
        };
    }
}
