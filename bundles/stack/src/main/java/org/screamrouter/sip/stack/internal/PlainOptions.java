package org.screamrouter.sip.stack.internal;

import static org.screamrouter.sip.stack.internal.PlainHeaders.at;
import static org.screamrouter.sip.stack.internal.PlainHeaders.blank;

import java.nio.charset.StandardCharsets;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.RequestFields;

/**
 * An OPTIONS datagram in its plainest shape read without making a message of it, and its 200 OK written as bytes
 * (issue 15: the parse into JAIN-SIP's objects, the response's copies of them and its encoding were half of the
 * server's CPU per keep-alive; Kamailio answers from the request's text).
 *
 * <p>The shape is a strict subset of {@link PlainHeaders}' (itself a subset of what JAIN-SIP reads): a request line
 * {@code OPTIONS sip:... SIP/2.0}; then only these header lines, each once: Via (one value, {@code SIP/2.0/UDP}, a
 * host name or IPv4 address, a branch, no {@code received}), From and To (a {@code sip:} URI in angle brackets; To
 * without a tag), Call-ID, CSeq ({@code <number> OPTIONS}), Max-Forwards (at most 255), and optionally Contact,
 * User-Agent and {@code Content-Length: 0}; no folded line, no body, nothing but printable ASCII. Anything else, from
 * another header to a tab, gives null, and the datagram goes to JAIN-SIP as before, which answers it (or its fault) as
 * always. {@code PlainOptionsTest} checks that what is read here is what JAIN-SIP reads of the same datagram.
 *
 * <p>The reading keeps positions in the datagram's text, not copies: the answer copies From, To, Call-ID, CSeq and Via
 * from the datagram's bytes, and only the fields the To tag is made of become strings: a keep-alive read, tagged and
 * answered here allocated 3,360 bytes with a string per line and per value, 1,504 now, the answer's own bytes
 * included (a one-off probe of sipp's OPTIONS); at 50,000 a second that sets the young collections' pace.
 */
final class PlainOptions {
    private static final byte[] START = "OPTIONS sip:".getBytes(StandardCharsets.US_ASCII);
    private static final String VIA_PROTOCOL = "SIP/2.0/UDP ";
    private static final byte[] STATUS_VIA = ascii("SIP/2.0 200 OK\r\nVia: ");
    private static final byte[] RECEIVED = ascii(";received=");
    private static final byte[] RPORT = ascii(";rport=");
    private static final byte[] FROM = ascii("\r\nFrom: ");
    private static final byte[] TO = ascii("\r\nTo: ");
    private static final byte[] TAG = ascii(";tag=");
    private static final byte[] CALL_ID = ascii("\r\nCall-ID: ");
    private static final byte[] CSEQ = ascii("\r\nCSeq: ");
    private static final byte[] CRLF = ascii("\r\n");
    private static final byte[] END = ascii("Content-Length: 0\r\n\r\n");

    private PlainOptions() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The fields of a plain OPTIONS, as JAIN-SIP's headers would give them, and where the texts its answer copies are:
     * positions in the datagram's text (one character per byte), each a start and an end.
     */
    static final class Fields implements RequestFields {
        private final Flow flow;
        private final byte[] data;
        private final int offset;
        private final String text;
        int viaStart;
        int viaEnd;
        /** The Via's {@code rport} parameter with its ';' (left out of the answer, which gives the source port), or -1. */
        int rportStart = -1;
        int rportEnd = -1;
        int fromStart;
        int fromEnd = -1;
        int userStart = -1;
        int userEnd;
        int toStart;
        int toEnd = -1;
        int callIdStart;
        int callIdEnd = -1;
        int cseqStart;
        int cseqEnd = -1;
        /** The fields the To tag is made of ({@link ResponseTags}), as JAIN-SIP's headers give them. */
        String callId;
        String fromTag;
        long cseqNumber;
        String branch;
        String viaHost;
        int viaPort = -1;
        boolean maxForwards;
        boolean contentLength;
        boolean contact;
        boolean userAgent;

        Fields(Flow flow, byte[] data, int offset, String text) {
            this.flow = flow;
            this.data = data;
            this.offset = offset;
            this.text = text;
        }

        @Override public String method() { return "OPTIONS"; }

        @Override public Flow flow() { return flow; }

        @Override public String fromUser() { return userStart < 0 ? null : text.substring(userStart, userEnd); }

        private boolean complete() {
            return viaEnd > viaStart && fromEnd >= 0 && toEnd >= 0 && callId != null && cseqEnd >= 0 && maxForwards;
        }
    }

