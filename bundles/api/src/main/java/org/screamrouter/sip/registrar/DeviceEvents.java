package org.screamrouter.sip.registrar;

/**
 * OSGi EventAdmin topics the registrar posts (asynchronously) when a device changes, and the event
 * properties they carry. Subscribe with {@code event.topics=org/screamrouter/sip/device/*}.
 */
public final class DeviceEvents {
    /** A device registered for the first time, or came back after being offline. */
    public static final String ONLINE = "org/screamrouter/sip/device/ONLINE";
    /** An online device changed what the registry knows of it (contact, flow, capabilities). */
    public static final String UPDATED = "org/screamrouter/sip/device/UPDATED";
    /** A device went silent past the offline timeout, its binding expired, or it unregistered. */
    public static final String OFFLINE = "org/screamrouter/sip/device/OFFLINE";
    /**
     * The registrar forgot a device: offline, without a binding, and silent for {@code device.expiry} (issue 13). What
     * was kept of it (config.yaml entries, presence) may go too. The event's {@link #DEVICE} is the device as it was.
     */
    public static final String REMOVED = "org/screamrouter/sip/device/REMOVED";
    /** Every topic above. */
    public static final String ALL = "org/screamrouter/sip/device/*";

    /** Property: the device UUID ({@code String}). */
    public static final String UUID = "device.uuid";
    /** Property: the {@link Device} after the change. */
    public static final String DEVICE = "device";

    private DeviceEvents() {}
}
