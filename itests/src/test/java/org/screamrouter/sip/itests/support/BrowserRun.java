package org.screamrouter.sip.itests.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.screamrouter.sip.itests.Await;

/**
 * A browser test's node process (Playwright driving Chromium) with folders of its own: HOME in the test's work folder,
 * TMPDIR and XDG_RUNTIME_DIR in a folder of /tmp that {@link #close} removes. Without them Chromium's libpulse made a
 * {@code /tmp/pulse-*} folder and Playwright a {@code /tmp/playwright-artifacts-*} folder at every run, and left them.
 * The folder is in /tmp with a short name: Chromium puts its singleton socket under TMPDIR, and a socket's path may
 * not be longer than 107 bytes, which a checkout's target folder can exceed.
 */
public final class BrowserRun implements AutoCloseable {
    private final Process process;
    private final Path temp;

    private BrowserRun(Process process, Path temp) {
        this.process = process;
        this.temp = temp;
    }

    public static BrowserRun start(ProcessBuilder pb, Path work) throws IOException {
        Path temp = Files.createTempDirectory("sr-it");
        pb.environment().put("HOME", work.toString());
        pb.environment().put("TMPDIR", temp.toString());
        pb.environment().put("XDG_RUNTIME_DIR", temp.toString());
        try {
            return new BrowserRun(pb.start(), temp);
        } catch (IOException e) {
            Baresip.delete(temp);
            throw e;
        }
    }

    public Process process() {
        return process;
    }

    /** Ends the process (forcibly if it still runs) and removes the temporary folder once Chromium has left it. */
    @Override
    public void close() throws Exception {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Chromium ends shortly after node (its pipe to Playwright closes); until then it may still write in the folder
        Await.until("the browser's temporary folder " + temp + " removed", Duration.ofSeconds(10), () -> {
            Baresip.delete(temp);
            return true;
        }, removed -> removed);
    }
}
