package org.screamrouter.sip.registrar.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Per-device log lines that stay readable under load (issue 15: one INFO line per device was 15 MB of log in two
 * minutes of sipp). Each line has a kind ("added", "removed", ...): the first {@code firstPerInterval} lines of an
 * interval go to INFO, so that a device registered by hand still shows; the rest go to DEBUG, and {@link #summarize()}
 * writes one INFO line per interval with the counts of every kind, e.g. {@code registrar devices: 1,234 online,
 * 5 offline in the last 10 s (5 logged one by one, the rest at DEBUG)}. Thread-safe; the owner calls
 * {@link #summarize()} from its own timer. (The config bundle has the same class: bundles share no internals.)
 */
final class ActivityLog {
    private final Logger log;
    private final String subject;
    private final Duration interval;
    private final int firstPerInterval;
    private final Clock clock;

    // guarded by this
    private final Map<String, Long> counts = new LinkedHashMap<>();
    private int detailed;
    private Instant since;

    ActivityLog(Logger log, String subject, Duration interval, int firstPerInterval, Clock clock) {
        this.log = log;
        this.subject = subject;
        this.interval = interval;
        this.firstPerInterval = firstPerInterval;
        this.clock = clock;
        this.since = clock.instant();
    }

    /**
     * Counts a device change of this kind and logs it: at INFO while the interval's first few, else at DEBUG. Returns
     * whether it went to INFO.
     */
    boolean record(String kind, String format, Object... args) {
        boolean info;
        synchronized (this) {
            counts.merge(kind, 1L, Long::sum);
            info = detailed < firstPerInterval;
            if (info) {
                detailed++;
            }
        }
        if (info) {
            log.info(format, args);
        } else if (log.isDebugEnabled()) {
            log.debug(format, args);
        }
        return info;
    }

    /**
     * When the interval is over: one INFO line with the counts, if there were any changes past the first few (those
     * few are already at INFO), and a new interval. Returns the line, or {@code null} when none was due.
     */
    String summarize() {
        return summarize(false);
    }

    /** {@link #summarize()}; {@code early}: now, even before the interval is over (the owner stops). */
    String summarize(boolean early) {
        String line = null;
        synchronized (this) {
            Instant now = clock.instant();
            Duration elapsed = Duration.between(since, now);
            if (!early && elapsed.compareTo(interval) < 0) {
                return null;
            }
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            if (total > detailed) {
                StringBuilder s = new StringBuilder(subject).append(": ");
                String sep = "";
                for (Map.Entry<String, Long> c : counts.entrySet()) {
                    s.append(sep).append(String.format(Locale.ROOT, "%,d", c.getValue())).append(' ').append(c.getKey());
                    sep = ", ";
                }
                s.append(" in the last ").append(Math.max(1, elapsed.toSeconds())).append(" s (")
                        .append(detailed).append(" logged one by one, the rest at DEBUG)");
                line = s.toString();
            }
            counts.clear();
            detailed = 0;
            since = now;
        }
        if (line != null) {
            log.info(line);
        }
        return line;
    }
}
