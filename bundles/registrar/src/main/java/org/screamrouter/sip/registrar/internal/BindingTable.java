package org.screamrouter.sip.registrar.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.sip.address.URI;
import org.screamrouter.sip.registrar.Binding;

/**
 * The bindings of every address-of-record. Each AOR's list of {@link Held} bindings is immutable and replaced whole
 * under the AOR's lock ({@link KeyLocks}), so one REGISTER is applied to its AOR atomically (RFC 3261 10.3 step 8: all
 * or nothing) while REGISTERs for other AORs run in parallel. A refresh that moves only what every refresh moves (the
 * expiry, the time, the CSeq and the Call-ID) moves it in its {@link Held} binding, under the same lock, and leaves the
 * list and the map as they are (docs/registrar-state.md, "Refreshes in place").
 */
final class BindingTable {
    /** One Contact of a REGISTER: its URI, the binding it asks for, and 0 seconds to remove it. */
    record Update(URI contact, Binding binding, long seconds) {}

    sealed interface Outcome {
        /** {@code before}: the AOR's live bindings before this REGISTER; both lists best first. */
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

    /**
     * A binding as the table holds it: the binding as it was made, and what each refresh moves: the expiry and time as
     * numbers, the CSeq, and the Call-ID (made's unless the device changed it). A refresh writes these and keeps no
     * new record. Why: under 100,000 devices refreshing every 10 s, each refresh's new binding, its two times and its
     * AOR's new list lived until the next refresh, and G1 copied them between survivor spaces at every young pause
     * until they died (docs/performance.md, "Refreshes in place"). They are written under the lock of this object;
     * {@link #binding()} reads them under it, so a reader never mixes two refreshes. The expiry and the CSeq are also
     * read alone, without it.
     *
     * <p>A changed Call-ID is kept as characters in a buffer of this binding's that the next change overwrites when it
     * fits, not as the request's string: a UA that takes a new Call-ID for every REGISTER (sipp does; RFC 3261 10.2.4
     * asks for one per boot) made each refresh keep a new string for one refresh interval, copied at every young pause
     * and written into this old object, a card of the old generation for the next pause to scan (docs/performance.md,
     * "A changed Call-ID in place").
     */
    static final class Held {
        /** Characters beyond a changed Call-ID's that its buffer has room for: a call counter in the next one may grow. */
        private static final int CALL_ID_SPARE = 8;
        final Binding made;
        private volatile long expiresNanos;
        private volatile long registeredNanos;
        private volatile long cseq;
        /** The Call-ID's characters when the device changed it (null until then); guarded by this. */
        private char[] callIdChars;
        /** How many of {@link #callIdChars} are the Call-ID; -1 while it is made's. Guarded by this. */
        private int callIdLength = -1;

        Held(Binding made) {
            this.made = made;
            this.expiresNanos = EpochNanos.of(made.expires());
            this.registeredNanos = EpochNanos.of(made.registeredAt());
            this.cseq = made.cseq();
        }

        /** The binding with its last refresh's expiry, time, CSeq and Call-ID. */
        synchronized Binding binding() {
            long expires = expiresNanos;
            long registered = registeredNanos;
            if (expires == EpochNanos.of(made.expires()) && registered == EpochNanos.of(made.registeredAt()) && cseq == made.cseq()
                    && callIdLength < 0) {
                return made;
            }
            return new Binding(made.addressOfRecord(), made.contactUri(), made.contactHeader(), made.transport(), made.source(),
                    EpochNanos.instant(expires), made.q(), callId(), cseq, made.path(), EpochNanos.instant(registered));
        }

        /** Whether {@code b} differs from this binding only in what a refresh moves in place (expiry, time, CSeq, Call-ID). */
        boolean refreshedInPlaceBy(Binding b) {
            return Objects.equals(made.addressOfRecord(), b.addressOfRecord()) && Objects.equals(made.contactUri(), b.contactUri())
                    && Objects.equals(made.contactHeader(), b.contactHeader()) && Objects.equals(made.transport(), b.transport())
                    && Objects.equals(made.source(), b.source()) && Float.compare(made.q(), b.q()) == 0 && made.path().equals(b.path());
        }

