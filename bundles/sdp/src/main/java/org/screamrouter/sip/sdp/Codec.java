package org.screamrouter.sip.sdp;

import java.util.Objects;

/**
 * A codec the server accepts in an answer, matched to offered formats by name (ignoring case), clock
 * rate and channels (RFC 3264 section 6.1); the payload type is always the offerer's.
 *
 * @param fmtp format parameters to answer with, or {@code null} to carry the offerer's
 */
public record Codec(String name, long clockRate, int channels, String fmtp) {

    public static final Codec PCMU = new Codec("PCMU", 8000, 1, null);
    public static final Codec PCMA = new Codec("PCMA", 8000, 1, null);
    public static final Codec G722 = new Codec("G722", 8000, 1, null);
    public static final Codec OPUS = new Codec("opus", 48000, 2, null);
    public static final Codec L16_48000_STEREO = new Codec("L16", 48000, 2, null);

    public Codec {
        Objects.requireNonNull(name, "name");
    }

    public boolean matches(AudioFormat format) {
        return name.equalsIgnoreCase(format.codec()) && clockRate == format.clockRate() && channels == format.channels();
    }
}
