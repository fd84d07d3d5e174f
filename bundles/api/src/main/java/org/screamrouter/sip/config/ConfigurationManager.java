package org.screamrouter.sip.config;

import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;
import org.screamrouter.sip.registrar.Device;

/**
 * Keeps ScreamRouter's {@code config.yaml} in step with the SIP devices: a device becomes a {@code SinkDescription}
 * or {@code SourceDescription} entry (under {@code sinks:} or {@code sources:}) the first time it is seen, its entry is
 * updated in place when what the server owns of it changes, and it is disabled, not removed, when it goes offline.
 *
 * <p>The name is ScreamRouter's "protocol v2" plan's name, kept on purpose: this is the facade that plan calls
 * {@code ConfigurationManager} ({@code handle_sip_registration}, {@code handle_sip_device_offline},
 * {@code get_sip_config_for_device}), so the two can be read side by side.
 *
 * <p>Changes are applied asynchronously: the methods return at once and the file is written, coalesced with other
 * changes, shortly after. The server owns only these fields of an entry: {@code ip}, {@code port} and
 * {@code protocol} (sinks), {@code sample_rate}, {@code channels}, {@code channel_layout} (sinks), {@code bit_depth}
 * and {@code enabled}; {@code name} and {@code config_id} are chosen once, when the entry is created. Entries are
 * tied to devices by {@code config_id} (docs/config-yaml.md); every other field, entry and top-level section of the
 * file is kept as it is. The maps this service returns add the device's {@code uuid} to a device's entry.
 */
@ProviderType
public interface ConfigurationManager {

    /**
     * A device registered or changed: its entry is created or updated. A device whose {@link Device#online()} is
     * false is written disabled; a device that declared no role ({@link Device#role()} is {@code null}) or has no
     * unicast IP address an entry may hold is left out.
     */
    void handleSipRegistration(Device device);

    /** The device went offline: its entries get {@code enabled: false}, every other detail kept. */
    void handleSipDeviceOffline(String uuid);

    /**
     * The fields of the device's entry as the file held them when it was last read or written (a change still
     * waiting for its write is not in it), with the device's {@code uuid} added, or empty when the file has no entry
     * of this device.
     */
    Optional<Map<String, Object>> getSipConfigForDevice(String uuid);

    /**
     * Every entry under {@code sinks:} as the file held it when it was last read or written, in file order: the
     * sinks the user declared and those of registered devices. Each map is an unmodifiable snapshot.
     */
    java.util.List<Map<String, Object>> sinks();

    /** {@link #sinks()}, typed. */
    default java.util.List<SinkEntry> sinkEntries() {
        return sinks().stream().map(SinkEntry::of).toList();
    }

    /**
     * The sink a call's target names ({@code sip:<target>@server}): the first entry, in file order, whose name is
     * {@code target}; else the first whose name, then whose {@link SinkEntry#uuid() uuid}, then whose
     * {@code config_id} is {@code target} ignoring case. The server's implementation finds it without reading every
     * entry (a request naming nothing must not cost a read of the whole file); this default reads them all.
     *
     * @since 1.4
     */
    default Optional<SinkEntry> sinkEntry(String target) {
        if (target == null) return Optional.empty();
        java.util.List<SinkEntry> all = sinkEntries();
        java.util.List<java.util.function.Predicate<SinkEntry>> steps = java.util.List.of(
                e -> target.equals(e.name()), e -> target.equalsIgnoreCase(e.name()),
                e -> target.equalsIgnoreCase(e.uuid()), e -> target.equalsIgnoreCase(e.configId()));
        for (java.util.function.Predicate<SinkEntry> step : steps) {
            Optional<SinkEntry> found = all.stream().filter(step).findFirst();
            if (found.isPresent()) return found;
        }
        return Optional.empty();
    }

    /** Where the file is and how its last read and write went, for the shell. */
    ConfigFileStatus status();
}
