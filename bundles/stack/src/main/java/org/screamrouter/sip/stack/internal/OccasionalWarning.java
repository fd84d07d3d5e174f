package org.screamrouter.sip.stack.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A WARN line for something that can happen many times a second under load (a 503 to every request of a handler that
 * is away): at most one line per interval, carrying how many times it happened since the previous line, so the log
 * tells that it happened, why and how often without one line per request.
 */
final class OccasionalWarning {
    private final Logger log;
    private final long intervalNanos;
    private final String format;
    private final AtomicInteger since = new AtomicInteger();
    private final AtomicLong last;
    private final LongSupplier clock;

    /** {@code format}: an SLF4J pattern whose last placeholder receives the count since the previous line. */
    OccasionalWarning(Logger log, Duration interval, String format) {
        this(log, interval, format, System::nanoTime);
    }

    /** With another nanosecond clock (tests). */
    OccasionalWarning(Logger log, Duration interval, String format, LongSupplier clock) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.format = format;
        this.clock = clock;
        this.last = new AtomicLong(clock.getAsLong() - intervalNanos);
    }

    /** Counts one occurrence and writes a line with these arguments when the interval has passed since the last one. */
    void log(Object... args) {
        int count = since.incrementAndGet();
        long now = clock.getAsLong();
        long before = last.get();
        if (now - before < intervalNanos || !last.compareAndSet(before, now)) return;
        since.addAndGet(-count);
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = count;
        log.warn(format, all);
    }
}
