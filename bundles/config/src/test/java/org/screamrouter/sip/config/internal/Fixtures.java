package org.screamrouter.sip.config.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;
import org.osgi.service.event.Event;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceEvents;
import org.screamrouter.sip.sdp.DeviceCapabilities;
import org.screamrouter.sip.sdp.SdpParseException;
import org.screamrouter.sip.sdp.SdpParser;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Devices as the registrar makes them, from the SDP of a REGISTER, and a ScreamRouter config.yaml to keep. */
final class Fixtures {
    static final String SINK_UUID = "5f7c1a2e-9b7d-4e1f-8a3c-0d2e4f6a8b1c";
    static final String SOURCE_UUID = "c0ffee11-2233-4455-6677-8899aabbccdd";
    static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");

    /** A sink: receives L16 stereo at 48 kHz on RTP port 5004 of 192.168.1.50 (its connection address). */
    static String sinkSdp(String uuid, int port) {
        return "v=0\r\n"
                + "o=- 1 1 IN IP4 192.168.1.50\r\n"
                + "s=-\r\n"
                + "c=IN IP4 192.168.1.50\r\n"
                + "t=0 0\r\n"
                + "a=x-screamrouter-role:sink\r\n"
                + "a=x-screamrouter-uuid:" + uuid + "\r\n"
                + "a=x-screamrouter-supported-protocols:rtp\r\n"
                + "m=audio " + port + " RTP/AVP 96 97\r\n"
                + "a=rtpmap:96 L16/48000/2\r\n"
                + "a=rtpmap:97 MP3/0/0\r\n"
                + "a=recvonly\r\n";
    }

    /** The plan's example source offer: L16/48000/2 first, send-only. */
    static String sourceSdp(String uuid) {
        return "v=0\r\n"
                + "o=- 1 1 IN IP4 10.0.0.7\r\n"
                + "s=-\r\n"
                + "c=IN IP4 10.0.0.7\r\n"
                + "t=0 0\r\n"
                + "m=audio 40000 RTP/AVP 96 97\r\n"
                + "a=rtpmap:96 L16/48000/2\r\n"
                + "a=rtpmap:97 MP3/0/0\r\n"
                + "a=sendonly\r\n"
                + "a=x-screamrouter-role:source\r\n"
                + "a=x-screamrouter-uuid:" + uuid + "\r\n";
    }

    static DeviceCapabilities capabilities(String sdp) {
        try {
            return DeviceCapabilities.from(SdpParser.parse(sdp));
        } catch (SdpParseException e) {
            throw new AssertionError(e);
        }
    }

    static Device device(String uuid, String sdp, String sourceIp, boolean online) {
        return device(uuid, sdp, sourceIp, online, T0);
    }

    static Device device(String uuid, String sdp, String sourceIp, boolean online, Instant lastSeen) {
        return new Device(uuid, "sip:" + uuid + "@screamrouter.local", "sip:" + uuid + "@" + sourceIp + ":5062;transport=udp",
                "udp", new InetSocketAddress(sourceIp, 5062), sdp == null ? null : capabilities(sdp), "test-device/1.0",
                online, T0, lastSeen, lastSeen.plusSeconds(3600));
    }

    static Device sink(String uuid, int port) {
        return device(uuid, sinkSdp(uuid, port), "192.168.1.51", true);
    }

    static Device source(String uuid) {
        return device(uuid, sourceSdp(uuid), "10.0.0.8", true);
    }

    static Event event(String topic, Device device) {
        return new Event(topic, Map.of(DeviceEvents.UUID, device.uuid(), DeviceEvents.DEVICE, device));
    }

    static Event offlineEvent(String uuid) {
        return new Event(DeviceEvents.OFFLINE, Map.of(DeviceEvents.UUID, uuid));
    }

    /** A config.yaml as ScreamRouter writes it (PyYAML: sorted keys, anchors for shared objects), plus a SIP sink a user tuned. */
    static final String SCREAMROUTER_YAML = """
            routes:
            - delay: 0
              enabled: true
              equalizer: &id001
                b1: 1.0
                b2: 1.2
                b18: 0.8
                normalization_enabled: false
              name: Desktop to Kitchen
              sink: Kitchen
              source: Desktop
              speaker_layouts: {}
              timeshift: 0.0
              volume: 0.8
            - delay: 120
              enabled: false
              equalizer: *id001
              name: Desktop to All
              sink: All Rooms
              source: Desktop
              volume: 1.0
            sinks:
            - bit_depth: 32
              channel_layout: stereo
              channels: 2
              config_id: 0b6d2c1e-7e61-4c55-9d63-3f9e1c3b2a10
              delay: 0
              enabled: true
              equalizer:
                b1: 1.0
                b2: 1.0
                normalization_enabled: true
              group_members: []
              ip: 192.168.1.20
              is_group: false
              name: Kitchen
              port: 4010
              protocol: scream
              rtp_receiver_mappings: []
              sample_rate: 48000
              speaker_layouts:
                2:
                  auto_mode: false
                  matrix:
                  - [1.0, 0.0]
                  - [0.0, 1.0]
              time_sync: false
              use_tcp: false
              volume: 0.65
            - enabled: true
              group_members:
              - Kitchen
              - Living Room
              ip: null
              is_group: true
              name: All Rooms
            - bit_depth: 16
              channels: 2
              delay: 250
              enabled: true
              equalizer:
                b1: 1.5
                b18: 0.5
                normalization_enabled: false
              ip: 192.168.1.40
              name: Porch speaker
              port: 5004
              protocol: rtp
              protocol_type: sip
              sample_rate: 48000
              sip_contact_uri: sip:aaaa0000-1111-2222-3333-444455556666@192.168.1.40:5062;transport=udp
              uuid: aaaa0000-1111-2222-3333-444455556666
              volume: 0.4
            sources:
            - enabled: true
              ip: 192.168.1.10
              name: Desktop
              tag: null
              vnc_ip: ''
              vnc_port: ''
              volume: 1
            system_capture_devices: []
            system_playback_devices:
            - channels: 2
              sample_rate: 48000
              tag: hw:0,0
            """;

    static Map<String, Object> load(String yaml) {
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        return root;
    }

    /**
     * What belongs to ScreamRouter and the user: every section and entry, without the entries of devices (those whose
     * config_id is one of the given, or that carry an old {@code uuid} key).
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> foreignParts(Map<String, Object> root, java.util.Collection<String> deviceConfigIds) {
        Map<String, Object> out = new LinkedHashMap<>();
        root.forEach((key, value) -> {
            if ((key.equals("sinks") || key.equals("sources")) && value instanceof List<?> list) {
                List<Object> kept = new ArrayList<>();
                for (Object item : list) {
                    if (item instanceof Map<?, ?> m && (m.get("uuid") != null || deviceConfigIds.contains(String.valueOf(m.get("config_id"))))) {
                        continue;
                    }
                    kept.add(item);
                }
                out.put(key, kept);
            } else {
                out.put(key, value);
            }
        });
        return out;
    }

    /** The entry of a list with this config_id. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> byConfigId(Map<String, Object> root, String section, String configId) {
        for (Object item : (List<Object>) root.getOrDefault(section, List.of())) {
            if (item instanceof Map<?, ?> m && configId.equals(String.valueOf(m.get("config_id")))) {
                return (Map<String, Object>) m;
            }
        }
        return null;
    }

    /** Waits for a condition with a deadline (no fixed sleeps: returns as soon as it holds). */
    static void await(String what, Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + deadline.toMillis() + " ms waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }

    private Fixtures() {}
}
