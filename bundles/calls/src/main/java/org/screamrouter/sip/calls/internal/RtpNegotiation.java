package org.screamrouter.sip.calls.internal;

import java.util.List;
import java.util.Optional;
import org.screamrouter.sip.audio.RtpCodec;
import org.screamrouter.sip.sdp.AudioFormat;
import org.screamrouter.sip.sdp.Codec;
import org.screamrouter.sip.sdp.Direction;
import org.screamrouter.sip.sdp.LocalCapabilities;
import org.screamrouter.sip.sdp.MediaDescription;
import org.screamrouter.sip.sdp.Origin;
import org.screamrouter.sip.sdp.SessionDescription;

/**
 * The plain RTP side of a call: what the audio bridge can send ({@link RtpCodec}: G.711 and L16) offered to the SDP
 * bundle's RFC 3264 {@link org.screamrouter.sip.sdp.OfferAnswer}, and the codec the bridge sends: the first one of
 * the answer, which is the offerer's most preferred one the server supports.
 */
final class RtpNegotiation {
    /** What the bridge sends over plain RTP. */
    static final List<Codec> CODECS = List.of(Codec.PCMU, Codec.PCMA,
            new Codec("L16", 48000, 2, null), new Codec("L16", 48000, 1, null),
            new Codec("L16", 44100, 2, null), new Codec("L16", 44100, 1, null),
            new Codec("L16", 16000, 1, null), new Codec("L16", 8000, 1, null));

    private RtpNegotiation() {
    }

    /** The server sends the sink's audio and receives nothing. */
    static LocalCapabilities local(String address, int port, String sessionId) {
        return new LocalCapabilities("screamrouter", sessionId, 1, address, port, CODECS, false, Direction.SENDONLY);
    }

    static Origin origin(LocalCapabilities local) {
        return Origin.of(local.username(), local.sessionId(), local.initialVersion(), local.address());
    }

    /** The accepted audio section of an answer. */
    static Optional<MediaDescription> acceptedAudio(SessionDescription answer) {
        return answer.media().stream().filter(m -> m.media().equalsIgnoreCase("audio") && m.port() != 0).findFirst();
    }

    /**
     * The answer with {@code a=ptime} of the packets the bridge sends when that is not 20 ms (L16 at high rates
     * fits one Ethernet frame only at 10 or 5 ms, {@link RtpCodec#frameMillis()}).
     */
    static SessionDescription withPacketTime(SessionDescription answer) {
        List<MediaDescription> media = new java.util.ArrayList<>();
        boolean changed = false;
        for (MediaDescription m : answer.media()) {
            if (!changed && m.media().equalsIgnoreCase("audio") && m.port() != 0) {
                int ms = codecOf(m).frameMillis();
                if (ms != 20) {
                    List<org.screamrouter.sip.sdp.Attribute> attributes = new java.util.ArrayList<>();
                    for (org.screamrouter.sip.sdp.Attribute a : m.attributes()) {
                        if (!a.name().equalsIgnoreCase("ptime")) attributes.add(a);
                    }
                    attributes.add(org.screamrouter.sip.sdp.Attribute.of("ptime", Integer.toString(ms)));
                    m = m.withAttributes(attributes);
                }
                changed = true;
            }
            media.add(m);
        }
        return answer.withMedia(media);
    }

    /** The codec the bridge sends: the first format of the accepted section. */
    static RtpCodec codecOf(MediaDescription accepted) {
        for (AudioFormat f : AudioFormat.of(accepted)) {
            if (f.isTelephoneEvent()) {
                continue;
            }
            RtpCodec.Encoding encoding = switch (f.codec().toUpperCase(java.util.Locale.ROOT)) {
                case "PCMU" -> RtpCodec.Encoding.PCMU;
                case "PCMA" -> RtpCodec.Encoding.PCMA;
                case "L16" -> RtpCodec.Encoding.L16;
                default -> null;
            };
            if (encoding != null) {
                return new RtpCodec(encoding, f.payloadType(), (int) f.clockRate(), f.channels());
            }
        }
        throw new IllegalArgumentException("no codec the bridge sends in " + accepted.formats());
    }
}
