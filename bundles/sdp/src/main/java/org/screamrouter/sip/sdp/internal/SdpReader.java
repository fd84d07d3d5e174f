package org.screamrouter.sip.sdp.internal;

import java.util.ArrayList;
import java.util.List;
import org.screamrouter.sip.sdp.Attribute;
import org.screamrouter.sip.sdp.Bandwidth;
import org.screamrouter.sip.sdp.Connection;
import org.screamrouter.sip.sdp.Diagnostic;
import org.screamrouter.sip.sdp.Diagnostic.Kind;
import org.screamrouter.sip.sdp.EncryptionKey;
import org.screamrouter.sip.sdp.MediaDescription;
import org.screamrouter.sip.sdp.Origin;
import org.screamrouter.sip.sdp.ParseResult;
import org.screamrouter.sip.sdp.RepeatTime;
import org.screamrouter.sip.sdp.SdpParseException;
import org.screamrouter.sip.sdp.SessionDescription;
import org.screamrouter.sip.sdp.TimeZoneAdjustment;
import org.screamrouter.sip.sdp.Timing;
import org.screamrouter.sip.sdp.UnrecognizedLine;

/**
 * One pass over the text, line by line (RFC 8866 section 5 grammar and order). Allocation is kept to
 * what the model holds: known attribute names and small payload type numbers are shared strings,
 * lists are filled in place and handed over without a copy, and line text is copied only to report
 * a problem. The lines browsers send ({@code a=}, {@code m=}, {@code o=}, {@code c=}) are read in place
 * when they are well-formed and single-spaced; anything else goes through the general path, which
 * gives the precise message.
 *
 * <p>While reading, the reader also decides whether writing the description back would give exactly
 * the input ({@link #verbatim}); if so, the description carries its text ({@link SourceText}) and the
 * writer returns it instead of rebuilding it.
 */
public final class SdpReader {

    private static final String[] SMALL_NUMBERS = new String[128];

    static {
        for (int i = 0; i < SMALL_NUMBERS.length; i++) {
            SMALL_NUMBERS[i] = Integer.toString(i).intern();
        }
    }

    // rank of each session-level type in RFC 8866 section 5 order; -1 = not a session line letter
    private static final int R_V = 0;
    private static final int R_O = 1;
    private static final int R_S = 2;
    private static final int R_T = 9;
    private static final int R_R = 10;
    private static final int R_MEDIA = 14;

    private final String s;
    private final boolean strict;
    private final boolean fragment;
    private List<Diagnostic> diagnostics;

    /**
     * True while {@code SdpWriting} would give back the input byte for byte: every line so far ended with
     * CRLF, nothing was reported as an error or kept raw, and each field the writer prints from a parsed
     * number or re-joins from tokens is in the form the writer prints (single spaces, no leading zeros).
     * Cleared conservatively: a false "false" only costs the field-by-field write.
     */
    private boolean verbatim = true;

    private int lineNo;
    private int lineStart;
    private int lineEnd;

    // session level
    private int version;
    private Origin origin;
    private String sessionName;
    private String information;
    private String uri;
    private Growable<String> emails;
    private Growable<String> phones;
    private Connection connection;
    private Growable<Bandwidth> bandwidths;
    private Growable<Timing> timings;
    private long tStart;
    private long tStop;
    private boolean timingPending;
    private Growable<RepeatTime> repeats;
    private List<TimeZoneAdjustment> timeZones = List.of();
    private EncryptionKey key;
    private Growable<Attribute> attributes;
    private Growable<MediaDescription> media;
    private Growable<UnrecognizedLine> unrecognized;
    private int lastRank = -1;
    private long seenSingles;
    private int seenLines;       // bit per line letter seen in the current section
    private int requiredReported; // bit per mandatory line already reported missing

    // current media section
    private boolean inMedia;
    private String mMedia;
    private int mPort;
    private int mPortCount;
    private String mProto;
    private List<String> mFormats;
    private String mInfo;
    private Growable<Connection> mConnections;
    private Growable<Bandwidth> mBandwidths;
    private EncryptionKey mKey;
    private Growable<Attribute> mAttributes;
    private Growable<UnrecognizedLine> mUnrecognized;

    private SdpReader(String s, boolean strict, boolean fragment) {
        this.s = s == null ? "" : s;
        this.strict = strict;
        this.fragment = fragment;
    }

