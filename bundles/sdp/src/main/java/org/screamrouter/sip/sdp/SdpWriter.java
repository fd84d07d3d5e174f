package org.screamrouter.sip.sdp;

import java.nio.charset.StandardCharsets;
import org.screamrouter.sip.sdp.internal.SdpWriting;

/**
 * Writes session descriptions in RFC 8866 section 5 line order with CRLF endings. A description read
 * from well-formed SDP is written back byte for byte: attribute values are kept as received.
 * Lines the lenient parser could not understand are written at the end of their section.
 *
 * <p>A description exactly as the parser returned it, from input already in this writer's form (CRLF
 * lines, single spaces, no error), is written as the parsed text itself: relaying a device's SDP
 * unchanged costs no copy. Any changed copy ({@code withOrigin}, {@code withMedia}...) is written field
 * by field, with the same result for the unchanged parts.
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
