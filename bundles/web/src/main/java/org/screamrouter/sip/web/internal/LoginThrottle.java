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
 * counts of its address and user. Logins in progress count as failures until they end ({@link #begin} to
 * {@link #failed}, {@link #succeeded} or {@link #released}), so parallel requests get no more guesses than sequential
 * ones. Memory is bounded: at most {@link #MAX_TRACKED} addresses and users are tracked; past
 * that the entries that are neither counting nor locked any more go first, then the least recently failed ones (an
 * attacker rotating names or addresses can push out an old count, but has to fail {@link #MAX_TRACKED} times to do it).
 * Times come from a nanosecond clock (tests move it). Thread-safe.
 */
final class LoginThrottle {
    /** Addresses and user names tracked at once. */
    static final int MAX_TRACKED = 4096;

    /** What a failure started: the address and user names locked out by it (usually none), for the log. */
    record Lockout(List<String> started) {}

    /**
     * The answer of {@link #begin}: a permit for a login that may go ahead (its password may be checked), else how
     * long to wait, and whether because of a lockout (else: too many logins of it in progress).
     */
    record Admission(Permit permit, long retryAfterS, boolean lockedOut) {}

    /** A login in progress: ended exactly once by {@link #failed}, {@link #succeeded} or {@link #released}. */
    static final class Permit {
        private final String address;
        private final String user;
        private final Entry[] entries;
        private boolean ended;

        private Permit(String address, String user, Entry... entries) {
            this.address = address;
            this.user = user;
            this.entries = entries;
        }
    }

    /** One address or user: the times of its recent failures (at most maxFailures), its logins in progress, its lockout. */
    private static final class Entry {
        final ArrayDeque<Long> failures = new ArrayDeque<>();
        int inProgress;
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
     * Whether a login from {@code address} as {@code user} may go ahead: refused while either is locked out (the wait
     * rounded up to whole seconds, the longer lockout), or while either has as many logins in progress as failures
     * left before a lockout (wait 1 s).
     */
    synchronized Admission begin(String address, String user) {
        long now = nanoClock.getAsLong();
        long remaining = Math.max(remaining(key(ADDRESS, address), now), remaining(key(USER, user), now));
        if (remaining > 0) {
            return new Admission(null, Math.max(1, (remaining + 999_999_999L) / 1_000_000_000L), true);
        }
        Entry a = entry(key(ADDRESS, address), now);
        Entry u = entry(key(USER, user), now);
        if (a.failures.size() + a.inProgress >= maxFailures || u.failures.size() + u.inProgress >= maxFailures) {
            return new Admission(null, 1, false);
        }
        a.inProgress++;
        u.inProgress++;
        evict(now);
        return new Admission(new Permit(address, user, a, u), 0, false);
    }

    /** A wrong password: counted for the address and the user; returns the lockouts it started. */
    synchronized Lockout failed(Permit permit) {
        if (!end(permit)) {
            return new Lockout(List.of());
        }
        long now = nanoClock.getAsLong();
        List<String> started = new ArrayList<>(2);
        String[] keys = {key(ADDRESS, permit.address), key(USER, permit.user)};
        for (int i = 0; i < keys.length; i++) {
            Entry e = permit.entries[i];
            if (entries.get(keys[i]) != e) {
                continue; // evicted meanwhile
            }
            entries.remove(keys[i]); // put back last: the most recently failed is evicted last
            expire(e, now);
            if (!e.locked) {
                e.failures.addLast(now);
                if (e.failures.size() >= maxFailures) {
                    e.failures.clear();
                    e.locked = true;
                    e.lockedUntil = now + lockoutNanos;
                    started.add(keys[i]);
                }
            }
            entries.put(keys[i], e);
        }
        evict(now);
        return new Lockout(started);
    }

    /** A successful login: the address's and the user's counts start again. */
    synchronized void succeeded(Permit permit) {
        if (end(permit)) {
            entries.remove(key(ADDRESS, permit.address));
            entries.remove(key(USER, permit.user));
        }
    }

    /** A login that neither failed nor succeeded (a user without the role, a realm that cannot be used): not counted. */
    synchronized void released(Permit permit) {
        end(permit);
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

    private boolean end(Permit permit) {
        if (permit.ended) {
            return false;
        }
        permit.ended = true;
        for (Entry e : permit.entries) {
            e.inProgress--;
        }
        return true;
    }

    /** The entry of this key, made when missing, its window and an ended lockout brought up to {@code now}. */
    private Entry entry(String key, long now) {
        Entry e = entries.computeIfAbsent(key, k -> new Entry());
        expire(e, now);
        return e;
    }

    private void expire(Entry e, long now) {
        if (e.locked && now - e.lockedUntil >= 0) {
            e.locked = false; // a lockout that ended starts a fresh count
            e.failures.clear();
        }
        while (!e.failures.isEmpty() && now - e.failures.peekFirst() >= windowNanos) {
            e.failures.pollFirst();
        }
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
            if (lockEnded && windowEnded && e.inProgress == 0) {
                it.remove();
            }
        }
        for (Iterator<Entry> it = entries.values().iterator(); entries.size() > maxTracked && it.hasNext(); ) {
            it.next();
            it.remove();
        }
    }
}
