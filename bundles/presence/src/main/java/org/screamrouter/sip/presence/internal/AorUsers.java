package org.screamrouter.sip.presence.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceRegistry;

/**
 * The devices by the user part of their address-of-record, for a SUBSCRIBE or PUBLISH whose Request-URI names a device
 * that way (docs/presence.md). It was a walk over every device, sorted, per request: with 100,000 devices registered
 * and authentication off (the default), anyone could make the server sort them all a hundred times a second with
 * SUBSCRIBEs to users that do not exist (issue 15; {@code bench/lookup-bench.sh}).
 *
 * <p>Built from the registry on the first lookup (one walk), so a server whose watchers name devices by UUID spends no
 * memory on it; from then on kept by the registrar's device events ({@link #changed}), each of which reads the device
 * from the registry again, so that events that arrive out of order (Event Admin orders them per posting thread only)
 * still leave the index as the registry is. A lookup checks what it finds against the registry; what it cannot find
 * yet is a device whose event is still on its way, which is answered 404 as before it registered.
 */
final class AorUsers {
    /** Separates user and UUID in {@link #entries}: neither a URI's user part nor a UUID holds a NUL. */
    private static final char SEPARATOR = '\0';
    private final DeviceRegistry registry;
    /** {@code user NUL uuid} of every device with an address-of-record, in order: a user's devices by UUID. Null until used. */
    private TreeSet<String> entries;
    /** The entry of each device in {@link #entries}. */
    private Map<String, String> entryOf;

    AorUsers(DeviceRegistry registry) {
        this.registry = registry;
    }

    /** The first device by UUID whose address-of-record has this user part, as the registry has it now. */
    synchronized Optional<String> device(String user) {
        if (user.indexOf(SEPARATOR) >= 0) return Optional.empty(); // "%00" in a Request-URI: no AOR's user part has one
        if (entries == null) build();
        String prefix = user + SEPARATOR;
        for (String entry = entries.ceiling(prefix); entry != null && entry.startsWith(prefix); entry = entries.higher(entry)) {
            String uuid = entry.substring(prefix.length());
            Optional<Device> now = registry.device(uuid);
            if (now.isPresent() && user.equals(userOf(now.get().addressOfRecord()))) return Optional.of(uuid);
            update(uuid, now); // an event still on its way: the registry is the truth
        }
        return Optional.empty();
    }

    /** A device event for this UUID: its entry as the registry has the device now (nothing while the index is unused). */
    synchronized void changed(String uuid) {
        if (entries != null) update(uuid, registry.device(uuid));
    }

    private void build() {
        entries = new TreeSet<>();
        entryOf = new HashMap<>();
        for (Device d : registry.devices()) update(d.uuid(), Optional.of(d));
    }

    private void update(String uuid, Optional<Device> device) {
        String user = device.map(Device::addressOfRecord).map(AorUsers::userOf).orElse(null);
        String entry = user == null ? null : user + SEPARATOR + uuid;
        String before = entry == null ? entryOf.remove(uuid) : entryOf.put(uuid, entry);
        if (before != null && !before.equals(entry)) entries.remove(before);
        if (entry != null) entries.add(entry);
    }

    /** The user part of an address-of-record {@code scheme:user@host}, or null. */
    private static String userOf(String aor) {
        if (aor == null) return null;
        int colon = aor.indexOf(':');
        int at = aor.lastIndexOf('@');
        return at > colon ? aor.substring(colon + 1, at) : null;
    }
}