        synchronized void refresh(Binding b) {
            expiresNanos = EpochNanos.of(b.expires());
            registeredNanos = EpochNanos.of(b.registeredAt());
            cseq = b.cseq();
            String id = b.callId();
            if (hasCallId(id)) return; // a device keeps its Call-ID (RFC 3261 10.2.4): nothing to write
            if (id.equals(made.callId())) {
                callIdLength = -1;
                return;
            }
            if (callIdChars == null || callIdChars.length < id.length()) {
                callIdChars = new char[id.length() + CALL_ID_SPARE]; // room for a counter in it to grow
            }
            id.getChars(0, id.length(), callIdChars, 0);
            callIdLength = id.length();
        }

        /** Whether {@code id} is the Call-ID of the last refresh (no string made). */
        synchronized boolean hasCallId(String id) {
            if (callIdLength < 0) return id.equals(made.callId());
            if (id.length() != callIdLength) return false;
            for (int i = 0; i < callIdLength; i++) {
                if (id.charAt(i) != callIdChars[i]) return false;
            }
            return true;
        }

        long cseq() {
            return cseq;
        }

        private String callId() {
            return callIdLength < 0 ? made.callId() : new String(callIdChars, 0, callIdLength);
        }

        long expiresNanos() {
            return expiresNanos;
        }

        InetSocketAddress source() {
            return made.source();
        }
    }

    private static final Comparator<Binding> BEST_FIRST = Comparator
            .comparingDouble((Binding b) -> b.q() < 0 ? 1.0 : b.q()).reversed()
            .thenComparing(Binding::registeredAt, Comparator.reverseOrder());

    /** Each AOR's bindings; written under the AOR's lock ({@link KeyLocks}), read without it. */
    private final Map<String, List<Held>> byAor = new ConcurrentHashMap<>();
    private final KeyLocks locks = new KeyLocks(1024);
    private final AtomicInteger count = new AtomicInteger();
    /** Live and expired-but-not-yet-dropped bindings per source IP address (a binding without source is not counted). */
    private final Map<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();
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
     * Applies the Contacts of one REGISTER (steps 6-8), in their order: a binding with the same Call-ID and a CSeq not
     * above the stored one (or one this REGISTER has already refreshed) makes the whole request fail, as do the limits;
     * otherwise every update is applied, those that only refresh a binding in place.
     */
    Outcome apply(String aor, List<Update> updates, String callId, long cseq, Instant now, int maxPerAor, int maxTotal,
            InetAddress source, int maxPerSource) {
        long nowNanos = EpochNanos.of(now);
        long sooner;
        Outcome outcome;
        synchronized (locks.of(aor)) {
            List<Held> old = byAor.get(aor);
            List<Held> current = live(old, nowNanos);
            List<Held> next = new ArrayList<>(current);
            Held[] inPlace = new Held[updates.size()];
            boolean reshaped = current != old; // bindings expired, or the AOR is new: the list is made anew anyway
            for (int n = 0; n < updates.size(); n++) {
                Update u = updates.get(n);
                int i = indexOf(next, u.contact(), u.binding().contactUri());
                Held existing = null;
                if (i >= 0) {
                    existing = next.get(i);
                    if (refreshedEarlier(inPlace, n, existing) || existing.hasCallId(callId) && cseq <= existing.cseq()) {
                        return new Outcome.StaleCSeq(u.contact().toString());
                    }
                    if (u.seconds() > 0 && existing.refreshedInPlaceBy(u.binding())) {
                        inPlace[n] = existing;
                        continue;
                    }
                    next.remove(i);
                }
                reshaped = true;
                if (u.seconds() > 0) {
                    next.add(new Held(existing == null ? u.binding() : sameValues(u.binding(), existing.made)));
                }
            }
            int delta = next.size() - (old == null ? 0 : old.size());
            if (reshaped) {
                if (next.size() > current.size() && next.size() > maxPerAor) {
                    return new Outcome.TooManyContacts(maxPerAor);
                }
                if (delta > 0 && count.get() + delta > maxTotal) {
                    return new Outcome.TableFull(maxTotal);
                }
                int fromSource = bySource(next, source) - bySource(old, source);
                if (fromSource > 0 && sourceCount(source) + fromSource > maxPerSource) {
                    return new Outcome.SourceFull(maxPerSource);
                }
            }
            List<Binding> before = bindings(current);
            long earliestBefore = earliest(current);
            for (int n = 0; n < inPlace.length; n++) {
                if (inPlace[n] != null) inPlace[n].refresh(updates.get(n).binding());
            }
            List<Held> applied = current;
            if (reshaped) {
                count.addAndGet(delta);
                account(old, next);
                applied = List.copyOf(next);
                if (applied.isEmpty()) byAor.remove(aor);
                else byAor.put(aor, applied);
            }
            outcome = new Outcome.Applied(bindings(applied), before);
            long earliest = earliest(applied);
            sooner = earliest != EpochNanos.NONE && (earliestBefore == EpochNanos.NONE || earliest < earliestBefore) ? earliest : EpochNanos.NONE;
        }
        if (sooner != EpochNanos.NONE) expiries.at(aor, EpochNanos.instant(sooner));
        return outcome;
    }

