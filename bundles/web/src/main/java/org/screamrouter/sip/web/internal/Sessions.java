package org.screamrouter.sip.web.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The console's logins, kept server side: a session is a random 128-bit id (the cookie) with the user it belongs to and
 * its own random 128-bit CSRF token (returned at login, required in {@code X-CSRF-Token} on every change). A session
 * unused for the idle timeout is gone; at most {@code max} live at once. Times come from a nanosecond clock (tests move
 * it).
 */
final class Sessions {
    /** One login. {@link #lastUsed} moves with each request that {@link #find finds} it. */
    static final class Session {
        final String id;
        final String csrf;
        final String user;
        private volatile long lastUsed;

        private Session(String id, String csrf, String user, long now) {
            this.id = id;
            this.csrf = csrf;
            this.user = user;
            this.lastUsed = now;
        }

        /** Whether {@code token} is this session's CSRF token (compared in constant time). */
        boolean csrfMatches(String token) {
            return token != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random;
    private final LongSupplier nanoClock;
    private volatile long idleNanos;
    private volatile int max;

    Sessions(SecureRandom random, LongSupplier nanoClock, Duration idle, int max) {
        this.random = random;
        this.nanoClock = nanoClock;
        limits(idle, max);
    }

    /** New limits; live sessions are kept and measured against them from now on. */
    void limits(Duration idle, int max) {
        this.idleNanos = idle.toNanos();
        this.max = max;
    }

    /** A new session of {@code user}, or empty when {@link #max} sessions are live. */
    synchronized Optional<Session> create(String user) {
        expire();
        if (sessions.size() >= max) {
            return Optional.empty();
        }
        Session s = new Session(token(), token(), user, nanoClock.getAsLong());
        sessions.put(s.id, s);
        return Optional.of(s);
    }

    /** The live session of this id, now counted as used; empty for an unknown, ended or idle one (which ends). */
    Optional<Session> find(String id) {
        return live(id, true);
    }

    /** The same without counting as a use: for an open event stream, which must not keep a session alive by itself. */
    Optional<Session> peek(String id) {
        return live(id, false);
    }

    private Optional<Session> live(String id, boolean touch) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        long now = nanoClock.getAsLong();
        if (now - s.lastUsed > idleNanos) {
            sessions.remove(id, s);
            return Optional.empty();
        }
        if (touch) {
            s.lastUsed = now;
        }
        return Optional.of(s);
    }

    /** Ends a session (logout); false when it was not live. */
    boolean remove(String id) {
        return id != null && sessions.remove(id) != null;
    }

    /** Drops idle sessions; returns how many. */
    int expire() {
        long now = nanoClock.getAsLong();
        int dropped = 0;
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            if (now - it.next().lastUsed > idleNanos) {
                it.remove();
                dropped++;
            }
        }
        return dropped;
    }

    int size() {
        return sessions.size();
    }

    private String token() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
