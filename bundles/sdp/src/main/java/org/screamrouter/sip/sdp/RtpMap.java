package org.screamrouter.sip.sdp;

import java.util.Objects;

/**
 * {@code a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]} (RFC 8866 section 6.6).
 *
 * @param encodingParameters for audio the channel count as written, or {@code null} when absent
 */
public record RtpMap(int payloadType, String encodingName, long clockRate, String encodingParameters) {

    public RtpMap {
        Objects.requireNonNull(encodingName, "encodingName");
    }

    /**
     * Audio channels: the encoding parameter if it is a number, else 1 as RFC 8866 section 6.6 says,
     * except L16 whose missing channel count means stereo in ScreamRouter's device plan.
     */
    public int channels() {
        if (encodingParameters != null) {
            int n = 0;
            for (int i = 0; i < encodingParameters.length() && i < 4; i++) {
                char c = encodingParameters.charAt(i);
                if (c < '0' || c > '9') {
                    return 1;
                }
                n = n * 10 + (c - '0');
            }
            return encodingParameters.isEmpty() || encodingParameters.length() > 4 ? 1 : n;
        }
        return "L16".equalsIgnoreCase(encodingName) ? 2 : 1;
    }

    /** The value after {@code a=rtpmap:}. */
    public String toAttributeValue() {
        String base = payloadType + " " + encodingName + '/' + clockRate;
        return encodingParameters == null ? base : base + '/' + encodingParameters;
    }
}
