package org.screamrouter.sip.registrar;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;
import org.screamrouter.sip.sdp.DeviceCapabilities;
import org.screamrouter.sip.sdp.DeviceRole;

/**
 * A ScreamRouter device as the registrar knows it: its identity (the UUID of docs/devices.md), its current
 * registration and flow, what it can do (from the SDP of its REGISTER), and whether it is online. Offline
 * devices are kept with their details; only an explicit unregistration forgets a device's binding.
 *
 * @param uuid            the device UUID: From user part, else {@code X-UUID}, else {@code a=x-screamrouter-uuid}
 * @param addressOfRecord the AOR it registered (canonical)
 * @param contactUri      its Contact URI
 * @param transport       transport of its last REGISTER: {@code udp}, {@code tcp} or {@code ws}
 * @param source          where its last REGISTER came from: pings go there
 * @param capabilities    from its last REGISTER with an SDP body; {@code null} when it never sent one
 * @param userAgent       its {@code User-Agent}, or {@code null}
 * @param online          false after the offline timeout or when its binding expired
 * @param firstSeen       when it first registered
 * @param lastSeen        its last REGISTER, OPTIONS or keep-alive
 * @param expires         absolute expiry of its binding
 */
public record Device(String uuid, String addressOfRecord, String contactUri, String transport, InetSocketAddress source,
        DeviceCapabilities capabilities, String userAgent, boolean online, Instant firstSeen, Instant lastSeen,
        Instant expires) {

    public Device {
        Objects.requireNonNull(uuid, "uuid");
    }

    /** The role its SDP declared, or {@code null}. */
    public DeviceRole role() {
        return capabilities == null ? null : capabilities.role();
    }

    /**
     * The name ScreamRouter's config.yaml gives this device when its entry is first written ({@link #configName(DeviceRole,
     * String)}); the config bundle adds {@code _2}, {@code _3} ... when that name is taken, so the written entry is the
     * authority once it exists.
     */
    public String configName() {
        return configName(role(), uuid);
    }

    /**
     * The one rule for a device's config.yaml name (docs/devices.md): {@code <role>_<the first 8 characters of its
     * UUID>}, as they are; only the UUID part without a role.
     */
    public static String configName(DeviceRole role, String uuid) {
        String prefix = uuid.substring(0, Math.min(8, uuid.length()));
        return role == null ? prefix : role.attributeValue() + "_" + prefix;
    }

    public Device withOnline(boolean nowOnline, Instant at) {
        return new Device(uuid, addressOfRecord, contactUri, transport, source, capabilities, userAgent, nowOnline,
                firstSeen, nowOnline ? at : lastSeen, expires);
    }
}
