package org.screamrouter.sip.web.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Failed logins counted per remote address and per user name, in a sliding window: {@code maxFailures} failures of one
 * of them within {@code window} lock it out for {@code lockout}. A locked address or user is refused before its password
 * is checked (so a right password is refused too, and the JAAS realm is not asked); a successful login clears the
 * counts of its address and user. Memory is bounded: at most {@link #MAX_TRACKED} addresses and users are tracked; past
 * that the entries that are neither counting nor locked any more go first, then the least recently failed ones (an
 * attacker rotating names or addresses can push out an old count, but has to fail {@link #MAX_TRACKED} times to do it).
 * Times come from a nanosecond clock (tests move it). Thread-safe.
 */
final class LoginThrottle {
    /** Addresses and user names tracked at once. */
    static final int MAX_TRACKED = 4096;

    /** What a failure started: the address and user names locked out by it (usually none), for the log. */
    record Lockout(List<String> started) {}

    /** One address or user: the times of its recent failures (at most maxFailures), and the end of its lockout. */
    private static final class Entry {
        final ArrayDeque<Long> failures = new ArrayDeque<>();
        long lockedUntil;
        boolean locked;
    }

    private final LongSupplier nanoClock;
    private final int maxTracked;
    /** In the order of the last failure: the eldest is evicted first. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, false);
    private int maxFailures = 5;
    private long windowNanos = Duration.ofSeconds(60).toNanos();
    private long lockoutNanos = Duration.ofSeconds(60).toNanos();

    LoginThrottle(LongSupplier nanoClock) {
        this(nanoClock, MAX_TRACKED);
    }

    LoginThrottle(LongSupplier nanoClock, int maxTracked) {
        this.nanoClock = nanoClock;
        this.maxTracked = maxTracked;
    }

    /** New limits; counts and lockouts in progress are kept. */
    synchronized void limits(int maxFailures, Duration window, Duration lockout) {
        this.maxFailures = Math.max(1, maxFailures);
        this.windowNanos = window.toNanos();
        this.lockoutNanos = lockout.toNanos();
    }

    /**
     * How long a login from {@code address} as {@code user} must wait, rounded up to whole seconds (at least 1); 0
     * when it may go ahead. The longer of the two lockouts counts.
     */
    synchronized long retryAfterSeconds(String address, String user) {
        long now = nanoClock.getAsLong();
        long remaining = Math.max(remaining(key(ADDRESS, address), now), remaining(key(USER, user), now));
        return remaining <= 0 ? 0 : Math.max(1, (remaining + 999_999_999L) / 1_000_000_000L);
    }

    /** A wrong password: counted for the address and the user; returns the lockouts it started. */
    synchronized Lockout failed(String address, String user) {
        long now = nanoClock.getAsLong();
        List<String> started = new ArrayList<>(2);
        for (String key : List.of(key(ADDRESS, address), key(USER, user))) {
            Entry e = entries.remove(key); // put back last: the most recently failed is evicted last
            if (e == null) {
                e = new Entry();
            }
            if (e.locked && now - e.lockedUntil >= 0) {
                e.locked = false; // a lockout that ended starts a fresh count
                e.failures.clear();
            }
            if (!e.locked) {
                while (!e.failures.isEmpty() && now - e.failures.peekFirst() >= windowNanos) {
                    e.failures.pollFirst();
                }
                e.failures.addLast(now);
                if (e.failures.size() >= maxFailures) {
                    e.failures.clear();
                    e.locked = true;
                    e.lockedUntil = now + lockoutNanos;
                    started.add(key);
                }
            }
            entries.put(key, e);
        }
        evict(now);
        return new Lockout(started);
    }

    /** A successful login: the address's and the user's counts start again. */
    synchronized void succeeded(String address, String user) {
        entries.remove(key(ADDRESS, address));
        entries.remove(key(USER, user));
    }

    synchronized int tracked() {
        return entries.size();
    }

    static final String ADDRESS = "address ";
    static final String USER = "user ";

    /** The map key, which is also what the log names: {@code address 127.0.0.1}, {@code user admin}. */
    static String key(String kind, String value) {
        return kind + value;
    }

    private long remaining(String key, long now) {
        Entry e = entries.get(key);
        return e == null || !e.locked ? 0 : e.lockedUntil - now;
    }

    /** Past the cap: first every entry with nothing left to count, then the least recently failed. */
    private void evict(long now) {
        if (entries.size() <= maxTracked) {
            return;
        }
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            boolean lockEnded = !e.locked || now - e.lockedUntil >= 0;
            boolean windowEnded = e.failures.isEmpty() || now - e.failures.peekLast() >= windowNanos;
            if (lockEnded && windowEnded) {
                it.remove();
            }
        }
        for (Iterator<Entry> it = entries.values().iterator(); entries.size() > maxTracked && it.hasNext(); ) {
            it.next();
            it.remove();
        }
    }

    /** The settings of this throttle, for the messages. */
    synchronized String describe() {
        return maxFailures + " failed logins within " + Duration.ofNanos(windowNanos).toSeconds() + " s";
    }
}
