package org.screamrouter.sip.registrar.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.sip.address.URI;
import org.screamrouter.sip.registrar.Binding;

/**
 * The bindings of every address-of-record. Each AOR's list is immutable and replaced whole inside
 * {@link ConcurrentHashMap#compute}, so one REGISTER is applied to its AOR atomically (RFC 3261 10.3 step
 * 8: all or nothing) while REGISTERs for other AORs run in parallel.
 */
final class BindingTable {
    /** One Contact of a REGISTER: its URI, the binding it asks for, and 0 seconds to remove it. */
    record Update(URI contact, Binding binding, long seconds) {}

    sealed interface Outcome {
        /** {@code before}: the AOR's live bindings before this REGISTER. */
        record Applied(List<Binding> current, List<Binding> before) implements Outcome {
            /** The binding the table holds for this one of the REGISTER (with the strings it already held, see sameValues). */
            Binding stored(Binding asked) {
                for (Binding b : current) {
                    if (b.contactUri().equals(asked.contactUri())) return b;
                }
                return asked;
            }

            /** The binding this REGISTER refreshed for that contact (the same contact text), null when it made it. */
            Binding refreshed(Binding stored) {
                for (Binding b : before) {
                    if (b.contactUri().equals(stored.contactUri())) return b;
                }
                return null;
            }
        }
        record StaleCSeq(String contact) implements Outcome {}
        record TooManyContacts(int limit) implements Outcome {}
        record TableFull(int limit) implements Outcome {}
        record SourceFull(int limit) implements Outcome {}
    }

    private static final Comparator<Binding> BEST_FIRST = Comparator
            .comparingDouble((Binding b) -> b.q() < 0 ? 1.0 : b.q()).reversed()
            .thenComparing(Binding::registeredAt, Comparator.reverseOrder());

    private final Map<String, List<Binding>> byAor = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    /** Live and expired-but-not-yet-dropped bindings per source IP address (a binding without source is not counted). */
    private final Map<java.net.InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();
    /**
     * Parses a stored Contact URI for the RFC 3261 19.1.4 comparison. The parsed URI is not kept with the binding:
     * it cost about 450 bytes of heap per binding (issue 15), and a REGISTER compares with the few bindings of one AOR.
     */
    private final Function<String, URI> parser;
    /** Each AOR with bindings, filed no later than its earliest expiry (for {@link #expire}). */
    private final DueTimes expiries = new DueTimes();

    /** @param parser parses a Contact URI as the binding stores it ({@link Binding#contactUri()}) */
    BindingTable(Function<String, URI> parser) {
        this.parser = parser;
    }

    /**
     * Applies the Contacts of one REGISTER (steps 6-8): a binding with the same Call-ID and a CSeq not above
     * the stored one makes the whole request fail, as do the limits; otherwise every update is applied.
     */
    Outcome apply(String aor, List<Update> updates, String callId, long cseq, Instant now, int maxPerAor, int maxTotal,
            java.net.InetAddress source, int maxPerSource) {
        Outcome[] outcome = new Outcome[1];
        Instant[] sooner = new Instant[1];
        byAor.compute(aor, (key, old) -> {
            List<Binding> current = live(old, now);
            List<Binding> next = new ArrayList<>(current);
            for (Update u : updates) {
                int i = indexOf(next, u.contact(), u.binding().contactUri());
                Binding existing = null;
                if (i >= 0) {
                    existing = next.get(i);
                    if (existing.callId().equals(callId) && cseq <= existing.cseq()) {
                        outcome[0] = new Outcome.StaleCSeq(u.contact().toString());
                        return old;
                    }
                    next.remove(i);
                }
                if (u.seconds() > 0) {
                    next.add(existing == null ? u.binding() : sameValues(u.binding(), existing));
                }
            }
            int delta = next.size() - (old == null ? 0 : old.size());
            if (next.size() > current.size() && next.size() > maxPerAor) {
                outcome[0] = new Outcome.TooManyContacts(maxPerAor);
                return old;
            }
            if (delta > 0 && count.get() + delta > maxTotal) {
                outcome[0] = new Outcome.TableFull(maxTotal);
                return old;
            }
            int fromSource = bySource(next, source) - bySource(old, source);
            if (fromSource > 0 && sourceCount(source) + fromSource > maxPerSource) {
                outcome[0] = new Outcome.SourceFull(maxPerSource);
                return old;
            }
            count.addAndGet(delta);
            account(old, next);
            next.sort(BEST_FIRST);
            List<Binding> applied = List.copyOf(next);
            outcome[0] = new Outcome.Applied(applied, current);
            Instant earliest = earliest(applied);
            Instant before = earliest(current);
            if (earliest != null && (before == null || earliest.isBefore(before))) sooner[0] = earliest;
            return applied.isEmpty() ? null : applied;
        });
        if (sooner[0] != null) expiries.at(aor, sooner[0]);
        return outcome[0];
    }

    /**
     * A refresh of {@code existing}, holding existing's strings and address wherever they are equal: a REGISTER
     * parses them anew, and the table, the device book and its indexes would otherwise each keep a copy of the same
     * text per device (issue 15: heap per device).
     */
    private static Binding sameValues(Binding b, Binding existing) {
        return new Binding(
                reuse(b.addressOfRecord(), existing.addressOfRecord()), reuse(b.contactUri(), existing.contactUri()),
                reuse(b.contactHeader(), existing.contactHeader()), reuse(b.transport(), existing.transport()),
                reuse(b.source(), existing.source()), b.expires(), b.q(), reuse(b.callId(), existing.callId()), b.cseq(),
                b.path().equals(existing.path()) ? existing.path() : b.path(), b.registeredAt());
    }

    private static <T> T reuse(T value, T existing) {
        return java.util.Objects.equals(value, existing) ? existing : value;
    }

