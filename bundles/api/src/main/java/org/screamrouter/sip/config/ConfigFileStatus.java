package org.screamrouter.sip.config;

import java.nio.file.Path;
import java.time.Instant;

/**
 * The state of {@code config.yaml} as the {@link ConfigurationManager} sees it.
 *
 * @param path           the file
 * @param error          why the file cannot be read or written now (a parse error names line and column), or
 *                       {@code null} when the last read and write succeeded
 * @param lastWrite      when the server last wrote the file, or {@code null} if it has not since it started
 * @param writes         how many times the server wrote the file since it started
 * @param pendingDevices devices whose change waits for the next write (more than 0 for long while {@code error} is
 *                       set: they are applied when the file is readable again)
 * @param sipEntries     devices with an entry (source or sink) in the file
 * @param api            how changes reach a running ScreamRouter through its HTTP API, or {@code null} when
 *                       {@code screamrouter.url} is not set (changes go to the file only)
 */
public record ConfigFileStatus(Path path, String error, Instant lastWrite, long writes, int pendingDevices,
                               int sipEntries, ScreamRouterApiStatus api) {

    /** Without the HTTP API (the file only). */
    public ConfigFileStatus(Path path, String error, Instant lastWrite, long writes, int pendingDevices, int sipEntries) {
        this(path, error, lastWrite, writes, pendingDevices, sipEntries, null);
    }

    public boolean healthy() {
        return error == null;
    }
}
