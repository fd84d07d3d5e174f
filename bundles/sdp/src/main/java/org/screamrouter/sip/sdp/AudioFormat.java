package org.screamrouter.sip.sdp;

import java.util.Objects;
import java.util.Optional;

/**
 * One audio format of a media section: payload type, codec, clock rate and channels, from
 * {@code a=rtpmap} or, for static payload types, from the RFC 3551 section 6 table.
 */
public record AudioFormat(int payloadType, String codec, long clockRate, int channels) {

    public AudioFormat {
        Objects.requireNonNull(codec, "codec");
    }

    /** The static audio payload types of RFC 3551 table 4, usable without an rtpmap. */
    public static Optional<AudioFormat> staticPayloadType(int payloadType) {
        return switch (payloadType) {
            case 0 -> Optional.of(new AudioFormat(0, "PCMU", 8000, 1));
            case 3 -> Optional.of(new AudioFormat(3, "GSM", 8000, 1));
            case 4 -> Optional.of(new AudioFormat(4, "G723", 8000, 1));
            case 5 -> Optional.of(new AudioFormat(5, "DVI4", 8000, 1));
            case 6 -> Optional.of(new AudioFormat(6, "DVI4", 16000, 1));
            case 7 -> Optional.of(new AudioFormat(7, "LPC", 8000, 1));
            case 8 -> Optional.of(new AudioFormat(8, "PCMA", 8000, 1));
            // G722's RTP clock rate is 8000 although it samples at 16 kHz (RFC 3551 section 4.5.2)
            case 9 -> Optional.of(new AudioFormat(9, "G722", 8000, 1));
            case 10 -> Optional.of(new AudioFormat(10, "L16", 44100, 2));
            case 11 -> Optional.of(new AudioFormat(11, "L16", 44100, 1));
            case 12 -> Optional.of(new AudioFormat(12, "QCELP", 8000, 1));
            case 13 -> Optional.of(new AudioFormat(13, "CN", 8000, 1));
            case 14 -> Optional.of(new AudioFormat(14, "MPA", 90000, 1));
            case 15 -> Optional.of(new AudioFormat(15, "G728", 8000, 1));
            case 16 -> Optional.of(new AudioFormat(16, "DVI4", 11025, 1));
            case 17 -> Optional.of(new AudioFormat(17, "DVI4", 22050, 1));
            case 18 -> Optional.of(new AudioFormat(18, "G729", 8000, 1));
            default -> Optional.empty();
        };
    }

    /** The format of an rtpmap (channels as {@link RtpMap#channels()} reads them). */
    public static AudioFormat of(RtpMap rtpMap) {
        return new AudioFormat(rtpMap.payloadType(), rtpMap.encodingName(), rtpMap.clockRate(), rtpMap.channels());
    }

    /** The formats of an audio media section, in m= line order; unknown dynamic types are left out. */
    public static java.util.List<AudioFormat> of(MediaDescription m) {
        java.util.List<RtpMap> maps = m.rtpMaps();
        java.util.List<AudioFormat> list = new java.util.ArrayList<>();
        for (int pt : m.payloadTypes()) {
            RtpMap map = null;
            for (RtpMap r : maps) {
                if (r.payloadType() == pt) {
                    map = r;
                    break;
                }
            }
            if (map != null) {
                list.add(of(map));
            } else {
                staticPayloadType(pt).ifPresent(list::add);
            }
        }
        return java.util.List.copyOf(list);
    }

    /** Same codec (name ignoring case), clock rate and channels: what RFC 3264 section 6.1 matches on. */
    public boolean sameCodecAs(AudioFormat other) {
        return codec.equalsIgnoreCase(other.codec) && clockRate == other.clockRate && channels == other.channels;
    }

    public boolean isTelephoneEvent() {
        return "telephone-event".equalsIgnoreCase(codec);
    }

    /** The rtpmap value for this format; the channel count is written only when it is not 1. */
    public RtpMap toRtpMap() {
        return new RtpMap(payloadType, codec, clockRate, channels == 1 ? null : Integer.toString(channels));
    }

    @Override
    public String toString() {
        return payloadType + " " + codec + '/' + clockRate + (channels == 1 ? "" : "/" + channels);
    }
}
