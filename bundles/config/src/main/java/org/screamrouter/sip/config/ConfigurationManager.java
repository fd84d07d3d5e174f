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
 * changes, shortly after. The server owns only these keys of an entry: {@code ip}, {@code port} (sinks),
 * {@code protocol}, {@code sample_rate}, {@code channels}, {@code bit_depth}, {@code uuid}, {@code protocol_type},
 * {@code sip_contact_uri} and {@code enabled}; {@code name} is chosen once, when the entry is created. Every other
 * key, entry and top-level section of the file is kept as it is.
 */
@ProviderType
public interface ConfigurationManager {

    /**
     * A device registered or changed: its entry is created or updated. A device whose {@link Device#online()} is
     * false is written disabled; a device that declared no role ({@link Device#role()} is {@code null}) is left out
     * until it declares one.
     */
    void handleSipRegistration(Device device);

    /** The device went offline: its entries get {@code enabled: false}, every other detail kept. */
    void handleSipDeviceOffline(String uuid);

    /**
     * The fields of the device's entry as the file held them when it was last read or written (a change still
     * waiting for its write is not in it), or empty when the file has no entry with this {@code uuid}.
     */
    Optional<Map<String, Object>> getSipConfigForDevice(String uuid);

    /**
     * Every entry under {@code sinks:} as the file held it when it was last read or written, in file order: the
     * sinks the user declared and those of registered devices. Each map is an unmodifiable snapshot.
     */
    java.util.List<Map<String, Object>> sinks();

    /** Where the file is and how its last read and write went, for the shell. */
    ConfigFileStatus status();
}
