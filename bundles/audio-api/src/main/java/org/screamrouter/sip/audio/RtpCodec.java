package org.screamrouter.sip.audio;

/**
 * A codec for an RTP listener, as negotiated in SDP: the encoding, the payload type the offer chose, the clock rate
 * and the channel count. Packets carry 20 ms, except L16 at rates and channel counts where 20 ms would not fit one
 * Ethernet frame: then 10 or 5 ms (see {@link #frameMillis()}; the caller puts it in {@code a=ptime}).
 *
 * @param encoding what the payload is
 * @param payloadType 0..127 (the offer's number for a dynamic type)
 * @param clockRate samples per second per channel (8000 for G.711)
 * @param channels 1..8 (1 for G.711)
 */
public record RtpCodec(Encoding encoding, int payloadType, int clockRate, int channels) {

    /** Encodings the bridge can send over plain RTP. */
    public enum Encoding {
        /** G.711 mu-law (RFC 3551 static type 0), 8 kHz mono. */
        PCMU,
        /** G.711 A-law (RFC 3551 static type 8), 8 kHz mono. */
        PCMA,
        /** 16-bit linear PCM, network byte order (RFC 3551 4.5.11), any rate, 1..8 channels. */
        L16
    }

    public RtpCodec {
        if (encoding == null) throw new IllegalArgumentException("no encoding");
        if (payloadType < 0 || payloadType > 127) throw new IllegalArgumentException("payload type " + payloadType);
        if (clockRate < 8000 || clockRate > 192000) throw new IllegalArgumentException("clock rate " + clockRate);
        if (channels < 1 || channels > 8) throw new IllegalArgumentException("channels " + channels);
        if (encoding != Encoding.L16 && (clockRate != 8000 || channels != 1)) {
            throw new IllegalArgumentException(encoding + " is 8000 Hz mono, not " + clockRate + "/" + channels);
        }
    }

    public static final RtpCodec PCMU_8000 = new RtpCodec(Encoding.PCMU, 0, 8000, 1);
    public static final RtpCodec PCMA_8000 = new RtpCodec(Encoding.PCMA, 8, 8000, 1);
    /** ScreamRouter's L16 sender: payload type 127, 48 kHz stereo. */
    public static final RtpCodec L16_48000_STEREO = new RtpCodec(Encoding.L16, 127, 48000, 2);

    /** The rtpmap encoding name, e.g. {@code PCMU/8000} or {@code L16/48000/2}. */
    public String rtpmap() {
        return encoding + "/" + clockRate + (encoding == Encoding.L16 || channels > 1 ? "/" + channels : "");
    }

    /** Largest RTP payload the bridge sends, so that a packet fits a 1500-byte Ethernet frame. */
    public static final int MAX_PAYLOAD = 1200;

    /** Milliseconds of audio per packet: 20, or for L16 the longest of 20, 10, 5 whose payload fits {@link #MAX_PAYLOAD}. */
    public int frameMillis() {
        if (encoding != Encoding.L16) return 20;
        for (int ms : new int[] {20, 10, 5}) {
            if (clockRate * ms / 1000 * channels * 2 <= MAX_PAYLOAD) return ms;
        }
        return 5;
    }

    /** Samples per channel in one packet, which is also the RTP timestamp step. */
    public int samplesPerFrame() {
        return clockRate * frameMillis() / 1000;
    }
}
