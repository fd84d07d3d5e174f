package org.screamrouter.sip.config.internal;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.sdp.AudioFormat;
import org.screamrouter.sip.sdp.DeviceCapabilities;
import org.screamrouter.sip.sdp.DeviceRole;
import org.screamrouter.sip.sdp.Direction;

/**
 * What the server owns of one device's ScreamRouter entry (docs/config-yaml.md), derived from the device
 * alone: the one place that turns a registration into config.yaml fields. {@code enabled} is not part of it: it
 * follows the device's online state and travels in {@link PendingChange}.
 *
 * @param uuid  the device UUID
 * @param role  sink or source: which list the entry lives in
 * @param owned the owned fields in the order a new entry lists them
 */
record SipEntry(String uuid, DeviceRole role, Map<String, Object> owned) {

    /** Every key the server may write; all other keys of an entry belong to ScreamRouter or the user. */
    static final Set<String> OWNED_KEYS = Set.of("ip", "port", "protocol", "sample_rate", "channels", "bit_depth",
            "uuid", "protocol_type", "sip_contact_uri", "enabled");

    /** ScreamRouter rejects other rates (SinkDescription validation); a device's other rate keeps the default. */
    private static final Set<Long> SCREAMROUTER_RATES = Set.of(44100L, 48000L, 88200L, 96000L, 192000L);

    SipEntry {
        owned = Collections.unmodifiableMap(new LinkedHashMap<>(owned));
    }

    /** The entry of a device: every registered device is a sink or a source of ScreamRouter. */
    static Optional<SipEntry> of(Device device) {
        DeviceCapabilities caps = device.capabilities() != null ? device.capabilities()
                : new DeviceCapabilities(null, null, List.of(), List.of(), 0, null, Direction.SENDRECV, null, null, null, null, false);
        DeviceRole role = roleOf(device);
        Map<String, Object> f = new LinkedHashMap<>();
        String ip = role == DeviceRole.SINK ? mediaAddress(caps).orElse(sourceAddress(device.source())) : sourceAddress(device.source());
        if (ip == null) {
            ip = mediaAddress(caps).orElse(null);
        }
        if (ip != null) {
            f.put("ip", ip);
        }
        if (role == DeviceRole.SINK && caps.rtpPort() > 0) {
            f.put("port", caps.rtpPort()); // where ScreamRouter must send the sink's audio
        }
        if (speaksRtp(caps)) {
            f.put("protocol", "rtp");
        }
        primaryFormat(caps.audioFormats()).ifPresent(format -> {
            if (SCREAMROUTER_RATES.contains(format.clockRate())) {
                f.put("sample_rate", (int) format.clockRate());
            }
            if (format.channels() >= 1 && format.channels() <= 8) {
                f.put("channels", format.channels());
            }
            String codec = format.codec().toUpperCase(Locale.ROOT);
            if (codec.equals("L16")) {
                f.put("bit_depth", 16);
            } else if (codec.equals("L24")) {
                f.put("bit_depth", 24);
            }
        });
        f.put("uuid", device.uuid());
        f.put("protocol_type", "sip");
        if (device.contactUri() != null) {
            f.put("sip_contact_uri", device.contactUri());
        }
        return Optional.of(new SipEntry(device.uuid(), role, f));
    }

    /**
     * The declared role ({@code a=x-screamrouter-role}); a device that declares none (a soft phone, sipsak) is a
     * source when its audio is send-only and otherwise a sink, which ScreamRouter can send audio to (and which
     * the calls bundle makes callable).
     */
    static DeviceRole roleOf(Device device) {
        if (device.role() != null) {
            return device.role();
        }
        DeviceCapabilities caps = device.capabilities();
        return caps != null && caps.direction() == Direction.SENDONLY ? DeviceRole.SOURCE : DeviceRole.SINK;
    }

    /** {@code <role>_<first 8 characters of the uuid>}, as ScreamRouter's plan names a device first seen. */
    String baseName() {
        return role.attributeValue() + "_" + uuid.substring(0, Math.min(8, uuid.length()));
    }

    /** The list of config.yaml this entry lives in. */
    String section() {
        return section(role);
    }

    static String section(DeviceRole role) {
        return role == DeviceRole.SINK ? "sinks" : "sources";
    }

    /**
     * The first real audio format: telephone-event (RFC 4733) and comfort noise (RFC 3389) are never what a device
     * streams, though a device may list them first.
     */
    private static Optional<AudioFormat> primaryFormat(List<AudioFormat> formats) {
        return formats.stream().filter(f -> !f.isTelephoneEvent() && !f.codec().equalsIgnoreCase("CN")).findFirst();
    }

    /** An RTP device: it says so, or says nothing and offers plain (not WebRTC) RTP audio. */
    private static boolean speaksRtp(DeviceCapabilities caps) {
        if (caps.protocols().contains("rtp")) {
            return true;
        }
        return caps.protocols().isEmpty() && !caps.webRtc() && caps.rtpPort() > 0 && !caps.audioFormats().isEmpty();
    }

    /** The SDP connection address, unless it is the "no address yet" 0.0.0.0 / :: (RFC 3264 section 8.4). */
    private static Optional<String> mediaAddress(DeviceCapabilities caps) {
        String a = caps.connectionAddress();
        if (a == null || a.isBlank() || a.equals("0.0.0.0") || a.equals("::")) {
            return Optional.empty();
        }
        return Optional.of(a);
    }

    private static String sourceAddress(InetSocketAddress source) {
        if (source == null) {
            return null;
        }
        return source.getAddress() != null ? source.getAddress().getHostAddress() : source.getHostString();
    }
}
