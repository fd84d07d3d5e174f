package org.screamrouter.sip.sdp;

import java.nio.charset.StandardCharsets;
import org.screamrouter.sip.sdp.internal.SdpReader;

/**
 * Parses session descriptions (RFC 8866). Line endings may be CRLF or LF.
 *
 * <p>{@link #parse(String) Strict} parsing fails on the first error with a message naming the line.
 * {@link #parseLenient(String) Lenient} parsing never fails: it keeps what it cannot understand as
 * {@link UnrecognizedLine}s and reports every problem as a {@link Diagnostic}. Both detect the same
 * problems; an unknown attribute is only a warning in either mode because RFC 8866 section 5.13
 * requires receivers to ignore attributes they do not understand.
 *
 * <p>Neither method throws an unchecked exception for any input.
 */
public final class SdpParser {

    private SdpParser() {
    }

    public static SessionDescription parse(String sdp) throws SdpParseException {
        return SdpReader.strict(sdp, false);
    }

    /** Parses UTF-8 bytes (RFC 8866 section 5.13: the default charset of SDP text is UTF-8). */
    public static SessionDescription parse(byte[] sdp) throws SdpParseException {
        return parse(new String(sdp, StandardCharsets.UTF_8));
    }

    public static ParseResult parseLenient(String sdp) {
        return SdpReader.lenient(sdp, false);
    }

    public static ParseResult parseLenient(byte[] sdp) {
        return parseLenient(new String(sdp, StandardCharsets.UTF_8));
    }
}