    /** Whether an update before the {@code n}th of this REGISTER refreshes {@code held} in place (then the nth is stale). */
    private static boolean refreshedEarlier(Held[] inPlace, int n, Held held) {
        for (int i = 0; i < n; i++) {
            if (inPlace[i] == held) return true;
        }
        return false;
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
        return Objects.equals(value, existing) ? existing : value;
    }

    /** Removes every binding of an AOR ({@code Contact: *}, RFC 3261 10.3 step 6); returns them. */
    List<Binding> removeAll(String aor) {
        synchronized (locks.of(aor)) {
            List<Held> old = byAor.remove(aor);
            if (old == null) {
                return List.of();
            }
            count.addAndGet(-old.size());
            account(old, null);
            return bindings(old);
        }
    }

    /** Removes one binding (same AOR and contact); false when it was not there. */
    boolean remove(Binding binding) {
        String aor = binding.addressOfRecord();
        synchronized (locks.of(aor)) {
            List<Held> old = byAor.get(aor);
            if (old == null) return false;
            List<Held> next = old.stream().filter(e -> !e.made.contactUri().equals(binding.contactUri())).toList();
            if (next.size() == old.size()) return false;
            count.addAndGet(next.size() - old.size());
            account(old, next);
            if (next.isEmpty()) byAor.remove(aor);
            else byAor.put(aor, next);
            return true;
        }
    }

    /** Puts back a binding read from the store (no limit checks: it was accepted before). */
    void restore(Binding binding) {
        URI contact = parser.apply(binding.contactUri());
        String aor = binding.addressOfRecord();
        synchronized (locks.of(aor)) {
            List<Held> old = byAor.get(aor);
            List<Held> next = new ArrayList<>(old == null ? List.of() : old);
            next.removeIf(e -> same(e, contact, binding.contactUri()));
            next.add(new Held(binding));
            count.addAndGet(next.size() - (old == null ? 0 : old.size()));
            account(old, next);
            byAor.put(aor, List.copyOf(next));
        }
        expiries.at(binding.addressOfRecord(), binding.expires());
    }

    /** The binding of this AOR whose contact matches (RFC 3261 19.1.4, as {@link #apply} matches it), expired or not. */
    Optional<Binding> find(String aor, URI contact) {
        List<Held> entries = byAor.get(aor);
        int i = entries == null ? -1 : indexOf(entries, contact, contact.toString());
        return i < 0 ? Optional.empty() : Optional.of(entries.get(i).binding());
    }

    /** The live bindings of this AOR, best first. */
    List<Binding> bindings(String aor, Instant now) {
        return bindings(live(byAor.get(aor), EpochNanos.of(now)));
    }

    List<Binding> all(Instant now) {
        List<Binding> out = new ArrayList<>();
        byAor.keySet().stream().sorted().forEach(aor -> out.addAll(bindings(aor, now)));
        return out;
    }

    int size() {
        return count.get();
    }

