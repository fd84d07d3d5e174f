package org.screamrouter.sip.itests.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.runner.Description;
import org.junit.runner.Result;
import org.junit.runner.notification.RunListener;

/**
 * Ends, when a test class ends (pass or fail), every process the test JVM started during that class and that is
 * still running: a Karaf container whose start failed (Pax Exam never stops a container it could not reach), a
 * sipp, baresip, Chromium, Kamailio or avahi a test forgot, or one left by an exception before its {@code finally}.
 * Failsafe registers it as a JUnit 4 run listener for every itests execution ({@code itests/pom.xml}).
 * <p>
 * Processes get {@link #GRACE} to end on their own (a container Pax Exam is stopping), then SIGTERM, then
 * SIGKILL. Each one ended here is named on standard error and in {@code target/reaped-processes.txt}, so a test
 * that leaks is seen and can be fixed; {@code .ci/test.sh} prints that file.
 */
public final class ProcessReaper extends RunListener {
    static final Duration GRACE = Duration.ofSeconds(10);
    private static final Duration TERM = Duration.ofSeconds(10);
    private static final Duration EXIT_REPORT = Duration.ofSeconds(3);

    private final boolean report;
    private int depth;
    private int ended;
    private Set<Long> before = Set.of();
    private String suite = "?";

    /** The listener failsafe registers: every process it ends is reported. */
    public ProcessReaper() {
        this(true);
    }

    /** @param report whether ended processes are reported (false for a test that leaves one on purpose) */
    public ProcessReaper(boolean report) {
        this.report = report;
    }

    @Override
    public synchronized void testSuiteStarted(Description description) {
        if (depth++ == 0) {
            before = descendants().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
            suite = description.getDisplayName();
        } else if (description.getTestClass() != null && suite.equals("classes")) {
            suite = description.getClassName(); // JUnitCore's outer suite of one class
        }
    }

    @Override
    public synchronized void testSuiteFinished(Description description) {
        if (--depth == 0) {
            ended += reap(suite, before, report);
        }
    }

    /**
     * At the end of the run, arms a report of what holds the JVM's exit: failsafe kills a fork whose exit takes
     * longer than {@code forkedProcessExitTimeoutInSeconds} and fails the build with "timeout in the fork", which
     * names no cause. If the exit still runs after {@link #EXIT_REPORT}, every live thread's stack goes to
     * standard error. The report runs on a daemon thread, so it never delays the exit itself.
     */
    @Override
    public void testRunFinished(Result result) {
        Thread hook = new Thread(() -> {
            Thread report = new Thread(ProcessReaper::reportSlowExit, "slow-exit-report");
            report.setDaemon(true);
            report.start();
        }, "slow-exit-report-hook");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException alreadyExiting) {
            // nothing to report on
        }
    }

    private static void reportSlowExit() {
        try {
            Thread.sleep(EXIT_REPORT.toMillis());
        } catch (InterruptedException e) {
            return;
        }
        StringBuilder dump = new StringBuilder("ProcessReaper: the test JVM is still exiting after " + EXIT_REPORT.toSeconds()
                + " s; its threads and child processes:\n");
        Thread.getAllStackTraces().forEach((t, stack) -> {
            dump.append("  \"").append(t.getName()).append("\" ").append(t.getState()).append(t.isDaemon() ? " daemon" : "").append('\n');
            for (StackTraceElement e : stack) {
                dump.append("      at ").append(e).append('\n');
            }
        });
        descendants().forEach(p -> dump.append("  pid ").append(p.pid()).append(' ')
                .append(p.info().commandLine().orElse("?")).append('\n'));
        System.err.print(dump);
        System.err.flush();
    }

    /** How many processes this listener had to end so far. */
    public synchronized int ended() {
        return ended;
    }

    /** The processes this JVM started (children and theirs) that are not in {@code keep}. */
    private static List<ProcessHandle> newcomers(Set<Long> keep) {
        return descendants().stream().filter(p -> !keep.contains(p.pid())).toList();
    }

    private static List<ProcessHandle> descendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
    }

    /** Ends every process started since {@code keep} was taken; returns how many had to be ended. */
    static int reap(String owner, Set<Long> keep, boolean report) {
        if (!awaitGone(keep, GRACE)) {
            List<ProcessHandle> left = newcomers(keep);
            if (report) {
                left.forEach(p -> record(owner, p));
            }
            left.forEach(ProcessHandle::destroy);
            if (!awaitGone(keep, TERM)) {
                newcomers(keep).forEach(ProcessHandle::destroyForcibly);
                awaitGone(keep, TERM);
            }
            return left.size();
        }
        return 0;
    }

    private static boolean awaitGone(Set<Long> keep, Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (!newcomers(keep).isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return newcomers(keep).isEmpty();
            }
        }
        return true;
    }

    private static void record(String owner, ProcessHandle p) {
        String line = "ProcessReaper: " + owner + " left pid " + p.pid() + " running ("
                + p.info().commandLine().orElse("?").replaceAll("\\s+", " ") + "); ending it";
        System.err.println(line);
        String target = System.getProperty("itest.target");
        if (target != null) {
            try {
                Files.writeString(Path.of(target, "reaped-processes.txt"), line.substring(0, Math.min(line.length(), 400)) + "\n",
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("ProcessReaper: cannot write the record: " + e);
            }
        }
    }
}
