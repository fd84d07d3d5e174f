package org.screamrouter.sip.stack.internal;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per source address (issue 13, overload): a source may send {@code rate} requests a second with bursts
 * of {@code burst}; past that it is answered 503 with Retry-After, and once it is {@code burst} requests further in
 * debt (it ignores the 503s) its requests are dropped without an answer, so a flood from one address costs the parse
 * and nothing more while every other source is served. Changed live. Thread-safe; the table of sources is bounded
 * (the least recently seen half is forgotten past {@link #MAX_SOURCES}).
 */
final class SourceRates {
    enum Verdict { ADMIT, THROTTLE, DROP }

    static final int MAX_SOURCES = 65_536;

    /** @param perSecond requests a second a source may send (0: no limit) @param burst what it may send at once */
    record Limits(int perSecond, int burst) {
        static final Limits OFF = new Limits(0, 0);

        Limits {
            perSecond = Math.max(0, perSecond);
            burst = Math.max(1, burst);
        }
    }

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }
    }

    private final Map<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile Limits limits = Limits.OFF;
    private final Counters counters;

    /** @param counters where datagrams dropped before parsing are counted ({@code dropped.rate}), or null */
    SourceRates(Counters counters) {
        this.counters = counters;
    }

    void limits(Limits limits) {
        this.limits = limits;
        if (limits.perSecond() == 0) buckets.clear();
    }

    Limits limits() {
        return limits;
    }

    /** Whether one more request from {@code source} at {@code now} (nanoTime) is served, throttled or dropped. */
    Verdict admit(InetAddress source, long now) {
        Limits l = limits;
        if (l.perSecond() == 0) return Verdict.ADMIT;
        if (buckets.size() >= MAX_SOURCES) forgetOldest();
        Bucket b = buckets.computeIfAbsent(source, k -> new Bucket(l.burst(), now));
        synchronized (b) {
            b.tokens = Math.min(l.burst(), b.tokens + (now - b.last) * l.perSecond() / 1e9);
            b.last = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return Verdict.ADMIT;
            }
            if (b.tokens > -l.burst()) {
                b.tokens -= 1; // the 503s count too: a source that ignores them goes into debt
                return Verdict.THROTTLE;
            }
            return Verdict.DROP;
        }
    }

    /**
     * Admits one more request from {@code source} when {@link #admit} would, and otherwise changes nothing: for a
     * request answered without a parse ({@link PlainAnswers}), which leaves a refusal to the usual path (there
     * {@code admit} throttles or drops it, counting it once).
     */
    boolean tryAdmit(InetAddress source, long now) {
        Limits l = limits;
        if (l.perSecond() == 0) return true;
        Bucket b = buckets.get(source);
        if (b == null) return false; // a new source: the usual path makes its bucket
        synchronized (b) {
            double tokens = Math.min(l.burst(), b.tokens + (now - b.last) * l.perSecond() / 1e9);
            if (tokens < 1) return false;
            b.tokens = tokens - 1;
            b.last = now;
            return true;
        }
    }

    /**
     * Whether the source is a burst or more in debt now (refilled to {@code now}, nothing consumed): its datagrams
     * are dropped before they are parsed. The debt keeps shrinking at the rate, so a source that calms down is heard again.
     */
    boolean inDebt(InetAddress source, long now) {
        Limits l = limits;
        if (l.perSecond() == 0) return false;
        Bucket b = buckets.get(source);
        if (b == null) return false;
        synchronized (b) {
            double tokens = Math.min(l.burst(), b.tokens + (now - b.last) * l.perSecond() / 1e9);
            if (tokens <= -l.burst()) {
                if (counters != null) counters.increment("dropped.rate");
                return true;
            }
            return false;
        }
    }

    private void forgetOldest() {
        long[] times = buckets.values().stream().mapToLong(b -> b.last).sorted().toArray();
        if (times.length == 0) return;
        long median = times[times.length / 2];
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            if (it.next().last <= median) it.remove();
        }
    }

    int tracked() {
        return buckets.size();
    }
}