    /** Removes every binding of an AOR ({@code Contact: *}, RFC 3261 10.3 step 6); returns them. */
    List<Binding> removeAll(String aor) {
        List<Binding> old = byAor.remove(aor);
        if (old == null) {
            return List.of();
        }
        count.addAndGet(-old.size());
        account(old, null);
        return old;
    }

    /** Removes one binding (same AOR and contact); false when it was not there. */
    boolean remove(Binding binding) {
        boolean[] removed = {false};
        byAor.computeIfPresent(binding.addressOfRecord(), (key, old) -> {
            List<Binding> next = old.stream().filter(e -> !e.contactUri().equals(binding.contactUri())).toList();
            removed[0] = next.size() < old.size();
            count.addAndGet(next.size() - old.size());
            account(old, next);
            return next.isEmpty() ? null : next;
        });
        return removed[0];
    }

    /** Puts back a binding read from the store (no ordering or limit checks: it was accepted before). */
    void restore(Binding binding) {
        URI contact = parser.apply(binding.contactUri());
        byAor.compute(binding.addressOfRecord(), (key, old) -> {
            List<Binding> next = new ArrayList<>(old == null ? List.of() : old);
            next.removeIf(e -> same(e, contact, binding.contactUri()));
            next.add(binding);
            next.sort(BEST_FIRST);
            count.addAndGet(next.size() - (old == null ? 0 : old.size()));
            account(old, next);
            return List.copyOf(next);
        });
        expiries.at(binding.addressOfRecord(), binding.expires());
    }

    /** The binding of this AOR whose contact matches (RFC 3261 19.1.4, as {@link #apply} matches it), expired or not. */
    Optional<Binding> find(String aor, URI contact) {
        List<Binding> entries = byAor.get(aor);
        int i = entries == null ? -1 : indexOf(entries, contact, contact.toString());
        return i < 0 ? Optional.empty() : Optional.of(entries.get(i));
    }

    List<Binding> bindings(String aor, Instant now) {
        return live(byAor.get(aor), now);
    }

    List<Binding> all(Instant now) {
        List<Binding> out = new ArrayList<>();
        byAor.keySet().stream().sorted().forEach(aor -> out.addAll(bindings(aor, now)));
        return out;
    }

    int size() {
        return count.get();
    }

    /**
     * Drops expired bindings; returns those dropped. Runs every second, and visits only the AORs filed up to now
     * ({@link DueTimes}); an AOR that keeps bindings is filed again at its earliest expiry.
     */
    List<Binding> expire(Instant now) {
        List<Binding> dropped = new ArrayList<>();
        for (String aor : expiries.upTo(now)) {
            List<Binding> left = byAor.computeIfPresent(aor, (key, old) -> {
                List<Binding> live = live(old, now);
                if (live.size() == old.size()) {
                    return old;
                }
                for (Binding b : old) {
                    if (!b.expires().isAfter(now)) dropped.add(b);
                }
                count.addAndGet(live.size() - old.size());
                account(old, live);
                return live.isEmpty() ? null : live;
            });
            Instant next = earliest(left);
            if (next != null) expiries.at(aor, next);
        }
        return dropped;
    }

    /** The earliest expiry of these bindings; null for none. */
    private static Instant earliest(List<Binding> entries) {
        Instant first = null;
        if (entries != null) {
            for (Binding b : entries) {
                if (first == null || b.expires().isBefore(first)) first = b.expires();
            }
        }
        return first;
    }

    private static boolean anyExpired(List<Binding> entries, Instant now) {
        for (Binding b : entries) {
            if (!b.expires().isAfter(now)) return true;
        }
        return false;
    }

    /** Bindings from this source IP address now. */
    int sourceCount(java.net.InetAddress source) {
        AtomicInteger n = source == null ? null : perSource.get(source);
        return n == null ? 0 : n.get();
    }

    private static int bySource(List<Binding> entries, java.net.InetAddress source) {
        if (entries == null || source == null) return 0;
        int n = 0;
        for (Binding e : entries) {
            if (e.source() != null && source.equals(e.source().getAddress())) n++;
        }
        return n;
    }

    /** Moves the per-source counts from an AOR's old list to its new one (inside the AOR's compute). */
    private void account(List<Binding> before, List<Binding> after) {
        if (before != null) {
            for (Binding e : before) {
                if (e.source() == null) continue;
                perSource.computeIfPresent(e.source().getAddress(), (a, n) -> n.decrementAndGet() <= 0 ? null : n);
            }
        }
        if (after != null) {
            for (Binding e : after) {
                if (e.source() == null) continue;
                perSource.computeIfAbsent(e.source().getAddress(), a -> new AtomicInteger()).incrementAndGet();
            }
        }
    }

    private static List<Binding> live(List<Binding> entries, Instant now) {
        if (entries == null) {
            return List.of();
        }
        if (!anyExpired(entries, now)) {
            return entries;
        }
        List<Binding> live = new ArrayList<>(entries.size());
        for (Binding b : entries) {
            if (b.expires().isAfter(now)) live.add(b);
        }
        return List.copyOf(live);
    }

    /** {@code text}: the contact as {@link Binding#contactUri()} writes it. */
    private int indexOf(List<Binding> entries, URI contact, String text) {
        for (int i = 0; i < entries.size(); i++) {
            if (same(entries.get(i), contact, text)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether the binding's contact is this URI (RFC 3261 19.1.4); a stored contact that no longer parses is not. The
     * same text is the same URI, so the stored contact is parsed only when the texts differ (a refresh sends the same).
     */
    private boolean same(Binding binding, URI contact, String text) {
        if (binding.contactUri().equals(text)) return true;
        try {
            return parser.apply(binding.contactUri()).equals(contact);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
