package org.screamrouter.sip.registrar.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceEvents;
import org.screamrouter.sip.sdp.DeviceCapabilities;
import org.screamrouter.sip.stack.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every device the registrar has seen, by UUID, with its online state. State changes are persisted and
 * posted as {@link DeviceEvents}; a keep-alive only moves {@code lastSeen} in memory (persisting every
 * OPTIONS would cost a write per ping for no gain: after a restart a device is judged by its next ping).
 */
final class DeviceBook {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceBook.class);

    /** Where changes go: EventAdmin in the bundle, a list in tests. */
    interface Events {
        void post(String topic, Device device);
    }

    /**
     * Who a device belongs to (docs/registrar-state.md, "Device ownership"): the address-of-record that first
     * registered it and, when authentication was on, that user ({@code null} when it was off). With authentication
     * off the device also belongs to the IP address of its binding ({@link Device#source()}). An entry without
     * owner has been released by the operator: the next REGISTER naming it owns it.
     */
    record Owner(String aor, String user) {}

    /**
     * A device and who owns it. Its SDP body is not kept here: the device holds the parsed capabilities, and the body
     * goes to the store when they change, to be parsed again at the next start (issue 15, heap per device). Kept is a
     * digest of the body the capabilities came from ({@link #NO_BODY} without one), so that a refresh sending the same
     * body is not parsed again ({@link #capabilitiesOf}).
     *
     * <p>A sign of life of an online device (an OPTIONS, an answered ping, a CRLF keep-alive) moves only
     * {@link #seenNanos}, in place: a keep-alive makes no new record. Making a new {@code Device} and entry per
     * keep-alive gave every device a record that lived until its next keep-alive, which G1 copied from survivor space
     * to survivor space at every young pause until it died: at 100,000 devices pinging every 10 s, pauses of 40 to 65
     * ms under OPTIONS alone (docs/performance.md, "Keep-alives in place"). A refresh that changes nothing but the
     * times moves {@link #seenNanos} and {@link #expiresNanos} the same way ({@link #registered}). {@link #device()}
     * gives the device with those times; {@link #record} is the record as of its last change, for what neither moves.
     */
    private static final class Entry {
        final Device record;
        final Owner owner;
        final long sdpDigest;
        /**
         * The latest sign of life, in nanoseconds since the epoch (valid from 1677 to 2262); never earlier than the
         * record's. Two keep-alives of one device at once may leave the earlier of two nearly equal times.
         */
        private volatile long seenNanos;
        /** The binding's expiry as of the last refresh, written under the device's lock. */
        private volatile long expiresNanos;

        Entry(Device record, Owner owner, long sdpDigest) {
            this.record = record;
            this.owner = owner;
            this.sdpDigest = sdpDigest;
            this.seenNanos = EpochNanos.of(record.lastSeen());
            this.expiresNanos = EpochNanos.of(record.expires());
        }

        Owner owner() {
            return owner;
        }

        long sdpDigest() {
            return sdpDigest;
        }

        /** The device with its latest sign of life and expiry. */
        Device device() {
            long seen = seenNanos;
            long expires = expiresNanos;
            if (seen == EpochNanos.of(record.lastSeen()) && expires == EpochNanos.of(record.expires())) return record;
            Device d = record;
            return new Device(d.uuid(), d.addressOfRecord(), d.contactUri(), d.transport(), d.source(), d.capabilities(),
                    d.userAgent(), d.online(), d.firstSeen(), EpochNanos.instant(seen), EpochNanos.instant(expires));
        }

        Entry with(Device next) {
            return new Entry(next, owner, sdpDigest);
        }

        void seen(Instant now) {
            long at = EpochNanos.of(now);
            if (at > seenNanos) {
                seenNanos = at;
            }
        }

        /** A refresh that changed nothing else: its time and the binding's new expiry (under the device's lock). */
        void refreshed(Instant now, Instant expires) {
            expiresNanos = EpochNanos.of(expires);
            seen(now);
        }
    }

    private static final long NO_BODY = 0;

    /** How long an offline device that is old enough to forget but still bound waits before it is judged again. */
    private static final Duration BOUND_RECHECK = Duration.ofSeconds(60);

    /** Written under the device's lock ({@link KeyLocks}: a refresh in place writes nothing to the map), read without. */
    private final ConcurrentHashMap<String, Entry> byUuid = new ConcurrentHashMap<>();
    private final KeyLocks locks = new KeyLocks(1024);
    /** flow source -> uuid, to know who sent an OPTIONS or a keep-alive */
    private final ConcurrentHashMap<InetSocketAddress, String> bySource = new ConcurrentHashMap<>();
    /** binding (AOR and contact) -> uuid, to know whose binding was removed or expired */
    private final ConcurrentHashMap<BindingKey, String> byBinding = new ConcurrentHashMap<>();
    /** devices per IP address of their last REGISTER, for max.devices.per.source without a scan of the book */
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    /**
     * One instance of each User-Agent text: a fleet runs a few firmware versions, and each REGISTER parses its
     * User-Agent anew (issue 15, heap per device). Bounded in entries and length: a peer making texts up fills it,
     * after which new texts are simply kept per device.
     */
    private final ConcurrentHashMap<String, String> userAgents = new ConcurrentHashMap<>();
    private static final int SHARED_USER_AGENTS = 256;
    private static final int SHARED_USER_AGENT_LENGTH = 128;
    private final RegistrarStore store;
    private final Events events;
    /** The per-device lines of the REGISTER, online and offline paths: a few at INFO per interval, then a summary. */
    private final ActivityLog activity;
    /*
     * What the checks of each second visit (DueTimes: filed when a time appears or moves earlier, filed again by the
     * check): online devices by their last sign of life (silence) and by their binding's expiry; offline devices by
     * their last sign of life (forgetting); and the devices that came online, for the keep-alive to take up.
     */
    private final DueTimes silence = new DueTimes();
    private final DueTimes expiry = new DueTimes();
    private final DueTimes forgetting = new DueTimes();
    private final ConcurrentLinkedQueue<String> cameOnline = new ConcurrentLinkedQueue<>();

    DeviceBook(RegistrarStore store, Events events, ActivityLog activity) {
        this.store = store;
        this.events = events;
        this.activity = activity;
    }

    /** Puts back a device read from the store, without an event; {@code sdp}: the body of its capabilities, or null. */
    void restore(Device restored, Owner owner, String sdp) {
        Device device = restored.userAgent() == null ? restored : new Device(restored.uuid(), restored.addressOfRecord(), restored.contactUri(),
                restored.transport(), restored.source(), restored.capabilities(), sharedUserAgent(restored.userAgent()), restored.online(),
                restored.firstSeen(), restored.lastSeen(), restored.expires());
        Entry old;
        synchronized (locks.of(device.uuid())) {
            old = byUuid.put(device.uuid(), new Entry(device, owner, device.capabilities() == null ? NO_BODY : digest(sdp)));
        }
        moved(old == null ? null : old.record.source(), device.source());
        if (device.source() != null) bySource.put(device.source(), device.uuid());
        if (device.addressOfRecord() != null) byBinding.put(bindingKey(device.addressOfRecord(), device.contactUri()), device.uuid());
        if (device.online()) {
            cameOnline(device);
        } else {
            forgetting.at(device.uuid(), device.lastSeen());
        }
    }

    /** Files a device that is online now for the checks of silence and expiry, and for the keep-alive. */
    private void cameOnline(Device d) {
        silence.at(d.uuid(), d.lastSeen());
        expiry.at(d.uuid(), d.expires());
        cameOnline.add(d.uuid());
    }

    /**
     * Why a REGISTER from this address-of-record, user ({@code null} without authentication) and source address may
     * not register, refresh or remove this device's binding, as the reason of a 403; empty when it may: the device is
     * unknown or released, or it belongs to that AOR and, with a user, was not registered by another user, or, without
     * one, its binding came from the same IP address (any port: a device that restarts gets a new one).
     */
    Optional<String> refusal(String uuid, String aor, String user, InetAddress address) {
        Entry e = byUuid.get(uuid);
        if (e == null || e.owner() == null) {
            return Optional.empty();
        }
        if (!e.owner().aor().equals(aor)) {
            return Optional.of("device UUID belongs to another address-of-record");
        }
        if (user != null) {
            return e.owner().user() == null || e.owner().user().equals(user) ? Optional.empty()
                    : Optional.of("device UUID registered by another user");
        }
        InetSocketAddress source = e.record.source();
        return source == null || source.getAddress().equals(address) ? Optional.empty()
                : Optional.of("device UUID registered from another address");
    }

    /** Who owns the device now, for the log line of a refusal; empty when unknown or released. */
    Optional<Owner> owner(String uuid) {
        Entry e = byUuid.get(uuid);
        return e == null ? Optional.empty() : Optional.ofNullable(e.owner());
    }

    /** The operator released the device ({@code sip:device --reassign}): the next REGISTER naming it owns it. */
    boolean release(String uuid) {
        Entry changed;
        synchronized (locks.of(uuid)) {
            Entry e = byUuid.get(uuid);
            if (e == null) {
                return false;
            }
            changed = new Entry(e.device(), null, e.sdpDigest());
            byUuid.put(uuid, changed);
        }
        persist(changed);
        LOG.info("device {} released by the operator: the next REGISTER naming it owns it", uuid);
        return true;
    }

    /**
     * The capabilities of this device if {@code sdp} is the body they were parsed from, else null (parse it). A
     * ScreamRouter device sends the same body with every refresh; parsing it again was a seventh of the REGISTER
     * handler's time.
     * A body made to collide with the digest only keeps its own device's capabilities (the device is named by the
     * request and its ownership checked before anything changes).
     */
    DeviceCapabilities capabilitiesOf(String uuid, String sdp) {
        Entry e = byUuid.get(uuid);
        return e == null || e.sdpDigest() == NO_BODY || e.sdpDigest() != digest(sdp) ? null : e.record.capabilities();
    }

    /** The instance of this User-Agent text the book shares between devices, or the text itself once the pool is full. */
    private String sharedUserAgent(String userAgent) {
        if (userAgent == null || userAgent.length() > SHARED_USER_AGENT_LENGTH) return userAgent;
        String shared = userAgents.get(userAgent);
        if (shared != null) return shared;
        if (userAgents.size() >= SHARED_USER_AGENTS) return userAgent;
        shared = userAgents.putIfAbsent(userAgent, userAgent);
        return shared == null ? userAgent : shared;
    }

    /** FNV-1a, 64 bits, of the body's characters; never {@link #NO_BODY}. */
    private static long digest(String sdp) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < sdp.length(); i++) {
            h = (h ^ sdp.charAt(i)) * 0x100000001b3L;
        }
        return h == NO_BODY ? 1 : h;
    }

    /**
     * A REGISTER of this device was accepted with this binding, from {@code user} ({@code null} without
     * authentication). Without SDP the device keeps the capabilities it had. A new or released device is owned
     * from now on by the binding's AOR and the user; an owned one registered without a user gets the user of its
     * first authenticated REGISTER. {@code bindingWritten}: whether the store queued the binding; when it did not, a
     * refresh that changes only the expiry leaves the device's record as stored too. Returns the device as it is now.
     */
    Device registered(String uuid, Binding binding, boolean bindingWritten, DeviceCapabilities capabilities, String sdp,
            String userAgent, String user, Instant now) {
        Entry old;
        Entry entry;
        Device before;
        synchronized (locks.of(uuid)) {
            old = byUuid.get(uuid);
            before = old == null ? null : old.device();
            DeviceCapabilities caps = capabilities != null ? capabilities : before == null ? null : before.capabilities();
            String agent = before != null && Objects.equals(before.userAgent(), userAgent) ? before.userAgent() : sharedUserAgent(userAgent);
            // the UUID string the book already holds (its map key), not the one each REGISTER parses anew
            Device after = new Device(before == null ? uuid : before.uuid(), binding.addressOfRecord(), binding.contactUri(), binding.transport(),
                    binding.source(), caps, agent, true, before == null ? now : before.firstSeen(), now, binding.expires());
            Owner owner = old == null || old.owner() == null ? new Owner(binding.addressOfRecord(), user)
                    : old.owner().user() == null && user != null ? new Owner(old.owner().aor(), user) : old.owner();
            long sdpDigest = capabilities != null ? digest(sdp) : old == null ? NO_BODY : old.sdpDigest();
            if (old != null && before.online() && owner == old.owner() && sdpDigest == old.sdpDigest() && !differs(before, after)) {
                old.refreshed(now, binding.expires()); // only the times moved: in place, no new record (Entry)
                entry = old;
            } else {
                entry = new Entry(after, owner, sdpDigest);
                byUuid.put(uuid, entry);
                moved(before == null ? null : before.source(), after.source());
            }
        }
        Device after = entry.device();
        if (before != null && before.source() != null && !before.source().equals(after.source())) {
            bySource.remove(before.source(), uuid);
        }
        // put only when it changes them: a put of the same value still writes it, marking a card of the old map
        if (bySource.get(after.source()) != after.uuid()) bySource.put(after.source(), after.uuid());
        BindingKey key = bindingKey(after.addressOfRecord(), after.contactUri());
        if (before != null && !key.equals(bindingKey(before.addressOfRecord(), before.contactUri()))) {
            byBinding.remove(bindingKey(before.addressOfRecord(), before.contactUri()), uuid);
        }
        if (byBinding.get(key) != after.uuid()) byBinding.put(key, after.uuid());
        String topic = before == null || !before.online() ? DeviceEvents.ONLINE : differs(before, after) ? DeviceEvents.UPDATED : null;
        if (before == null || !before.online()) {
            cameOnline(after);
        } else if (after.expires().isBefore(before.expires())) {
            expiry.at(uuid, after.expires());
        }
        // a refresh whose binding the store did not write (RegistrarStore.standsFor) leaves the device's record too
        if (topic != null || bindingWritten && !Objects.equals(before.expires(), after.expires())
                || old != null && !Objects.equals(old.owner(), entry.owner())) {
            persist(entry);
        }
        if (capabilities != null && (before == null || !capabilities.equals(before.capabilities()))) {
            // the body is kept only to give these capabilities back at the next start: stored when they change
            store.putSdp(after.uuid(), sdp);
        }
        if (topic != null) {
            String what = topic.equals(DeviceEvents.ONLINE) ? "online" : "updated";
            activity.record(what, "device {} {} ({} from {})", uuid, what, after.addressOfRecord(), after.source());
            events.post(topic, after);
        }
        return after;
    }

    /** Some sign of life from this device (OPTIONS, answered ping, keep-alive); brings it back online if it still has a binding. */
    void seen(String uuid, Instant now) {
        Entry current = byUuid.get(uuid);
        if (current == null) {
            return;
        }
        if (current.record.online()) {
            current.seen(now);
            if (byUuid.get(uuid) == current) {
                return; // in place (Entry): no new record
            }
            // replaced meanwhile (a REGISTER, or offline): the time goes to the entry there now, below
        }
        Entry back;
        synchronized (locks.of(uuid)) {
            Entry e = byUuid.get(uuid);
            if (e == null) return;
            if (e.record.online()) {
                e.seen(now); // the entry that replaced the one above
                return;
            }
            Device d = e.device();
            if (!d.expires().isAfter(now)) return;
            back = e.with(d.withOnline(true, now));
            byUuid.put(uuid, back);
        }
        cameOnline(back.device());
        persist(back);
        activity.record("online", "device {} online again", uuid);
        events.post(DeviceEvents.ONLINE, back.device());
    }

    /** Takes a device offline (silence, expiry, unregistration), keeping its details. */
    void offline(String uuid, String why) {
        Entry changed;
        synchronized (locks.of(uuid)) {
            Entry e = byUuid.get(uuid);
            if (e == null || !e.record.online()) return;
            changed = e.with(e.device().withOnline(false, null));
            byUuid.put(uuid, changed);
        }
        forgetting.at(uuid, changed.device().lastSeen());
        persist(changed);
        activity.record("offline", "device {} offline: {}", uuid, why);
        events.post(DeviceEvents.OFFLINE, changed.device());
    }

    /** How many devices the book holds (online or not). */
    int size() {
        return byUuid.size();
    }

    /** How many devices last registered from this IP address (a count kept as devices come, move and go). */
    int countFrom(InetAddress address) {
        AtomicInteger n = perAddress.get(address);
        return n == null ? 0 : n.get();
    }

    /** A device's last REGISTER source changed from {@code before} to {@code after} (either {@code null}: none). */
    private void moved(InetSocketAddress before, InetSocketAddress after) {
        InetAddress from = before == null ? null : before.getAddress();
        InetAddress to = after == null ? null : after.getAddress();
        if (Objects.equals(from, to)) {
            return;
        }
        if (from != null) {
            perAddress.computeIfPresent(from, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
        if (to != null) {
            perAddress.computeIfAbsent(to, a -> new AtomicInteger()).incrementAndGet();
        }
    }

    /**
     * Forgets the devices that are offline, have no binding ({@code bound} says which have) and were last seen longer
     * than {@code expiry} ago: they leave the book and the store, and {@link DeviceEvents#REMOVED} is posted for each.
     * Their ownership goes with them. Returns how many were removed.
     */
    int expire(Instant now, Duration expiry, java.util.function.Predicate<Device> bound) {
        int removed = 0;
        Instant seenBefore = now.minus(expiry);
        // only the offline devices whose last sign of life is filed up to the limit (DueTimes)
        for (String uuid : forgetting.upTo(seenBefore)) {
            Entry e = byUuid.get(uuid);
            Device d = e == null ? null : e.device();
            if (d == null || d.online()) {
                continue; // gone, or online again: filed anew when it goes offline
            }
            if (!d.lastSeen().isBefore(seenBefore)) {
                forgetting.at(uuid, d.lastSeen());
                continue;
            }
            if (bound.test(d)) {
                forgetting.at(uuid, seenBefore.plus(BOUND_RECHECK)); // judged again once its binding may have gone
                continue;
            }
            boolean gone;
            synchronized (locks.of(uuid)) {
                gone = byUuid.remove(uuid, e);
            }
            if (!gone) {
                forgetting.at(uuid, seenBefore); // changed meanwhile (it registered again): judged at the next tick
                continue;
            }
            moved(d.source(), null);
            if (d.source() != null) bySource.remove(d.source(), d.uuid());
            if (d.addressOfRecord() != null) byBinding.remove(bindingKey(d.addressOfRecord(), d.contactUri()), d.uuid());
            store.removeDevice(d.uuid());
            activity.record("forgotten", "device {} forgotten: offline without a binding since {} (device.expiry {} s)",
                    d.uuid(), d.lastSeen(), expiry.toSeconds());
            events.post(DeviceEvents.REMOVED, d);
            removed++;
        }
        return removed;
    }

    /**
     * Devices online whose last sign of life is older than the timeout, or whose binding expired: of the devices
     * filed up to the limits only (DueTimes); one that is neither is filed again at its real time.
     */
    List<String> silentOrExpired(Instant now, Duration offlineTimeout) {
        Instant silentBefore = now.minus(offlineTimeout);
        Set<String> out = new LinkedHashSet<>();
        for (String uuid : silence.upTo(silentBefore)) {
            Device d = onlineDevice(uuid);
            if (d == null) continue;
            if (d.lastSeen().isBefore(silentBefore)) out.add(uuid);
            else silence.at(uuid, d.lastSeen());
        }
        for (String uuid : expiry.upTo(now)) {
            Device d = onlineDevice(uuid);
            if (d == null) continue;
            if (!d.expires().isAfter(now)) out.add(uuid);
            else expiry.at(uuid, d.expires());
        }
        return new ArrayList<>(out);
    }

    private Device onlineDevice(String uuid) {
        Entry e = byUuid.get(uuid);
        return e != null && e.record.online() ? e.device() : null;
    }

    /** Hands over, each once, the devices that came online since the last call (for the keep-alive's schedule). */
    void drainCameOnline(java.util.function.Consumer<String> action) {
        for (String uuid; (uuid = cameOnline.poll()) != null; ) {
            action.accept(uuid);
        }
    }

    /**
     * The device registered on this flow: its last REGISTER came on the same transport from the same address
     * and port (for TCP and WebSocket: the same connection).
     */
    Optional<String> uuidOfFlow(Flow flow) {
        String uuid = bySource.get(flow.remote());
        return uuid != null && isFlowOf(uuid, flow) ? Optional.of(uuid) : Optional.empty();
    }

    /** Whether the flow is the one the device's binding came on (transport, source address and port). */
    boolean isFlowOf(String uuid, Flow flow) {
        Entry e = byUuid.get(uuid);
        return e != null && flow.remote().equals(e.record.source()) && flow.transport().equalsIgnoreCase(e.record.transport());
    }

    /** The device bound to this binding (same AOR and contact), if any. */
    Optional<String> uuidOfBinding(Binding b) {
        return Optional.ofNullable(byBinding.get(bindingKey(b.addressOfRecord(), b.contactUri())));
    }

    /** A binding's AOR and contact: the strings the device and its binding hold, not a copy (issue 15: heap per device). */
    private record BindingKey(String aor, String contact) {}

    private static BindingKey bindingKey(String aor, String contact) {
        return new BindingKey(aor, contact);
    }

    /** Whether the book has this device (without making the device with its last sign of life, as {@link #device} may). */
    boolean knows(String uuid) {
        return byUuid.containsKey(uuid);
    }

    /** For tests: the object holding this device now (a refresh in place keeps it), or null. */
    Object holder(String uuid) {
        return byUuid.get(uuid);
    }

    Optional<Device> device(String uuid) {
        Entry e = byUuid.get(uuid);
        return e == null ? Optional.empty() : Optional.of(e.device());
    }

    List<Device> devices() {
        return byUuid.values().stream().map(Entry::device).sorted(Comparator.comparing(Device::uuid)).toList();
    }

    private void persist(Entry e) {
        Device d = e.device();
        store.put(new RegistrarStore.StoredDevice(d.uuid(), d.addressOfRecord(), d.contactUri(), d.transport(), d.source(),
                d.userAgent(), d.online(), d.firstSeen(), d.lastSeen(), d.expires(), e.owner()));
    }

    /** What a subscriber would care about: where it is and what it can do; not timestamps. */
    private static boolean differs(Device a, Device b) {
        return !Objects.equals(a.addressOfRecord(), b.addressOfRecord()) || !Objects.equals(a.contactUri(), b.contactUri())
                || !Objects.equals(a.transport(), b.transport()) || !Objects.equals(a.source(), b.source())
                || !Objects.equals(a.capabilities(), b.capabilities()) || !Objects.equals(a.userAgent(), b.userAgent());
    }
}
