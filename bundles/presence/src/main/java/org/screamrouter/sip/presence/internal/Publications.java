package org.screamrouter.sip.presence.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.screamrouter.sip.stack.SipHeaders;

/**
 * Event state publications (RFC 3903 section 6) by entity-tag. Every successful PUBLISH gets a new entity-tag
 * (6, step 7); a refresh or modification names the current one in {@code SIP-If-Match} and an unknown or
 * outdated tag is refused (412). One publication per resource is kept: a new initial PUBLISH replaces the one
 * before it, so watchers see the device's latest word.
 */
final class Publications {
    private final ConcurrentHashMap<String, Publication> byTag = new ConcurrentHashMap<>();
    /** An initial PUBLISH (no SIP-If-Match): returns the new publication and the one it replaced, if any. */
    synchronized Replaced create(String resource, String body, String basic, Instant expires) {
        Publication old = current(resource).orElse(null);
        if (old != null) byTag.remove(old.entityTag());
        Publication p = new Publication(SipHeaders.newTag(), resource, body, basic, expires);
        byTag.put(p.entityTag(), p);
        return new Replaced(p, old);
    }

    record Replaced(Publication now, Publication before) {}

    Optional<Publication> get(String entityTag) {
        return Optional.ofNullable(byTag.get(entityTag));
    }

    /**
     * A refresh (no body) or modification (body) of the publication with this entity-tag: the new publication,
     * under a new tag, or empty when the tag is unknown (412).
     */
    synchronized Optional<Publication> update(String entityTag, String body, String basic, Instant expires) {
        Publication old = byTag.remove(entityTag);
        if (old == null) return Optional.empty();
        Publication p = new Publication(SipHeaders.newTag(), old.resource(), body == null ? old.body() : body,
                body == null ? old.basic() : basic, expires);
        byTag.put(p.entityTag(), p);
        return Optional.of(p);
    }

    /** Removal ({@code Expires: 0}): the removed publication, or empty when the tag is unknown. */
    Optional<Publication> remove(String entityTag) {
        return Optional.ofNullable(byTag.remove(entityTag));
    }

    void restore(Publication p) {
        byTag.put(p.entityTag(), p);
    }

    /** The valid publication of a resource, if any. */
    Optional<Publication> current(String resource) {
        for (Publication p : byTag.values()) {
            if (p.resource().equals(resource)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Removes and returns the publications expired at {@code now}. */
    List<Publication> expire(Instant now) {
        List<Publication> out = new ArrayList<>();
        for (Publication p : byTag.values()) {
            if (!p.expires().isAfter(now) && byTag.remove(p.entityTag(), p)) out.add(p);
        }
        return out;
    }

    List<Publication> all() {
        List<Publication> out = new ArrayList<>(byTag.values());
        out.sort(Comparator.comparing(Publication::resource));
        return out;
    }
}
