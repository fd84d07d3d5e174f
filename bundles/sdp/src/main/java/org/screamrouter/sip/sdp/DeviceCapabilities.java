package org.screamrouter.sip.sdp;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a device or browser can do, read from the SDP of its REGISTER or INVITE: ScreamRouter identity
 * (role, uuid, protocols; see docs/devices.md), the audio formats, where to send RTP, the direction,
 * and for WebRTC the ICE credentials and DTLS fingerprint and role (RFC 8839, RFC 8842).
 *
 * @param uuid              {@code a=x-screamrouter-uuid}, or {@code null}
 * @param role              {@code a=x-screamrouter-role}, or {@code null}
 * @param protocols         {@code a=x-screamrouter-supported-protocols}, lower case, empty when absent
 * @param audioFormats      formats of the first audio section in m= line order
 * @param rtpPort           port of the first audio section, 0 when there is none
 * @param connectionAddress its connection address (media over session), or {@code null}
 * @param direction         its effective direction
 * @param iceUfrag          {@code null} when absent
 * @param icePwd            {@code null} when absent
 * @param fingerprint       {@code null} when absent
 * @param setup             {@code null} when absent
 * @param webRtc            true for a DTLS-SRTP offer with ICE, as browsers send
 */
public record DeviceCapabilities(String uuid, DeviceRole role, List<String> protocols, List<AudioFormat> audioFormats,
                                 int rtpPort, String connectionAddress, Direction direction, String iceUfrag,
                                 String icePwd, Fingerprint fingerprint, Setup setup, boolean webRtc) {

    public DeviceCapabilities {
        protocols = List.copyOf(protocols);
        audioFormats = List.copyOf(audioFormats);
        Objects.requireNonNull(direction, "direction");
    }

    /** Extracts the capabilities of a description; missing parts are {@code null} or empty, never an exception. */
    public static DeviceCapabilities from(SessionDescription d) {
        ScreamRouterAttributes sr = d.screamRouter();
        Optional<MediaDescription> audio = d.media().stream()
                .filter(m -> m.media().equalsIgnoreCase("audio") && m.port() != 0).findFirst()
                .or(() -> d.firstMedia("audio"));
        if (audio.isEmpty()) {
            return new DeviceCapabilities(sr.uuid(), sr.role(), sr.protocols(), List.of(), 0,
                    d.connection() == null ? null : d.connection().address(), d.direction().orElse(Direction.SENDRECV),
                    d.iceUfrag().orElse(null), d.icePwd().orElse(null), d.fingerprint().orElse(null),
                    d.setup().orElse(null), false);
        }
        MediaDescription m = audio.get();
        Fingerprint fp = d.fingerprint(m).orElse(null);
        String ufrag = d.iceUfrag(m).orElse(null);
        return new DeviceCapabilities(sr.uuid(), sr.role(), sr.protocols(), AudioFormat.of(m), m.port(),
                d.connection(m).map(Connection::address).orElse(null), d.direction(m), ufrag,
                d.icePwd(m).orElse(null), fp, d.setup(m).orElse(null), isWebRtc(m.protocol(), fp, ufrag));
    }

    /**
     * WebRTC media is DTLS-SRTP (RFC 8827 section 6.5): a UDP/TLS or TCP/DTLS RTP profile, or an older
     * browser's RTP/SAVPF that carries both a fingerprint and ICE credentials.
     */
    private static boolean isWebRtc(String protocol, Fingerprint fp, String ufrag) {
        String p = protocol.toUpperCase(Locale.ROOT);
        if (p.startsWith("UDP/TLS/RTP/") || p.startsWith("TCP/DTLS/RTP/") || p.startsWith("TCP/TLS/RTP/")) {
            return true;
        }
        return p.contains("SAVP") && fp != null && ufrag != null;
    }

    /** The format with this payload type, if the device offered it. */
    public Optional<AudioFormat> audioFormat(int payloadType) {
        return audioFormats.stream().filter(f -> f.payloadType() == payloadType).findFirst();
    }
}