    public static SessionDescription strict(String text, boolean fragment) throws SdpParseException {
        return new SdpReader(text, true, fragment).read();
    }

    public static ParseResult lenient(String text, boolean fragment) {
        SdpReader r = new SdpReader(text, false, fragment);
        try {
            SessionDescription d = r.read();
            return new ParseResult(d, r.diagnostics == null ? List.of() : r.diagnostics);
        } catch (SdpParseException e) {
            // lenient mode never throws: report rather than lose the input
            throw new IllegalStateException("lenient parser raised " + e.getMessage(), e);
        }
    }

    private SessionDescription read() throws SdpParseException {
        final String text = s;
        final int n = text.length();
        int pos = 0;
        while (pos < n) {
            int nl = text.indexOf('\n', pos);
            int end = nl < 0 ? n : nl;
            int next = nl < 0 ? n : nl + 1;
            if (nl <= pos || text.charAt(nl - 1) != '\r') {
                verbatim = false; // LF alone or no line ending: the writer ends every line with CRLF
            }
            if (end > pos && text.charAt(end - 1) == '\r') {
                end--;
            }
            lineNo++;
            lineStart = pos;
            lineEnd = end;
            if (end == pos) {
                if (onlyLineBreaksFrom(next)) {
                    verbatim = false; // the writer does not write them back
                    break; // trailing empty lines: some SIP stacks add one; nothing follows
                }
                problem(Kind.EMPTY_LINE, "empty line");
            } else {
                line();
            }
            pos = next;
        }
        lineNo++;
        lineStart = -1;
        finishMedia();
        requireBefore(R_MEDIA);
        flushTiming();
        SourceText source = null;
        List<Attribute> sessionAttributes;
        if (verbatim && !fragment) {
            // the session attribute list is the one list every description has: it carries the text
            source = new SourceText(text);
            sessionAttributes = (attributes == null ? new Growable<Attribute>(0) : attributes).freeze(source);
        } else {
            sessionAttributes = freeze(attributes);
        }
        SessionDescription d = new SessionDescription(version, origin, sessionName, information, uri, freeze(emails),
                freeze(phones), connection, freeze(bandwidths), freeze(timings), timeZones, key, sessionAttributes,
                freeze(media), freeze(unrecognized));
        if (source != null) {
            source.description = d;
        }
        return d;
    }

