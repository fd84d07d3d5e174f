package org.screamrouter.sip.registrar.internal;

import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import javax.sip.address.URI;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.registrar.AddressOfRecord;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceEvents;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.registrar.PingResult;
import org.screamrouter.sip.registrar.StoreStatus;
import org.screamrouter.sip.sdp.DeviceCapabilities;
import org.screamrouter.sip.sdp.SdpParseException;
import org.screamrouter.sip.sdp.SdpParser;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry: the bindings ({@link BindingTable}) and devices ({@link DeviceBook}) with their store, the
 * {@link DeviceRegistry} service side (listings, ping, unregister, release), the device events posted to EventAdmin,
 * and the keep-alive tick ({@link KeepAlive}: pings, offline timeout, expired bindings and forgotten devices). What a
 * REGISTER changes comes in through {@link #bound} and {@link #removed}.
 */
final class Registry implements DeviceRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(Registry.class);
    /**
     * Per-device lines (online, updated, offline, forgotten, binding expired): the first {@link #DETAILED_PER_INTERVAL}
     * of each {@link #SUMMARY_INTERVAL} at INFO, the rest at DEBUG, and one INFO line with the counts (issue 15).
     */
    static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(10);
    static final int DETAILED_PER_INTERVAL = 5;

    private final SipMessages messages;
    private final Clock clock;
    private final Supplier<RegistrarConfig> config;
    private final ActivityLog activity;
    private final BindingTable table = new BindingTable(this::contactUri);
    private final RegistrarStore store;
    private final DeviceBook book;
    private final KeepAlive keepAlive;
    private volatile EventAdmin eventAdmin;

    Registry(SipMessages messages, SipClient client, Clock clock, Supplier<RegistrarConfig> config, Path storeFile) {
        this(messages, () -> client, clock, config, storeFile);
    }

    /** {@code client}: the client service as it is now (null while it is away). */
    Registry(SipMessages messages, Supplier<SipClient> client, Clock clock, Supplier<RegistrarConfig> config, Path storeFile) {
        this.messages = messages;
        this.clock = clock;
        this.config = config;
        this.store = new RegistrarStore(storeFile);
        this.activity = new ActivityLog(LoggerFactory.getLogger(DeviceBook.class), "registrar devices", SUMMARY_INTERVAL,
                DETAILED_PER_INTERVAL, clock);
        this.book = new DeviceBook(store, this::post, activity);
        this.keepAlive = new KeepAlive(book, client, clock);
        restore();
    }

    void setEventAdmin(EventAdmin eventAdmin) {
        this.eventAdmin = eventAdmin;
    }

    void unsetEventAdmin(EventAdmin eventAdmin) {
        if (this.eventAdmin == eventAdmin) this.eventAdmin = null;
    }

    /** The bindings, for the REGISTER handler. */
    BindingTable table() {
        return table;
    }

    /** The devices, for the REGISTER and OPTIONS handlers. */
    DeviceBook book() {
        return book;
    }

    /** The last summary of the activity log, then the store closes. */
    void close() {
        activity.summarize(true);
        store.close();
    }

    /** A stored Contact URI parsed again (the binding table keeps the text only); unreadable: IllegalArgumentException. */
    private URI contactUri(String text) {
        try {
            return messages.addresses().createURI(text);
        } catch (ParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private void restore() {
        Instant now = clock.instant();
        int bindings = 0;
        for (Binding b : store.loadBindings()) {
            if (!b.expires().isAfter(now)) {
                store.remove(b);
                continue;
            }
            try {
                table.restore(b);
                bindings++;
            } catch (IllegalArgumentException e) {
                LOG.warn("dropping stored binding with unreadable contact {}: {}", b.contactUri(), e.getMessage());
                store.remove(b);
            }
        }
        int devices = 0;
        for (RegistrarStore.LoadedDevice loaded : store.loadDevices()) {
            RegistrarStore.StoredDevice s = loaded.device();
            DeviceCapabilities caps = null;
            if (loaded.sdp() != null) {
                try {
                    caps = DeviceCapabilities.from(SdpParser.parse(loaded.sdp()));
                } catch (SdpParseException e) {
                    LOG.warn("stored SDP of {} no longer parses: {}", s.uuid(), e.getMessage());
                }
            }
            book.restore(new Device(s.uuid(), s.aor(), s.contactUri(), s.transport(), s.source(), caps, s.userAgent(),
                    s.online(), s.firstSeen(), s.online() ? now : s.lastSeen(), s.expires()), s.owner(), loaded.sdp());
            devices++;
        }
        if (bindings > 0 || devices > 0) {
            LOG.info("restored {} binding(s) and {} device(s)", bindings, devices);
        }
    }

    /** One keep-alive tick (every second): expired bindings, pings, offline devices, forgotten devices, the log summary. */
    void tick() {
        try {
            RegistrarConfig cfg = config.get();
            for (Binding b : table.expire(clock.instant())) {
                store.remove(b);
                activity.record("bindings expired", "binding expired: {} -> {}", b.addressOfRecord(), b.contactUri());
            }
            keepAlive.tick(Duration.ofSeconds(cfg.keepalive_interval()), Duration.ofSeconds(cfg.offline_timeout()), cfg.domain());
            Instant now = clock.instant();
            book.expire(now, Duration.ofSeconds(cfg.device_expiry()), d -> d.addressOfRecord() != null
                    && table.bindings(d.addressOfRecord(), now).stream().anyMatch(b -> b.contactUri().equals(d.contactUri())));
            activity.summarize(); // logs once per SUMMARY_INTERVAL
        } catch (RuntimeException e) {
            LOG.error("keep-alive tick failed", e);
        }
    }

    private void post(String topic, Device device) {
        EventAdmin admin = eventAdmin;
        if (admin != null) {
            admin.postEvent(new Event(topic, Map.of(DeviceEvents.UUID, device.uuid(), DeviceEvents.DEVICE, device)));
        }
    }

    /** An RFC 5626 CRLF keep-alive (or an OPTIONS) on a flow: a sign of life of the device registered on it. */
    void keptAlive(Flow flow) {
        book.uuidOfFlow(flow).ifPresent(uuid -> book.seen(uuid, clock.instant()));
    }

    /**
     * A binding a REGISTER added, or refreshed ({@code before}: the binding it refreshed, null for a new one): stored
     * unless the stored record still stands for it ({@link RegistrarStore#refresh}). Returns whether it was queued.
     */
    boolean bound(Binding b, Binding before) {
        return store.refresh(before, b);
    }

    /** A binding that is gone (unregistered, Contact: *, the operator): out of the store, its device offline. */
    void removed(Binding b, String why) {
        store.remove(b);
        book.uuidOfBinding(b).ifPresent(uuid -> {
            keepAlive.forget(uuid);
            book.offline(uuid, "unregistered (" + why + ")");
        });
    }

    // DeviceRegistry

    @Override
    public List<Binding> bindings() {
        return table.all(clock.instant());
    }

    @Override
    public List<Binding> bindings(String addressOfRecord) {
        String text = addressOfRecord.contains(":") ? addressOfRecord : "sip:" + addressOfRecord;
        try {
            String aor = AddressOfRecord.canonical(messages.addresses().createURI(text));
            return aor == null ? List.of() : table.bindings(aor, clock.instant());
        } catch (ParseException e) {
            return List.of();
        }
    }

    @Override
    public List<Device> devices() {
        return book.devices();
    }

    @Override
    public Optional<Device> device(String uuid) {
        return book.device(uuid);
    }

    @Override
    public CompletionStage<PingResult> ping(String uuid) {
        Optional<Device> d = book.device(uuid);
        if (d.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no device " + uuid));
        }
        return keepAlive.ping(d.get(), config.get().domain(), Duration.ofSeconds(5));
    }

    @Override
    public boolean unregister(String uuid) {
        Optional<Device> d = book.device(uuid);
        if (d.isEmpty() || d.get().addressOfRecord() == null) {
            return false;
        }
        boolean removed = false;
        for (Binding b : table.bindings(d.get().addressOfRecord(), clock.instant())) {
            if (b.contactUri().equals(d.get().contactUri()) && table.remove(b)) {
                removed(b, "sip:unregister");
                removed = true;
            }
        }
        book.offline(uuid, "unregistered by the operator");
        return removed;
    }

    @Override
    public boolean release(String uuid) {
        if (book.device(uuid).isEmpty()) {
            return false;
        }
        unregister(uuid);
        return book.release(uuid);
    }

    @Override
    public StoreStatus storeStatus() {
        return store.status();
    }
}
