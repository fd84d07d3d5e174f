package org.screamrouter.sip.presence.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The live subscriptions, by id (our To-tag). A subscription is active from its 200 OK until it expires, is
 * unsubscribed ({@code Expires: 0}) or a NOTIFY fails; then it is {@link Subscription#terminating() terminating}
 * while its final NOTIFY is sent, and removed after. Thread-safe: JAIN-SIP threads, EventAdmin and the
 * component's own executor all use it.
 */
final class SubscriptionTable {
    private final ConcurrentHashMap<String, Subscription> byId = new ConcurrentHashMap<>();

    /** Adds a new subscription unless {@code limit} subscriptions exist already. */
    /** What became of {@link #add}. */
    enum Added { ADDED, FULL, SOURCE_FULL }

    /**
     * Adds a new subscription unless the table holds {@code limit} already, or {@code perSource} from the IP address the
     * SUBSCRIBE came from.
     */
    Added add(Subscription s, int limit, int perSource) {
        synchronized (byId) {
            if (byId.size() >= limit) {
                return Added.FULL;
            }
            java.net.InetAddress source = s.remote() == null ? null : s.remote().getAddress();
            if (source != null && byId.values().stream().filter(o -> o.remote() != null && source.equals(o.remote().getAddress()))
                    .limit(perSource).count() >= perSource) {
                return Added.SOURCE_FULL;
            }
            byId.put(s.id(), s);
            return Added.ADDED;
        }
    }

    /** A subscription restored from the store. */
    void restore(Subscription s) {
        byId.put(s.id(), s);
    }

    /** The subscription of an in-dialog SUBSCRIBE (its To-tag, Call-ID and From-tag), if it is still active. */
    Optional<Subscription> inDialog(String toTag, String callId, String fromTag) {
        Subscription s = byId.get(toTag);
        return s != null && !s.terminating() && s.matches(callId, fromTag) ? Optional.of(s) : Optional.empty();
    }

    Optional<Subscription> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Replaces a subscription that still exists; returns the new value or empty. */
    Optional<Subscription> update(String id, UnaryOperator<Subscription> change) {
        return Optional.ofNullable(byId.computeIfPresent(id, (k, s) -> change.apply(s)));
    }

    /** Marks an active subscription terminating; empty when it is gone or already terminating. */
    Optional<Subscription> terminate(String id) {
        Subscription[] ended = new Subscription[1];
        byId.computeIfPresent(id, (k, s) -> {
            if (s.terminating()) return s;
            ended[0] = s.ending();
            return ended[0];
        });
        return Optional.ofNullable(ended[0]);
    }

    Optional<Subscription> remove(String id) {
        return Optional.ofNullable(byId.remove(id));
    }

    /** Active subscriptions whose expiry has passed at {@code now}, marked terminating. */
    List<Subscription> expire(Instant now) {
        List<Subscription> out = new ArrayList<>();
        for (Subscription s : byId.values()) {
            if (!s.terminating() && !s.expires().isAfter(now)) {
                terminate(s.id()).ifPresent(out::add);
            }
        }
        return out;
    }

    /** Active subscriptions to one event package that watch a device (or everything). */
    List<Subscription> watching(String event, String uuid) {
        List<Subscription> out = new ArrayList<>();
        for (Subscription s : byId.values()) {
            if (!s.terminating() && s.event().equals(event) && s.watches(uuid)) out.add(s);
        }
        return out;
    }

    List<Subscription> all() {
        List<Subscription> out = new ArrayList<>(byId.values());
        out.sort(Comparator.comparing(Subscription::id));
        return out;
    }

    int size() {
        return byId.size();
    }
}