    /** Whether the datagram starts as an OPTIONS to a {@code sip:} URI: the one test every other datagram pays. */
    static boolean starts(byte[] data, int offset, int length) {
        if (length < START.length) return false;
        for (int i = 0; i < START.length; i++) {
            if (data[offset + i] != START[i]) return false;
        }
        return true;
    }

    /** The fields of the datagram when it is a plain OPTIONS (see the class), else null. */
    static Fields read(byte[] data, int offset, int length, Flow flow) {
        if (!starts(data, offset, length)) return null;
        String text = new String(data, offset, length, StandardCharsets.ISO_8859_1);
        int eol = text.indexOf("\r\n");
        if (eol < 0 || !requestLine(text, eol)) return null;
        Fields fields = new Fields(flow, data, offset, text);
        int i = eol + 2;
        while (true) {
            int next = text.indexOf("\r\n", i);
            if (next < 0) return null;
            if (next == i) {
                // the blank line: nothing may follow it (no body)
                return next + 2 == text.length() && fields.complete() ? fields : null;
            }
            if (!header(text, i, next, fields)) return null;
            i = next + 2;
        }
    }

    /** {@code OPTIONS sip:... SIP/2.0} up to {@code end}, the URI as {@link PlainHeaders#requestLine} reads it. */
    private static boolean requestLine(String text, int end) {
        int version = end - " SIP/2.0".length();
        if (version < 0 || !printable(text, 0, end) || !text.startsWith(" SIP/2.0", version)) return false;
        return sipUri(text, "OPTIONS ".length(), version, null) == version;
    }

    /** The header names read here, each with its compact form (or null): lower case, compared ignoring case. */
    private static final String[][] NAMES = {{"via", "v"}, {"from", "f"}, {"to", "t"}, {"call-id", "i"}, {"cseq", null},
        {"max-forwards", null}, {"content-length", "l"}, {"contact", "m"}, {"user-agent", null}};

    /** Which of {@link #NAMES} the name from {@code start} to {@code end} is, or -1. */
    private static int name(String text, int start, int end) {
        int length = end - start;
        for (int n = 0; n < NAMES.length; n++) {
            for (String name : NAMES[n]) {
                if (name != null && name.length() == length && text.regionMatches(true, start, name, 0, length)) return n;
            }
        }
        return -1;
    }

