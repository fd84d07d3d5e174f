package org.screamrouter.sip.sdp;

import java.util.Objects;

/**
 * {@code a=rtcp-fb:<payload type or *> <type> [<parameters>]} (RFC 4585 section 4.2), e.g.
 * {@code nack pli}, {@code ccm fir}, {@code transport-cc}.
 *
 * @param parameter what follows the type ({@code pli} in {@code nack pli}), or {@code null}
 */
public record RtcpFeedback(String format, String type, String parameter) {

    public RtcpFeedback {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(type, "type");
    }

    /** True for {@code *}, which applies to every payload type of the media section. */
    public boolean appliesToAllFormats() {
        return "*".equals(format);
    }
}