    /** For tests: the objects holding this AOR's bindings (a refresh in place keeps them). */
    List<Held> held(String aor) {
        List<Held> held = byAor.get(aor);
        return held == null ? List.of() : held;
    }

    /**
     * Drops expired bindings; returns those dropped. Runs every second, and visits only the AORs filed up to now
     * ({@link DueTimes}); an AOR that keeps bindings is filed again at its earliest expiry.
     */
    List<Binding> expire(Instant now) {
        List<Binding> dropped = new ArrayList<>();
        long nowNanos = EpochNanos.of(now);
        for (String aor : expiries.upTo(now)) {
            long next;
            synchronized (locks.of(aor)) {
                List<Held> old = byAor.get(aor);
                List<Held> live = live(old, nowNanos);
                if (old != null && live != old) {
                    for (Held h : old) {
                        if (h.expiresNanos() <= nowNanos) dropped.add(h.binding());
                    }
                    count.addAndGet(live.size() - old.size());
                    account(old, live);
                    if (live.isEmpty()) byAor.remove(aor);
                    else byAor.put(aor, live);
                }
                next = earliest(live);
            }
            if (next != EpochNanos.NONE) expiries.at(aor, EpochNanos.instant(next));
        }
        return dropped;
    }

    /** The bindings as they are now, best first. */
    private static List<Binding> bindings(List<Held> held) {
        if (held.isEmpty()) return List.of();
        if (held.size() == 1) return List.of(held.get(0).binding());
        List<Binding> out = new ArrayList<>(held.size());
        for (Held h : held) {
            out.add(h.binding());
        }
        out.sort(BEST_FIRST);
        return Collections.unmodifiableList(out);
    }

    /** The earliest expiry of these bindings; {@link EpochNanos#NONE} for none. */
    private static long earliest(List<Held> entries) {
        long first = EpochNanos.NONE;
        if (entries != null) {
            for (Held h : entries) {
                long at = h.expiresNanos();
                if (first == EpochNanos.NONE || at < first) first = at;
            }
        }
        return first;
    }

    private static boolean anyExpired(List<Held> entries, long nowNanos) {
        for (Held h : entries) {
            if (h.expiresNanos() <= nowNanos) return true;
        }
        return false;
    }

    /** Bindings from this source IP address now. */
    int sourceCount(InetAddress source) {
        AtomicInteger n = source == null ? null : perSource.get(source);
        return n == null ? 0 : n.get();
    }

    private static int bySource(List<Held> entries, InetAddress source) {
        if (entries == null || source == null) return 0;
        int n = 0;
        for (Held e : entries) {
            if (e.source() != null && source.equals(e.source().getAddress())) n++;
        }
        return n;
    }

    /** Moves the per-source counts from an AOR's old list to its new one (under the AOR's lock). */
    private void account(List<Held> before, List<Held> after) {
        if (before != null) {
            for (Held e : before) {
                if (e.source() == null) continue;
                perSource.computeIfPresent(e.source().getAddress(), (a, n) -> n.decrementAndGet() <= 0 ? null : n);
            }
        }
        if (after != null) {
            for (Held e : after) {
                if (e.source() == null) continue;
                perSource.computeIfAbsent(e.source().getAddress(), a -> new AtomicInteger()).incrementAndGet();
            }
        }
    }

    /** The bindings not expired at {@code nowNanos}: the list itself when none has. */
    private static List<Held> live(List<Held> entries, long nowNanos) {
        if (entries == null) {
            return List.of();
        }
        if (!anyExpired(entries, nowNanos)) {
            return entries;
        }
        List<Held> live = new ArrayList<>(entries.size());
        for (Held h : entries) {
            if (h.expiresNanos() > nowNanos) live.add(h);
        }
        return List.copyOf(live);
    }

    /** {@code text}: the contact as {@link Binding#contactUri()} writes it. */
    private int indexOf(List<Held> entries, URI contact, String text) {
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
    private boolean same(Held held, URI contact, String text) {
        String stored = held.made.contactUri();
        if (stored.equals(text)) return true;
        try {
            return parser.apply(stored).equals(contact);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
