package org.screamrouter.sip.config.internal;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server owns of one device's ScreamRouter entry (docs/screamrouter.md), derived from the device alone: the
 * one place that turns a registration into {@code SinkDescription}/{@code SourceDescription} fields. Only fields
 * those models have are written (pydantic drops any other key the next time ScreamRouter saves). {@code enabled},
 * {@code name} and {@code config_id} are not part of it: the document sets them.
 *
 * @param uuid  the device UUID
 * @param role  sink or source: which list the entry lives in
 * @param owned the owned fields in the order a new plain entry lists them
 */
record SipEntry(String uuid, DeviceRole role, Map<String, Object> owned) {
    private static final Logger LOG = LoggerFactory.getLogger(SipEntry.class);

    /** Every field the server may write to a sink; all other fields belong to ScreamRouter or the user. */
    static final Set<String> SINK_KEYS = Set.of("ip", "port", "protocol", "sample_rate", "channels", "channel_layout",
            "bit_depth", "enabled", "config_id");
    /** Every field the server may write to a source ({@code SourceDescription} has no port and no protocol). */
    static final Set<String> SOURCE_KEYS = Set.of("ip", "sample_rate", "channels", "bit_depth", "enabled", "config_id");
    /** Keys earlier versions wrote; pydantic drops them, so they are removed from an entry the server adopts. */
    static final Set<String> LEGACY_KEYS = Set.of("uuid", "protocol_type", "sip_contact_uri");

    /** ScreamRouter's SampleRateType; a device's other rate is not written. */
    private static final Set<Long> SCREAMROUTER_RATES = Set.of(44100L, 48000L, 88200L, 96000L, 192000L);
    /** ScreamRouter's ChannelLayoutType for the channel counts that have one obvious layout. */
    private static final Map<Integer, String> LAYOUTS = Map.of(1, "mono", 2, "stereo", 4, "quad", 6, "5.1", 8, "7.1");

    SipEntry {
        owned = OwnedFields.copyOf(owned); // kept per device (the newest change of each): one array, not a LinkedHashMap
    }

    /**
     * The entry of a device, or empty when it gets none: it declared no role ({@code a=x-screamrouter-role}; a soft
     * phone or a test tool that only registers), or it has no address an entry may hold ({@link EntryAddress}).
     */
    static Optional<SipEntry> of(Device device) {
        DeviceRole role = device.role();
        if (role == null) {
            return Optional.empty();
        }
        EntryAddress.Choice address = EntryAddress.of(device);
        if (address.ip() == null) {
            LOG.info("device {} is not written to config.yaml: {}", device.uuid(), address.reason());
            return Optional.empty();
        }
        DeviceCapabilities caps = device.capabilities();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("ip", address.ip());
        Optional<AudioFormat> format = primaryFormat(caps.audioFormats());
        if (role == DeviceRole.SINK) {
            if (caps.rtpPort() > 0) {
                f.put("port", caps.rtpPort()); // where ScreamRouter must send the sink's audio
            }
            protocol(caps, format).ifPresent(p -> f.put("protocol", p));
        }
        format.ifPresent(af -> {
            if (SCREAMROUTER_RATES.contains(af.clockRate())) {
                f.put("sample_rate", (int) af.clockRate());
            }
            if (af.channels() >= 1 && af.channels() <= 8) {
                f.put("channels", af.channels());
                if (role == DeviceRole.SINK && LAYOUTS.containsKey(af.channels())) {
                    f.put("channel_layout", LAYOUTS.get(af.channels()));
                }
            }
            String codec = af.codec().toUpperCase(Locale.ROOT);
            if (codec.equals("L16")) {
                f.put("bit_depth", 16);
            } else if (codec.equals("L24")) {
                f.put("bit_depth", 24);
            }
        });
        return Optional.of(new SipEntry(device.uuid(), role, f));
    }

    /** {@code <role>_<first 8 characters of the uuid>}, as ScreamRouter's plan names a device first seen. */
    String baseName() {
        return baseName(role, uuid);
    }

    static String baseName(DeviceRole role, String uuid) {
        return Device.configName(role, uuid);
    }

    /** The list of config.yaml this entry lives in. */
    String section() {
        return section(role);
    }

    static String section(DeviceRole role) {
        return role == DeviceRole.SINK ? "sinks" : "sources";
    }

    /**
     * ScreamRouter's sink protocol: {@code rtp_opus} for a device whose audio is Opus, {@code rtp} for an RTP device
     * (it says so, or says nothing and offers plain, not WebRTC, RTP audio); nothing otherwise (the entry keeps its
     * value, a new one ScreamRouter's default).
     */
    private static Optional<String> protocol(DeviceCapabilities caps, Optional<AudioFormat> format) {
        boolean rtp = caps.protocols().contains("rtp")
                || caps.protocols().isEmpty() && !caps.webRtc() && caps.rtpPort() > 0 && !caps.audioFormats().isEmpty();
        if (!rtp) {
            return Optional.empty();
        }
        return Optional.of(format.filter(f -> f.codec().equalsIgnoreCase("opus")).isPresent() ? "rtp_opus" : "rtp");
    }

    /**
     * The first real audio format: telephone-event (RFC 4733) and comfort noise (RFC 3389) are never what a device
     * streams, though a device may list them first.
     */
    private static Optional<AudioFormat> primaryFormat(List<AudioFormat> formats) {
        return formats.stream().filter(f -> !f.isTelephoneEvent() && !f.codec().equalsIgnoreCase("CN")).findFirst();
    }
}
