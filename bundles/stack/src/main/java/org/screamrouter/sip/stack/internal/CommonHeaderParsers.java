package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.header.SIPHeader;
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
import java.text.ParseException;
import java.util.function.Function;

/**
 * The JAIN-SIP header parsers of the headers nearly every request carries, made directly. JAIN-SIP's
 * {@code ParserFactory} finds a header's parser by a lower-cased copy of its name and makes it by reflection, after
 * cutting the line into name and value strings: 3.5% of the server's CPU under an OPTIONS load (issue 15). The parser
 * classes are the ones {@code ParserFactory} would pick ({@code CommonHeaderParsersTest} compares them for every name
 * here); any other header still goes through {@code ParserFactory}. Most of these headers are first read by hand
 * ({@link PlainHeaders}) when their value has its plain shape; their parser reads any other.
 */
final class CommonHeaderParsers {
    /** A name, JAIN-SIP's parser of its header, and the reading of its plain shape ({@link PlainHeaders}) or null. */
    private record Known(String name, Function<String, HeaderParser> parser, PlainHeaders.Reader plain) {
        Known(String name, Function<String, HeaderParser> parser) {
            this(name, parser, null);
        }
    }

    /** Full and compact names (RFC 3261 7.3.3), the most frequent first. */
    private static final Known[] KNOWN = {
        new Known("Via", ViaParser::new, PlainHeaders::via), new Known("v", ViaParser::new, PlainHeaders::via),
        new Known("From", FromParser::new, PlainHeaders::from), new Known("f", FromParser::new, PlainHeaders::from),
        new Known("To", ToParser::new, PlainHeaders::to), new Known("t", ToParser::new, PlainHeaders::to),
        new Known("Call-ID", CallIDParser::new, PlainHeaders::callId),
        new Known("i", CallIDParser::new, PlainHeaders::callId),
        new Known("CSeq", CSeqParser::new, PlainHeaders::cSeq),
        new Known("Contact", ContactParser::new, PlainHeaders::contact),
        new Known("m", ContactParser::new, PlainHeaders::contact),
        new Known("Max-Forwards", MaxForwardsParser::new, PlainHeaders::maxForwards),
        new Known("Content-Length", ContentLengthParser::new, PlainHeaders::contentLength),
        new Known("l", ContentLengthParser::new, PlainHeaders::contentLength),
        new Known("Content-Type", ContentTypeParser::new, PlainHeaders::contentType),
        new Known("c", ContentTypeParser::new, PlainHeaders::contentType),
        new Known("User-Agent", UserAgentParser::new, PlainHeaders::userAgent),
        new Known("Expires", ExpiresParser::new, PlainHeaders::expires),
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
        Known known = known(header);
        return known == null ? null : known.parser.apply(header + "\n");
    }

    /**
     * The header of one unfolded header line: read by hand when its value has the plain shape ({@link #plain}), else
     * by the JAIN-SIP parser {@link #forLine} gives; null when the name is not one of these.
     *
     * @throws ParseException as that JAIN-SIP parser throws it
     */
    static SIPHeader parse(String header) throws ParseException {
        Known known = known(header);
        if (known == null) return null;
        SIPHeader plain = plain(known, header);
        return plain != null ? plain : known.parser.apply(header + "\n").parse();
    }

    /** The header of the line read by hand ({@link PlainHeaders}), or null when it is not plain or not one of these. */
    static SIPHeader plain(String header) {
        Known known = known(header);
        return known == null ? null : plain(known, header);
    }

    private static SIPHeader plain(Known known, String header) {
        // only a name from the line's start, without anything JAIN-SIP's lexer would read otherwise before it
        return known.plain == null || header.charAt(0) <= ' '
                ? null : PlainHeaders.read(known.plain, header, known.name.length());
    }

    private static Known known(String header) {
        int colon = header.indexOf(':');
        int start = 0;
        int end = colon;
        while (start < end && header.charAt(start) <= ' ') start++;
        while (end > start && header.charAt(end - 1) <= ' ') end--;
        int length = end - start;
        if (colon < 1 || length == 0) return null;
        for (Known known : KNOWN) {
            if (known.name.length() == length && sameAsciiName(header, start, known.name)) {
                return known;
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
