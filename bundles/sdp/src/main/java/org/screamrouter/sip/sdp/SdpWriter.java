package org.screamrouter.sip.sdp;

import java.nio.charset.StandardCharsets;
import org.screamrouter.sip.sdp.internal.SdpWriting;

/**
 * Writes session descriptions in RFC 8866 section 5 line order with CRLF endings. A description read
 * from well-formed SDP is written back byte for byte: attribute values are kept as received.
 * Lines the lenient parser could not understand are written at the end of their section.
 */
public final class SdpWriter {

    private SdpWriter() {
    }

    public static String write(SessionDescription description) {
        return SdpWriting.write(description);
    }

    /** UTF-8 bytes of {@link #write(SessionDescription)}, ready for a SIP body. */
    public static byte[] writeBytes(SessionDescription description) {
        return write(description).getBytes(StandardCharsets.UTF_8);
    }
}
