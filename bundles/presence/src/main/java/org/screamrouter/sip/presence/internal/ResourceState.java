package org.screamrouter.sip.presence.internal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceRegistry;

/**
 * What a watched resource is now, from the registrar's {@link DeviceRegistry} and the devices' publications: which
 * device a Request-URI names, its presence document (RFC 3863) by the composition rule of docs/presence.md, and
 * its registrations as reginfo (RFC 3680).
 */
final class ResourceState {
    private final DeviceRegistry registry;
    private final Publications publications;
    private final Clock clock;
    private final AorUsers users;

    ResourceState(DeviceRegistry registry, Publications publications, Clock clock) {
        this.registry = registry;
        this.users = new AorUsers(registry);
        this.publications = publications;
        this.clock = clock;
    }

    /**
     * What a SUBSCRIBE or PUBLISH names: the device whose UUID, or whose AOR's user part, is the Request-URI's user
     * part; for the reg package the router's own user means every registration ({@link Subscription#EVERYTHING}).
     */
    Optional<String> resource(URI requestUri, String event, String routerUser) {
        if (!(requestUri instanceof SipURI sip) || sip.getUser() == null || sip.getUser().isEmpty()) {
            return Optional.empty();
        }
        String user = unescape(sip.getUser());
        if (Subscription.REG.equals(event) && user.equals(routerUser)) {
            return Optional.of(Subscription.EVERYTHING);
        }
        Optional<Device> byUuid = registry.device(user);
        if (byUuid.isPresent()) return Optional.of(byUuid.get().uuid());
        return users.device(user);
    }

    /** A device event for this UUID (the index of users follows the registry). */
    void changed(String uuid) {
        users.changed(uuid);
    }

    private static String unescape(String s) {
        if (s.indexOf('%') < 0) return s;
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /**
     * A device's presence as its watchers see it: offline in the registrar means closed; online with a valid
     * publication means that document as published; online without one means a generated open.
     */
    record PresenceState(String basic, String body, String signature) {}

    PresenceState presence(Subscription s) {
        Optional<Device> device = registry.device(s.resource());
        boolean online = device.map(Device::online).orElse(false);
        if (online) {
            Optional<Publication> published = publications.current(s.resource());
            if (published.isPresent()) {
                Publication p = published.get();
                String basic = p.basic() == null ? Pidf.OPEN : p.basic();
                return new PresenceState(basic, p.body(), basic + "|" + Integer.toHexString(p.body().hashCode()));
            }
        }
        String basic = online ? Pidf.OPEN : Pidf.CLOSED;
        String contact = online ? device.map(Device::contactUri).orElse(null) : null;
        String body = Pidf.write(s.localUri(), "t" + Reginfo.id(s.resource()).substring(1), basic, contact,
                online ? "online" : "offline");
        return new PresenceState(basic, body, basic);
    }

    /** Full state of the subscription's resource, or (with {@code onlyUuid}) partial state of that one device. */
    String reginfo(Subscription s, long version, String onlyUuid) {
        Instant now = clock.instant();
        Map<String, Boolean> onlineByContact = new LinkedHashMap<>();
        List<Binding> bindings;
        String partialAor = null;
        if (onlyUuid != null) {
            Optional<Device> d = registry.device(onlyUuid);
            partialAor = d.map(Device::addressOfRecord).orElse(null);
            bindings = partialAor == null ? List.of() : registry.bindings(partialAor);
            d.ifPresent(x -> onlineByContact.put(x.addressOfRecord() + '\n' + x.contactUri(), x.online()));
        } else if (Subscription.EVERYTHING.equals(s.resource())) {
            bindings = registry.bindings();
            for (Device d : registry.devices()) onlineByContact.put(d.addressOfRecord() + '\n' + d.contactUri(), d.online());
        } else {
            Optional<Device> d = registry.device(s.resource());
            bindings = d.map(Device::addressOfRecord).map(registry::bindings).orElse(List.of());
            d.ifPresent(x -> onlineByContact.put(x.addressOfRecord() + '\n' + x.contactUri(), x.online()));
        }
        Map<String, List<Reginfo.Contact>> byAor = new LinkedHashMap<>();
        for (Binding b : bindings) {
            boolean online = onlineByContact.getOrDefault(b.addressOfRecord() + '\n' + b.contactUri(), true);
            // a silent device keeps its binding but is not reachable: RFC 3680 "deactivated"
            byAor.computeIfAbsent(b.addressOfRecord(), k -> new ArrayList<>()).add(new Reginfo.Contact(b.contactUri(), online,
                    online ? "registered" : "deactivated", b.expiresIn(now)));
        }
        if (partialAor != null) {
            // an address-of-record left without bindings still appears, terminated
            byAor.putIfAbsent(partialAor, List.of());
        } else if (byAor.isEmpty() && !Subscription.EVERYTHING.equals(s.resource())) {
            registry.device(s.resource()).map(Device::addressOfRecord).ifPresent(aor -> byAor.put(aor, List.of()));
        }
        List<Reginfo.Registration> registrations = new ArrayList<>();
        byAor.forEach((aor, contacts) -> registrations.add(new Reginfo.Registration(aor, contacts)));
        return Reginfo.write(version, onlyUuid == null, registrations);
    }
}
