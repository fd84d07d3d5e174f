package org.screamrouter.sip.stack.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Requests of a method whose handler has just left, held until a handler for it comes back (a {@code bundle:update}
 * of the registrar, presence or calls) instead of answered 405 as if the server had never served it.
 *
 * <p>A method counts as <em>away</em> from the moment its last handler leaves. Its requests are held until the away
 * time reaches the wait ({@code handler.wait}); then the held ones, and later ones while it stays away, get 503 with
 * Retry-After from the dispatcher. A method never served here is not away: it gets 405 (or 501) at once. Held
 * requests are bounded in number ({@link #MAX_HELD}); a retransmission of a held request (same cache key) is dropped,
 * the original is answered. That holds until the original is answered: once its handler is back, a returned request
 * counts as {@link #resuming} until the resumer has handed it over ({@link #resumed}), so a retransmission arriving while
 * the backlog is worked off is dropped too, not given to the handler a second time. All methods synchronized: a hold,
 * a return and a sweep are rare and short.
 */
final class HeldRequests {
    /** At most this many requests are held at once (a parsed request is a few KB): past it, 503 at once. */
    static final int MAX_HELD = 4096;

    /** What happens to a held request: resumed when its handler is back, or expired when the wait ran out. */
    interface Held {
        void resume();

        void expire();
    }

    /**
     * What {@link #hold} did: held it, dropped it as a retransmission of one held, refused it (answer it now), or
     * found its method not away (any more: its handler came back since the caller looked; dispatch it again).
     */
    enum Outcome { HELD, RETRANSMISSION, REFUSED, NOT_AWAY }

    private record Entry(String key, Held held) {}

    private final Map<String, Long> awaySince = new HashMap<>();
    private final Map<String, ArrayDeque<Entry>> byMethod = new HashMap<>();
    private final Set<String> keys = new HashSet<>();
    /** Keys of returned requests not yet handed to their handler (waiting for the resumer, or in it). */
    private final Set<String> resuming = new HashSet<>();
    private long waitNanos;
    private int size;

    HeldRequests(long waitNanos) {
        this.waitNanos = waitNanos;
    }

    synchronized void waitNanos(long nanos) {
        this.waitNanos = nanos;
    }

    synchronized long waitNanos() {
        return waitNanos;
    }

    /** The methods served before and after a change of handlers: the ones that left become away, returning ones not. */
    synchronized void served(Set<String> before, Set<String> after, long now) {
        for (String method : before) {
            // with no wait configured a handler that leaves is simply gone: its method gets 405 as if never served
            if (!after.contains(method) && waitNanos > 0) awaySince.putIfAbsent(method, now);
        }
        after.forEach(awaySince::remove);
    }

    /**
     * The handler still listed for this method said it is closing ({@code HandlerClosedException}): the method counts
     * as away from now, until a handler for it is added again.
     */
    synchronized void closing(String method, long now) {
        if (waitNanos > 0) awaySince.putIfAbsent(method, now);
    }

    /**
     * Methods served before this stack started (by the stack revision or run before it): away from {@code now} unless
     * already served, so that their requests wait for the handlers that are on their way instead of getting 405.
     */
    synchronized void servedBefore(Set<String> methods, Set<String> servedNow, long now) {
        if (waitNanos <= 0) return;
        for (String method : methods) {
            if (!servedNow.contains(method)) awaySince.putIfAbsent(method, now);
        }
    }

    /** Whether requests of this method are held now (it was served, its handler left less than the wait ago). */
    synchronized boolean holding(String method, long now) {
        Long since = awaySince.get(method);
        return since != null && now - since < waitNanos;
    }

    /** Whether this method was served and its handler is gone (held or, past the wait, 503). */
    synchronized boolean away(String method) {
        return awaySince.containsKey(method);
    }

    /**
     * Holds a request of an away method, unless the method is not held now or the bound is reached (REFUSED); a
     * retransmission of a held request is not held again (RETRANSMISSION: drop it, the original will be answered). A
     * method that is not away is NOT_AWAY: its handler came back between the caller's look and this call (seen in a
     * refresh: one REGISTER answered 503 "away past the wait" 40 ms after the stack had started).
     */
    synchronized Outcome hold(String method, String key, Held held, long now) {
        if (!awaySince.containsKey(method)) return Outcome.NOT_AWAY;
        if (!holding(method, now)) return Outcome.REFUSED;
        if (key != null && keys.contains(key)) return Outcome.RETRANSMISSION;
        if (size >= MAX_HELD) return Outcome.REFUSED;
        byMethod.computeIfAbsent(method, m -> new ArrayDeque<>()).add(new Entry(key, held));
        if (key != null) keys.add(key);
        size++;
        return Outcome.HELD;
    }

    /**
     * The held requests of methods that now have a handler, taken out in the order they came. Their keys count as
     * {@link #resuming} until {@link #resumed} is called for each.
     */
    synchronized List<Held> returned(Predicate<String> served) {
        return take(served, true);
    }

    /** Whether the request of this key was held and is now being handed to its handler: a copy of it is dropped. */
    synchronized boolean resuming(String key) {
        return key != null && resuming.contains(key);
    }

    /** The returned request of this key has been handed to its handler (and answered, if its handler answers at once). */
    synchronized void resumed(String key) {
        if (key != null) resuming.remove(key);
    }

    /**
     * The held requests whose method has been away for the whole wait, taken out. A method whose handler is back is not
     * away: its requests are the resume's ({@link #returned}), even while that has not taken them out yet.
     */
    synchronized List<Held> expired(long now) {
        return take(method -> awaySince.containsKey(method) && !holding(method, now), false);
    }

    synchronized int size() {
        return size;
    }

    private synchronized List<Held> take(Predicate<String> which, boolean resume) {
        List<Held> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, ArrayDeque<Entry>>> it = byMethod.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, ArrayDeque<Entry>> e = it.next();
            if (!which.test(e.getKey())) continue;
            for (Entry entry : e.getValue()) {
                out.add(entry.held());
                if (entry.key() != null) {
                    keys.remove(entry.key());
                    if (resume) resuming.add(entry.key());
                }
            }
            size -= e.getValue().size();
            it.remove();
        }
        return out;
    }
}