    /** The header line from {@code start} to {@code end} into the fields; false when it is not plain, or comes twice. */
    private static boolean header(String text, int start, int end, Fields fields) {
        if (!printable(text, start, end)) return false;
        int nameEnd = PlainHeaders.token(text, start, end);
        if (nameEnd == start) return false; // also a folded line (it starts with a blank)
        int value = nameEnd;
        while (value < end && blank(text.charAt(value))) value++;
        if (!at(text, value, end, ':')) return false;
        value++;
        while (value < end && blank(text.charAt(value))) value++;
        switch (name(text, start, nameEnd)) {
            case 0 -> {
                return fields.viaEnd == 0 && via(text, value, end, fields);
            }
            case 1 -> {
                if (fields.fromEnd >= 0) return false;
                int[] user = new int[2];
                int[] tag = address(text, value, end, user);
                if (tag == null) return false;
                fields.fromStart = value;
                fields.fromEnd = end;
                if (user[1] > user[0]) {
                    fields.userStart = user[0];
                    fields.userEnd = user[1];
                }
                fields.fromTag = tag[0] < 0 ? null : text.substring(tag[0], tag[1]);
                return true;
            }
            case 2 -> {
                if (fields.toEnd >= 0) return false;
                int[] tag = address(text, value, end, null);
                if (tag == null || tag[0] >= 0) return false; // a tag: a request inside a dialog
                fields.toStart = value;
                fields.toEnd = end;
                return true;
            }
            case 3 -> {
                int space = text.indexOf(' ', value);
                if (fields.callId != null || value == end || (space >= 0 && space < end)) return false;
                fields.callIdStart = value;
                fields.callIdEnd = end;
                fields.callId = text.substring(value, end);
                return true;
            }
            case 4 -> {
                return fields.cseqEnd < 0 && cseq(text, value, end, fields);
            }
            case 5 -> {
                if (fields.maxForwards) return false;
                int hops = PlainHeaders.wholeNumber(text, value, end, 3);
                fields.maxForwards = hops >= 0 && hops <= 255;
                return fields.maxForwards;
            }
            case 6 -> {
                if (fields.contentLength || PlainHeaders.wholeNumber(text, value, end, 9) != 0) return false;
                fields.contentLength = true;
                return true;
            }
            case 7 -> {
                if (fields.contact || address(text, value, end, null) == null) return false;
                fields.contact = true;
                return true;
            }
            case 8 -> {
                if (fields.userAgent || !PlainHeaders.plainUserAgent(text, value, end)) return false;
                fields.userAgent = true;
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** {@code SIP/2.0/UDP host[:port](;name[=token])*} with a branch and without {@code received}. */
    private static boolean via(String text, int from, int end, Fields fields) {
        if (end - from < VIA_PROTOCOL.length() || !text.regionMatches(true, from, VIA_PROTOCOL, 0, VIA_PROTOCOL.length())) {
            return false;
        }
        int host = from + VIA_PROTOCOL.length();
        int i = hostPort(text, host, end);
        if (i < 0) return false;
        int colon = text.indexOf(':', host);
        boolean port = colon >= 0 && colon < i;
        fields.viaHost = text.substring(host, port ? colon : i);
        fields.viaPort = port ? Integer.parseInt(text, colon + 1, i, 10) : -1;
        while (i < end) {
            if (text.charAt(i) != ';') return false;
            int key = PlainHeaders.token(text, i + 1, end);
            if (key == i + 1) return false;
            int parameterEnd = key;
            if (at(text, key, end, '=')) {
                parameterEnd = PlainHeaders.token(text, key + 1, end);
                if (parameterEnd == key + 1) return false;
            }
            int nameLength = key - i - 1;
            if (nameLength == 8 && text.regionMatches(true, i + 1, "received", 0, 8)) return false;
            if (nameLength == 6 && text.regionMatches(true, i + 1, "branch", 0, 6)) {
                if (parameterEnd == key || fields.branch != null) return false;
                fields.branch = text.substring(key + 1, parameterEnd);
            }
            if (nameLength == 5 && text.regionMatches(true, i + 1, "rport", 0, 5)) {
                if (fields.rportStart >= 0) return false;
                fields.rportStart = i;
                fields.rportEnd = parameterEnd;
            }
            i = parameterEnd;
        }
        if (fields.branch == null) return false;
        fields.viaStart = from;
        fields.viaEnd = end;
        return true;
    }

    /** {@code <number> OPTIONS}, the number below 2^31 (RFC 3261 8.1.1.5). */
    private static boolean cseq(String text, int from, int end, Fields fields) {
        int digits = PlainHeaders.digits(text, from, end, 10);
        if (digits == from) return false;
        int method = digits;
        while (method < end && blank(text.charAt(method))) method++;
        if (method == digits || method + "OPTIONS".length() != end || !text.startsWith("OPTIONS", method)) return false;
        long number = Long.parseLong(text, from, digits, 10);
        if (number > Integer.MAX_VALUE) return false;
        fields.cseqStart = from;
        fields.cseqEnd = end;
        fields.cseqNumber = number;
        return true;
    }

    /**
     * {@code ["display name"] <sip:...>(;name[=token|"quoted"])*} up to {@code end}, as {@link PlainHeaders} reads it:
     * the tag's value as {start, end} ({-1, -1} for none), or null when not plain; the URI's user part into
     * {@code user} when given ({0, 0} for none).
     */
    private static int[] address(String text, int from, int end, int[] user) {
        int i = from;
        if (at(text, i, end, '"')) {
            int close = PlainHeaders.quoted(text, i, end);
            if (close < 0) return null;
            i = close + 1;
            while (i < end && blank(text.charAt(i))) i++;
        }
        if (!at(text, i, end, '<')) return null;
        int uriEnd = sipUri(text, i + 1, end, user);
        if (uriEnd < 0 || !at(text, uriEnd, end, '>')) return null;
        int[] tag = {-1, -1};
        i = uriEnd + 1;
        while (i < end) {
            if (text.charAt(i) != ';') return null;
            int key = PlainHeaders.token(text, i + 1, end);
            if (key == i + 1) return null;
            boolean isTag = key == i + 4 && text.regionMatches(true, i + 1, "tag", 0, 3);
            if (isTag && tag[0] >= 0) return null;
            if (!at(text, key, end, '=')) {
                if (isTag) return null; // a tag without a value: left to JAIN-SIP
                i = key;
            } else if (at(text, key + 1, end, '"')) {
                int close = PlainHeaders.quoted(text, key + 1, end);
                if (close < 0 || isTag) return null;
                i = close + 1;
            } else {
                int value = PlainHeaders.token(text, key + 1, end);
                if (value == key + 1) return null;
                if (isTag) {
                    tag[0] = key + 1;
                    tag[1] = value;
                }
                i = value;
            }
        }
        return tag;
    }

    /**
     * {@code sip:[user@]host[:port](;name[=value])*} from {@code from}, before {@code end}, as {@link PlainHeaders} reads
     * a URI; its end, or -1. The user part's {start, end}, if any, into {@code user} when given.
     */
    private static int sipUri(String text, int from, int end, int[] user) {
        if (end - from < 4 || !text.startsWith("sip:", from)) return -1;
        int i = from + 4;
        int userEnd = PlainHeaders.user(text, i, end);
        if (userEnd > i && at(text, userEnd, end, '@')) {
            if (user != null) {
                user[0] = i;
                user[1] = userEnd;
            }
            i = userEnd + 1;
        }
        i = hostPort(text, i, end);
        if (i < 0) return -1;
        while (at(text, i, end, ';')) {
            int key = PlainHeaders.uriParam(text, i + 1, end);
            if (key == i + 1) return -1;
            i = key;
            if (at(text, key, end, '=')) {
                i = PlainHeaders.uriParam(text, key + 1, end);
                if (i == key + 1) return -1;
            }
        }
        return i;
    }

    /** {@code host[:port]} as {@link PlainHeaders} reads it (no IPv6), the port at most 65535; its end, or -1. */
    private static int hostPort(String text, int from, int end) {
        int i = from;
        while (i < end && PlainHeaders.hostChar(text.charAt(i))) i++;
        if (i == from || PlainHeaders.ipv6(text, from, end)) return -1;
        if (at(text, i, end, ':')) {
            int digits = PlainHeaders.digits(text, i + 1, end, 5);
            if (digits == i + 1 || Integer.parseInt(text, i + 1, digits, 10) > 65535) return -1;
            i = digits;
        }
        return i;
    }

    private static boolean printable(String text, int from, int end) {
        for (int i = from; i < end; i++) {
            char c = text.charAt(i);
            if (c < ' ' || c > '~') return false;
        }
        return true;
    }

    /**
     * The 200 OK: Via with the source's address and port (RFC 3581: {@code received} always, as the stack's other
     * answers over UDP have it, and {@code rport}), From, To with {@code tag}, Call-ID and CSeq as the request wrote
     * them, then the handler's lines, the Server line (or nothing) and {@code Content-Length: 0}.
     */
    static byte[] ok(Fields f, String tag, byte[] handlerLines, byte[] serverLine) {
        byte[] address = ascii(f.flow.address());
        byte[] port = ascii(Integer.toString(f.flow.port()));
        int via = f.viaEnd - f.viaStart - (f.rportStart < 0 ? 0 : f.rportEnd - f.rportStart);
        int length = STATUS_VIA.length + via + RECEIVED.length + address.length + RPORT.length + port.length
                + FROM.length + (f.fromEnd - f.fromStart) + TO.length + (f.toEnd - f.toStart) + TAG.length + tag.length()
                + CALL_ID.length + (f.callIdEnd - f.callIdStart) + CSEQ.length + (f.cseqEnd - f.cseqStart) + CRLF.length
                + handlerLines.length + serverLine.length + END.length;
        Writer w = new Writer(new byte[length], f.data, f.offset);
        w.put(STATUS_VIA);
        if (f.rportStart < 0) {
            w.copy(f.viaStart, f.viaEnd);
        } else {
            w.copy(f.viaStart, f.rportStart);
            w.copy(f.rportEnd, f.viaEnd);
        }
        w.put(RECEIVED).put(address).put(RPORT).put(port);
        w.put(FROM).copy(f.fromStart, f.fromEnd);
        w.put(TO).copy(f.toStart, f.toEnd).put(TAG);
        for (int i = 0; i < tag.length(); i++) w.out[w.at++] = (byte) tag.charAt(i);
        w.put(CALL_ID).copy(f.callIdStart, f.callIdEnd);
        w.put(CSEQ).copy(f.cseqStart, f.cseqEnd).put(CRLF);
        w.put(handlerLines).put(serverLine).put(END);
        return w.out;
    }

    /** Fills the answer: constant bytes, and ranges of the request's text copied from its datagram. */
    private static final class Writer {
        final byte[] out;
        private final byte[] data;
        private final int offset;
        int at;

        Writer(byte[] out, byte[] data, int offset) {
            this.out = out;
            this.data = data;
            this.offset = offset;
        }

        Writer put(byte[] bytes) {
            System.arraycopy(bytes, 0, out, at, bytes.length);
            at += bytes.length;
            return this;
        }

        Writer copy(int start, int end) {
            System.arraycopy(data, offset + start, out, at, end - start);
            at += end - start;
            return this;
        }
    }
}