    private boolean onlyLineBreaksFrom(int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\r' && c != '\n') {
                return false;
            }
        }
        return true;
    }

    private static <E> List<E> freeze(Growable<E> g) {
        return g == null ? List.of() : g.freeze();
    }

    private String lineText() {
        return lineStart < 0 ? null : s.substring(lineStart, lineEnd);
    }

    private void problem(Kind kind, String message) throws SdpParseException {
        Diagnostic d = new Diagnostic(lineNo, lineText(), kind, message);
        if (strict && d.isError()) {
            throw new SdpParseException(d);
        }
        if (d.isError()) {
            verbatim = false; // the lenient parser may have moved or dropped something
        }
        if (diagnostics == null) {
            diagnostics = new ArrayList<>(4);
        }
        diagnostics.add(d);
    }

    private void keepUnrecognized() {
        verbatim = false; // written at the end of its section, not where it was
        UnrecognizedLine u = new UnrecognizedLine(lineText(), lineNo);
        if (inMedia) {
            if (mUnrecognized == null) {
                mUnrecognized = new Growable<>(2);
            }
            mUnrecognized.add(u);
        } else {
            if (unrecognized == null) {
                unrecognized = new Growable<>(2);
            }
            unrecognized.add(u);
        }
    }

    private void line() throws SdpParseException {
        if (lineEnd - lineStart < 2 || s.charAt(lineStart + 1) != '=') {
            problem(Kind.MALFORMED_LINE, "expected <type>=<value>");
            keepUnrecognized();
            return;
        }
        char type = s.charAt(lineStart);
        int vs = lineStart + 2;
        if (inMedia && mMedia == null && type != 'm') {
            // under an m= line that could not be read: already reported, kept raw and in order
            keepUnrecognized();
            return;
        }
        try {
            if (type == 'a') {
                attribute(vs);
            } else if (type == 'm') {
                mediaLine(vs);
            } else if (inMedia) {
                mediaLevel(type, vs);
            } else {
                sessionLevel(type, vs);
            }
        } catch (SyntaxError e) {
            problem(Kind.INVALID_VALUE, e.getMessage());
            keepUnrecognized();
        }
    }

    private static int sessionRank(char type) {
        return switch (type) {
            case 'v' -> 0;
            case 'o' -> 1;
            case 's' -> 2;
            case 'i' -> 3;
            case 'u' -> 4;
            case 'e' -> 5;
            case 'p' -> 6;
            case 'c' -> 7;
            case 'b' -> 8;
            case 't' -> 9;
            case 'r' -> 10;
            case 'z' -> 11;
            case 'k' -> 12;
            case 'a' -> 13;
            default -> -1;
        };
    }

    private void requireBefore(int rank) throws SdpParseException {
        if (fragment) {
            return;
        }
        requireOne('v', R_V, rank);
        requireOne('o', R_O, rank);
        requireOne('s', R_S, rank);
        requireOne('t', R_T, rank);
    }

    private void requireOne(char type, int requiredRank, int rank) throws SdpParseException {
        int bit = 1 << (type - 'a');
        if (requiredRank < rank && (sessionSeen & bit) == 0 && (requiredReported & bit) == 0) {
            requiredReported |= bit;
            problem(Kind.MISSING_LINE, "missing " + type + "= line");
        }
    }

    private int sessionSeen; // letters seen at session level, kept after the first m=

    /** Order and repetition rules shared by every line; returns false when the line must be kept raw. */
    private boolean placeSessionLine(char type, int rank) throws SdpParseException {
        requireBefore(rank);
        int bit = 1 << (type - 'a');
        boolean once = "vosiuczk".indexOf(type) >= 0;
        if (once && (seenLines & bit) != 0) {
            problem(Kind.DUPLICATE_LINE, "duplicate " + type + "= line");
            return false;
        }
        if (type == 'r' && lastRank != R_T && lastRank != R_R) {
            problem(Kind.MISPLACED_LINE, "r= line without a preceding t= line");
            return false;
        }
        if (rank < lastRank && !(type == 't' && lastRank == R_R)) {
            problem(Kind.MISPLACED_LINE, type + "= line out of order");
        }
        seenLines |= bit;
        sessionSeen |= bit;
        lastRank = Math.max(lastRank, rank);
        if (type == 't') {
            lastRank = R_T;
        }
        return true;
    }

    private void sessionLevel(char type, int vs) throws SdpParseException, SyntaxError {
        int rank = sessionRank(type);
        if (rank < 0) {
            problem(Kind.UNKNOWN_LINE_TYPE, "unknown line type " + AttributeSyntax.printable(type));
            keepUnrecognized();
            return;
        }
        if (!placeSessionLine(type, rank)) {
            keepUnrecognized();
            return;
        }
        switch (type) {
            case 'v' -> {
                version = (int) AttributeSyntax.number(s, vs, lineEnd, 9, "version");
                if (version != 0) {
                    throw new SyntaxError("unsupported version " + version);
                }
                if (lineEnd - vs != 1) {
                    verbatim = false; // "v=00" is written "v=0"
                }
            }
            case 'o' -> origin = origin(vs);
            case 's' -> {
                if (vs == lineEnd) {
                    throw new SyntaxError("empty session name (use \"s=-\")");
                }
                sessionName = value(vs);
            }
            case 'i' -> information = value(vs);
            case 'u' -> uri = value(vs);
            case 'e' -> {
                if (emails == null) {
                    emails = new Growable<>(1);
                }
                emails.add(value(vs));
            }
            case 'p' -> {
                if (phones == null) {
                    phones = new Growable<>(1);
                }
                phones.add(value(vs));
            }
            case 'c' -> connection = connection(vs);
            case 'b' -> {
                if (bandwidths == null) {
                    bandwidths = new Growable<>(1);
                }
                bandwidths.add(bandwidth(vs));
            }
            case 't' -> timing(vs);
            case 'r' -> {
                if (repeats == null) {
                    repeats = new Growable<>(1);
                }
                repeats.add(repeat(value(vs)));
                if (!singleSpaced(vs)) {
                    verbatim = false; // the writer joins the fields with one space
                }
            }
            case 'z' -> {
                timeZones = timeZones(value(vs));
                verbatim = false; // rare; not worth proving that the writer gives it back unchanged
            }
            case 'k' -> key = key(vs);
            default -> throw new SyntaxError("unexpected line type " + type);
        }
    }

    private String value(int vs) {
        return s.substring(vs, lineEnd);
    }

    private void mediaLevel(char type, int vs) throws SdpParseException, SyntaxError {
        int rank;
        switch (type) {
            case 'i' -> rank = 1;
            case 'c' -> rank = 2;
            case 'b' -> rank = 3;
            case 'k' -> rank = 4;
            default -> {
                if (sessionRank(type) < 0) {
                    problem(Kind.UNKNOWN_LINE_TYPE, "unknown line type " + AttributeSyntax.printable(type));
                } else {
                    problem(Kind.MISPLACED_LINE, type + "= line not allowed in a media section");
                }
                keepUnrecognized();
                return;
            }
        }
        int bit = 1 << (type - 'a');
        if ((type == 'i' || type == 'k') && (seenLines & bit) != 0) {
            problem(Kind.DUPLICATE_LINE, "duplicate " + type + "= line");
            keepUnrecognized();
            return;
        }
        if (rank < lastRank) {
            problem(Kind.MISPLACED_LINE, type + "= line out of order");
        }
        seenLines |= bit;
        lastRank = Math.max(lastRank, rank);
        switch (type) {
            case 'i' -> mInfo = value(vs);
            case 'c' -> {
                if (mConnections == null) {
                    mConnections = new Growable<>(1);
                }
                mConnections.add(connection(vs));
            }
            case 'b' -> {
                if (mBandwidths == null) {
                    mBandwidths = new Growable<>(1);
                }
                mBandwidths.add(bandwidth(vs));
            }
            default -> mKey = key(vs);
        }
    }

    // ---- in-place field helpers --------------------------------------------------------------

    /** End of the field starting at {@code from}: the next space of the current line, or the line end. */
    private int fieldEnd(int from) {
        // a plain loop: fields are short, and indexOf would look past the line when it has no space
        int i = from;
        while (i < lineEnd && s.charAt(i) != ' ') {
            i++;
        }
        return i;
    }

    /** True when {@code [from, lineEnd)} is non-empty fields separated by exactly one space each. */
    private boolean singleSpaced(int from) {
        if (from >= lineEnd || s.charAt(from) == ' ' || s.charAt(lineEnd - 1) == ' ') {
            return false;
        }
        for (int i = from + 1; i < lineEnd; i++) {
            if (s.charAt(i) == ' ' && s.charAt(i - 1) == ' ') {
                return false;
            }
        }
        return true;
    }

    /** True when the digits {@code [from, to)} are written as the writer prints their value: no leading zero. */
    private boolean plainNumber(int from, int to) {
        return to - from == 1 || s.charAt(from) != '0';
    }

    private boolean is(int from, int to, String word) {
        return to - from == word.length() && s.startsWith(word, from);
    }

    /** The address type {@code IP4}/{@code IP6} as a shared string, or null. */
    private String addressType(int from, int to) {
        return is(from, to, "IP4") ? "IP4" : is(from, to, "IP6") ? "IP6" : null;
    }

    // ---- o= c= b= t= r= z= k= ----------------------------------------------------------------

    /**
     * {@code o=}: six single-spaced fields are read in place (the fixed words shared, the rest copied
     * once); any other shape goes through {@link #origin(String)}, whose messages name the fault.
     */
    private Origin origin(int vs) throws SyntaxError {
        int userEnd = fieldEnd(vs);
        int idStart = userEnd + 1;
        int idEnd = idStart > lineEnd ? lineEnd : fieldEnd(idStart);
        int verStart = idEnd + 1;
        int verEnd = verStart > lineEnd ? lineEnd : fieldEnd(verStart);
        int netStart = verEnd + 1;
        int netEnd = netStart > lineEnd ? lineEnd : fieldEnd(netStart);
        int typeStart = netEnd + 1;
        int typeEnd = typeStart > lineEnd ? lineEnd : fieldEnd(typeStart);
        int addrStart = typeEnd + 1;
        if (userEnd > vs && idEnd > idStart && verEnd > verStart && netEnd > netStart && typeEnd > typeStart
                && addrStart < lineEnd && fieldEnd(addrStart) == lineEnd
                && is(netStart, netEnd, "IN") && addressType(typeStart, typeEnd) != null) {
            // same checks, same order and same messages as origin(String) on these fields
            AttributeSyntax.number(s, idStart, idEnd, Long.MAX_VALUE, "session id");
            AttributeSyntax.number(s, verStart, verEnd, Long.MAX_VALUE, "session version");
            String addr = AttributeSyntax.address(s.substring(addrStart, lineEnd), "address");
            String user = is(vs, userEnd, "-") ? "-" : s.substring(vs, userEnd);
            return new Origin(user, s.substring(idStart, idEnd), s.substring(verStart, verEnd), "IN",
                    addressType(typeStart, typeEnd), addr);
        }
        Origin o = origin(value(vs));
        verbatim = false; // read, but not single-spaced: the writer would join the fields differently
        return o;
    }

    private static Origin origin(String v) throws SyntaxError {
        Tokens t = new Tokens(v);
        String user = t.next("username");
        String id = t.next("session id");
        AttributeSyntax.number(id, 0, id.length(), Long.MAX_VALUE, "session id");
        String ver = t.next("session version");
        AttributeSyntax.number(ver, 0, ver.length(), Long.MAX_VALUE, "session version");
        String net = AttributeSyntax.networkType(t.next("network type"));
        String type = AttributeSyntax.addressType(t.next("address type"));
        String addr = AttributeSyntax.address(t.next("address"), "address");
        if (t.hasMore()) {
            throw new SyntaxError("unexpected text after origin address");
        }
        return new Origin(user, id, ver, net, type, addr);
    }

    /**
     * {@code c=}: the unicast single-spaced form is read in place; multicast suffixes and any other shape
     * go through {@link #connection(String)}.
     */
    private Connection connection(int vs) throws SyntaxError {
        int netEnd = fieldEnd(vs);
        int typeStart = netEnd + 1;
        int typeEnd = typeStart > lineEnd ? lineEnd : fieldEnd(typeStart);
        int addrStart = typeEnd + 1;
        String type = typeEnd > typeStart ? addressType(typeStart, typeEnd) : null;
        // address characters exclude '/', so a passing address has no multicast suffix
        if (is(vs, netEnd, "IN") && type != null && addrStart < lineEnd && fieldEnd(addrStart) == lineEnd
                && AttributeSyntax.isAddress(s, addrStart, lineEnd)) {
            return new Connection("IN", type, s.substring(addrStart, lineEnd), -1, -1);
        }
        Connection c = connection(value(vs));
        if (!singleSpaced(vs) || !plainSuffixes(vs)) {
            verbatim = false;
        }
        return c;
    }

    /** True when every number after a {@code /} on the line has no leading zero (TTL, number of addresses). */
    private boolean plainSuffixes(int from) {
        for (int i = s.indexOf('/', from); i >= 0 && i < lineEnd; i = s.indexOf('/', i + 1)) {
            int end = i + 1;
            while (end < lineEnd && s.charAt(end) >= '0' && s.charAt(end) <= '9') {
                end++;
            }
            if (end > i + 1 && !plainNumber(i + 1, end)) {
                return false;
            }
        }
        return true;
    }

    private static Connection connection(String v) throws SyntaxError {
        Tokens t = new Tokens(v);
        String net = AttributeSyntax.networkType(t.next("network type"));
        String type = AttributeSyntax.addressType(t.next("address type"));
        String full = t.next("connection address");
        if (t.hasMore()) {
            throw new SyntaxError("unexpected text after connection address");
        }
        int slash = full.indexOf('/');
        if (slash < 0) {
            return new Connection(net, type, AttributeSyntax.address(full, "connection address"), -1, -1);
        }
        String addr = AttributeSyntax.address(full.substring(0, slash), "connection address");
        int slash2 = full.indexOf('/', slash + 1);
        int first = (int) AttributeSyntax.number(full, slash + 1, slash2 < 0 ? full.length() : slash2, 65535, "multicast suffix");
        if ("IP6".equals(type)) {
            if (slash2 >= 0) {
                throw new SyntaxError("IP6 multicast takes only a number of addresses");
            }
            return new Connection(net, type, addr, -1, first);
        }
        if (first > 255) {
            throw new SyntaxError("TTL out of range: " + first);
        }
        int count = slash2 < 0 ? -1 : (int) AttributeSyntax.number(full, slash2 + 1, full.length(), 65535, "number of addresses");
        return new Connection(net, type, addr, first, count);
    }

    private Bandwidth bandwidth(int vs) throws SyntaxError {
        int colon = s.indexOf(':', vs);
        if (colon < 0 || colon >= lineEnd) {
            throw new SyntaxError("bandwidth needs <type>:<value>");
        }
        if (!AttributeSyntax.isToken(s, vs, colon)) {
            throw new SyntaxError("invalid bandwidth type");
        }
        long value = AttributeSyntax.number(s, colon + 1, lineEnd, Long.MAX_VALUE / 10, "bandwidth");
        if (!plainNumber(colon + 1, lineEnd)) {
            verbatim = false;
        }
        return new Bandwidth(s.substring(vs, colon), value);
    }

    private void timing(int vs) throws SyntaxError {
        int sp = s.indexOf(' ', vs);
        if (sp < 0 || sp >= lineEnd) {
            throw new SyntaxError("timing needs <start> <stop>");
        }
        long start = AttributeSyntax.number(s, vs, sp, Long.MAX_VALUE / 10, "start time");
        long stop = AttributeSyntax.number(s, sp + 1, lineEnd, Long.MAX_VALUE / 10, "stop time");
        if (!plainNumber(vs, sp) || !plainNumber(sp + 1, lineEnd)) {
            verbatim = false;
        }
        flushTiming();
        tStart = start;
        tStop = stop;
        timingPending = true;
    }

    private void flushTiming() {
        if (!timingPending) {
            return;
        }
        if (timings == null) {
            timings = new Growable<>(1);
        }
        timings.add(new Timing(tStart, tStop, freeze(repeats)));
        repeats = null;
        timingPending = false;
    }

    private static String typedTime(String t, boolean signed, String what) throws SyntaxError {
        String body = signed && t.startsWith("-") ? t.substring(1) : t;
        if (body.startsWith("-") || RepeatTime.seconds(body) < 0) {
            throw new SyntaxError("invalid " + what + " " + AttributeSyntax.clip(t));
        }
        return t;
    }

    private static RepeatTime repeat(String v) throws SyntaxError {
        Tokens t = new Tokens(v);
        String interval = typedTime(t.next("repeat interval"), false, "repeat interval");
        String active = typedTime(t.next("active duration"), false, "active duration");
        List<String> offsets = new ArrayList<>(2);
        offsets.add(typedTime(t.next("offset"), false, "offset"));
        while (t.hasMore()) {
            offsets.add(typedTime(t.next("offset"), false, "offset"));
        }
        return new RepeatTime(interval, active, offsets);
    }

    private static List<TimeZoneAdjustment> timeZones(String v) throws SyntaxError {
        Tokens t = new Tokens(v);
        List<TimeZoneAdjustment> list = new ArrayList<>(2);
        do {
            String time = t.next("adjustment time");
            long at = AttributeSyntax.number(time, 0, time.length(), Long.MAX_VALUE / 10, "adjustment time");
            list.add(new TimeZoneAdjustment(at, typedTime(t.next("offset"), true, "offset")));
        } while (t.hasMore());
        return List.copyOf(list);
    }

    private EncryptionKey key(int vs) throws SyntaxError {
        int colon = s.indexOf(':', vs);
        int end = colon < 0 || colon >= lineEnd ? lineEnd : colon;
        if (!AttributeSyntax.isToken(s, vs, end)) {
            throw new SyntaxError("invalid key method");
        }
        return new EncryptionKey(s.substring(vs, end), end == lineEnd ? null : s.substring(end + 1, lineEnd));
    }

    // ---- m= ------------------------------------------------------------------------------------

    private void mediaLine(int vs) throws SdpParseException, SyntaxError {
        finishMedia();
        if (!inMedia) {
            requireBefore(R_MEDIA);
            flushTiming();
        }
        // a new section starts even if its m= line is broken, so its lines do not land in the previous one
        inMedia = true;
        lastRank = 0;
        seenLines = 0;
        seenSingles = 0;
        mMedia = null;
        if (mediaFields(vs)) {
            return;
        }
        verbatim = false; // not in the writer's form (extra spaces, leading zeros), or broken
        Tokens t = new Tokens(value(vs));
        String mediaType = AttributeSyntax.token(t.next("media type"), "media type");
        String portPart = t.next("port");
        int slash = portPart.indexOf('/');
        int port = (int) AttributeSyntax.number(portPart, 0, slash < 0 ? portPart.length() : slash, 65535, "port");
        int count = slash < 0 ? -1 : (int) AttributeSyntax.number(portPart, slash + 1, portPart.length(), 65535, "number of ports");
        String proto = t.next("protocol");
        for (int i = 0; i < proto.length(); i++) {
            char c = proto.charAt(i);
            if (c != '/' && !AttributeSyntax.isTokenChar(c)) {
                throw new SyntaxError("invalid protocol " + AttributeSyntax.clip(proto));
            }
        }
        boolean rtp = proto.contains("RTP/");
        if (!t.hasMore()) {
            throw new SyntaxError("m= line without formats");
        }
        Growable<String> formats = new Growable<>(8);
        while (t.hasMore()) {
            String f = t.next("format");
            if (rtp) {
                int pt = (int) AttributeSyntax.number(f, 0, f.length(), 127, "payload type");
                f = f.length() == 1 || f.charAt(0) != '0' ? SMALL_NUMBERS[pt] : f;
            } else if (!AttributeSyntax.isToken(f, 0, f.length())) {
                throw new SyntaxError("invalid format " + AttributeSyntax.clip(f));
            }
            formats.add(f);
        }
        mMedia = mediaType;
        mPort = port;
        mPortCount = count;
        mProto = proto;
        mFormats = formats.freeze();
    }

    private static final String[] MEDIA_TYPES = {"audio", "video", "application", "text", "message"};
    private static final String[] PROTOCOLS = {"UDP/TLS/RTP/SAVPF", "RTP/AVP", "RTP/SAVP", "RTP/AVPF", "RTP/SAVPF",
        "UDP/TLS/RTP/SAVP", "UDP/DTLS/SCTP", "TCP/DTLS/SCTP", "DTLS/SCTP", "udp"};

    /** The shared string among {@code known} spelled {@code s[from, to)}, or a copy of the region. */
    private String shared(int from, int to, String[] known) {
        for (String k : known) {
            if (is(from, to, k)) {
                return k;
            }
        }
        return s.substring(from, to);
    }

    /** Digits {@code [from, to)} with no leading zero, at most {@code max}; else -1. */
    private int plainValue(int from, int to, int max) {
        if (from >= to || to - from > 5 || !plainNumber(from, to)) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= max ? v : -1;
    }

    /**
     * The {@code m=} fields read in place, for a line that is valid and already in the writer's form
     * (single spaces, numbers without leading zeros): the media type, protocol and payload types come out
     * as shared strings, so a browser m= line with 20 formats copies nothing. Returns false without
     * changing anything for any other line, which the general path then reads or rejects.
     */
    private boolean mediaFields(int vs) {
        int typeEnd = fieldEnd(vs);
        if (typeEnd >= lineEnd || !AttributeSyntax.isToken(s, vs, typeEnd)) {
            return false;
        }
        int portStart = typeEnd + 1;
        int portEnd = fieldEnd(portStart);
        if (portEnd >= lineEnd) {
            return false;
        }
        int slash = s.indexOf('/', portStart);
        int numberEnd = slash >= 0 && slash < portEnd ? slash : portEnd;
        int port = plainValue(portStart, numberEnd, 65535);
        int count = numberEnd == portEnd ? -1 : plainValue(numberEnd + 1, portEnd, 65535);
        if (port < 0 || (numberEnd < portEnd && count < 0)) {
            return false;
        }
        int protoStart = portEnd + 1;
        int protoEnd = fieldEnd(protoStart);
        if (protoEnd == protoStart || protoEnd >= lineEnd) {
            return false;
        }
        for (int i = protoStart; i < protoEnd; i++) {
            char c = s.charAt(i);
            if (c != '/' && !AttributeSyntax.isTokenChar(c)) {
                return false;
            }
        }
        String proto = shared(protoStart, protoEnd, PROTOCOLS);
        boolean rtp = proto.contains("RTP/");
        Growable<String> formats = new Growable<>(24);
        int f = protoEnd + 1;
        while (true) {
            int e = fieldEnd(f);
            if (e == f) {
                return false; // two spaces or a trailing space
            }
            if (rtp) {
                int pt = plainValue(f, e, 127);
                if (pt < 0) {
                    return false;
                }
                formats.add(SMALL_NUMBERS[pt]);
            } else if (AttributeSyntax.isToken(s, f, e)) {
                formats.add(s.substring(f, e));
            } else {
                return false;
            }
            if (e == lineEnd) {
                break;
            }
            f = e + 1;
        }
        mMedia = shared(vs, typeEnd, MEDIA_TYPES);
        mPort = port;
        mPortCount = count;
        mProto = proto;
        mFormats = formats.freeze();
        return true;
    }

    private void finishMedia() {
        if (inMedia && mMedia != null) {
            if (media == null) {
                media = new Growable<>(4);
            }
            media.add(new MediaDescription(mMedia, mPort, mPortCount, mProto, mFormats, mInfo, freeze(mConnections),
                    freeze(mBandwidths), mKey, freeze(mAttributes), freeze(mUnrecognized)));
        } else if (inMedia && mUnrecognized != null) {
            // a section whose m= line could not be read: its raw lines move to the session, in order
            if (unrecognized == null) {
                unrecognized = new Growable<>(2);
            }
            for (UnrecognizedLine u : mUnrecognized.freeze()) {
                unrecognized.add(u);
            }
        }
        mMedia = null;
        mInfo = null;
        mConnections = null;
        mBandwidths = null;
        mKey = null;
        mAttributes = null;
        mUnrecognized = null;
    }

    // ---- a= ------------------------------------------------------------------------------------

    private void attribute(int vs) throws SdpParseException {
        if (!inMedia && !placeSessionLine('a', 13)) {
            keepUnrecognized();
            return;
        }
        if (inMedia) {
            if (5 < lastRank) {
                problem(Kind.MISPLACED_LINE, "a= line out of order");
            }
            lastRank = 5;
        }
        // one pass finds the end of the name, checks its characters and hashes it for the lookup
        int nameEnd = vs;
        int h = 0;
        while (nameEnd < lineEnd) {
            char c = s.charAt(nameEnd);
            if (!AttributeSyntax.isTokenChar(c)) {
                break;
            }
            h = 31 * h + c;
            nameEnd++;
        }
        if (nameEnd < lineEnd && s.charAt(nameEnd) != ':') {
            // a character outside token-char before the first colon (or on a line without one)
            problem(Kind.MALFORMED_LINE, "invalid attribute name");
            keepUnrecognized();
            return;
        }
        if (nameEnd == vs) {
            problem(Kind.MALFORMED_LINE, "empty attribute name");
            keepUnrecognized();
            return;
        }
        AttributeNames.Known known = AttributeNames.lookup(s, vs, nameEnd, h);
        String name = known != null ? known.name : s.substring(vs, nameEnd);
        boolean hasValue = nameEnd < lineEnd;
        int valueStart = nameEnd + 1;
        // the Attribute and its value string are built when the list is first read, not here: relaying
        // an offer unchanged (written back verbatim) never reads most of them
        Growable<Attribute> list;
        if (inMedia) {
            if (mAttributes == null) {
                mAttributes = new Growable<>(40); // a browser audio section has 30-40
            }
            list = mAttributes;
        } else {
            if (attributes == null) {
                attributes = new Growable<>(8);
            }
            list = attributes;
        }
        list.addLazy(name, s, hasValue ? valueStart : -1, lineEnd);
        if (known == null) {
            problem(Kind.UNKNOWN_ATTRIBUTE, "unknown attribute " + name);
            return;
        }
        if (known.singleBit != 0) {
            if ((seenSingles & known.singleBit) != 0) {
                problem(Kind.DUPLICATE_ATTRIBUTE, Diagnostics.duplicateMessage(name));
            }
            seenSingles |= known.singleBit;
        }
        if (known.kind == AttributeNames.PROPERTY) {
            if (hasValue) {
                problem(Kind.INVALID_VALUE, name + " takes no value");
            }
            return;
        }
        if (!hasValue) {
            if (known.kind != AttributeNames.ANY) {
                problem(Kind.INVALID_VALUE, "missing value of " + name);
            }
            return;
        }
        try {
            AttributeSyntax.validate(known.kind, name, s, valueStart, lineEnd);
        } catch (SyntaxError e) {
            problem(Kind.INVALID_VALUE, e.getMessage());
        }
    }

    /** Messages shared by the strict and lenient paths. */
    private static final class Diagnostics {
        static String duplicateMessage(String name) {
            return org.screamrouter.sip.sdp.Direction.fromAttributeName(name) != null
                    ? "more than one direction attribute (" + name + ")"
                    : "duplicate attribute " + name;
        }
    }
}
