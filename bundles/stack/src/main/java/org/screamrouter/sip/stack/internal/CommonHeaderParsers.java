package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.parser.AcceptParser;
import gov.nist.javax.sip.parser.AllowParser;
import gov.nist.javax.sip.parser.CSeqParser;
import gov.nist.javax.sip.parser.CallIDParser;
import gov.nist.javax.sip.parser.ContactParser;
import gov.nist.javax.sip.parser.ContentLengthParser;
import gov.nist.javax.sip.parser.ContentTypeParser;
import gov.nist.javax.sip.parser.EventParser;
import gov.nist.javax.sip.parser.ExpiresParser;
import gov.nist.javax.sip.parser.FromParser;
import gov.nist.javax.sip.parser.HeaderParser;
import gov.nist.javax.sip.parser.MaxForwardsParser;
import gov.nist.javax.sip.parser.RecordRouteParser;
import gov.nist.javax.sip.parser.RouteParser;
import gov.nist.javax.sip.parser.SupportedParser;
import gov.nist.javax.sip.parser.ToParser;
import gov.nist.javax.sip.parser.UserAgentParser;
import gov.nist.javax.sip.parser.ViaParser;
import java.util.function.Function;

/**
 * The JAIN-SIP header parsers of the headers nearly every request carries, made directly. JAIN-SIP's
 * {@code ParserFactory} finds a header's parser by a lower-cased copy of its name and makes it by reflection, after
 * cutting the line into name and value strings: 3.5% of the server's CPU under an OPTIONS load (issue 15). The parser
 * classes are the ones {@code ParserFactory} would pick ({@code CommonHeaderParsersTest} compares them for every name
 * here); any other header still goes through {@code ParserFactory}.
 */
final class CommonHeaderParsers {
    private record Known(String name, Function<String, HeaderParser> parser) { }

    /** Full and compact names (RFC 3261 7.3.3), the most frequent first. */
    private static final Known[] KNOWN = {
        new Known("Via", ViaParser::new), new Known("v", ViaParser::new),
        new Known("From", FromParser::new), new Known("f", FromParser::new),
        new Known("To", ToParser::new), new Known("t", ToParser::new),
        new Known("Call-ID", CallIDParser::new), new Known("i", CallIDParser::new),
        new Known("CSeq", CSeqParser::new),
        new Known("Contact", ContactParser::new), new Known("m", ContactParser::new),
        new Known("Max-Forwards", MaxForwardsParser::new),
        new Known("Content-Length", ContentLengthParser::new), new Known("l", ContentLengthParser::new),
        new Known("Content-Type", ContentTypeParser::new), new Known("c", ContentTypeParser::new),
        new Known("User-Agent", UserAgentParser::new),
        new Known("Expires", ExpiresParser::new),
        new Known("Supported", SupportedParser::new), new Known("k", SupportedParser::new),
        new Known("Allow", AllowParser::new),
        new Known("Accept", AcceptParser::new),
        new Known("Event", EventParser::new), new Known("o", EventParser::new),
        new Known("Route", RouteParser::new),
        new Known("Record-Route", RecordRouteParser::new),
    };

    private CommonHeaderParsers() {
    }

    /** The names known here (for the test that compares them with JAIN-SIP's table). */
    static java.util.List<String> names() {
        return java.util.Arrays.stream(KNOWN).map(Known::name).toList();
    }

    /**
     * The parser of one unfolded header line ("Name: value", no line end), or null when its name is not one of these
     * (or there is no name): then {@code ParserFactory} decides. The name is read as {@code ParserFactory} reads it:
     * up to the first colon, without surrounding white space, in any case of its ASCII letters.
     */
    static HeaderParser forLine(String header) {
        int colon = header.indexOf(':');
        int start = 0;
        int end = colon;
        while (start < end && header.charAt(start) <= ' ') start++;
        while (end > start && header.charAt(end - 1) <= ' ') end--;
        int length = end - start;
        if (colon < 1 || length == 0) return null;
        for (Known known : KNOWN) {
            if (known.name.length() == length && sameAsciiName(header, start, known.name)) {
                return known.parser.apply(header + "\n");
            }
        }
        return null;
    }

    /**
     * Whether the text at {@code start} is the name, in any case of ASCII letters only. Not {@code regionMatches}
     * with its case folding, which folds some other characters into ASCII letters (U+0130, capital I with a dot, into
     * i): "V\u0130a" would be a Via here and an unknown header to JAIN-SIP. A name with any such character is left to
     * JAIN-SIP's factory, so both read it the same way.
     */
    private static boolean sameAsciiName(String header, int start, String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = header.charAt(start + i);
            if (c >= 'A' && c <= 'Z') c = (char) (c + ('a' - 'A'));
            char n = name.charAt(i);
            if (n >= 'A' && n <= 'Z') n = (char) (n + ('a' - 'A'));
            if (c != n) return false;
        }
        return true;
    }
}
