package org.screamrouter.sip.stack.internal;

import static org.screamrouter.sip.stack.internal.PlainHeaders.at;
import static org.screamrouter.sip.stack.internal.PlainHeaders.blank;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
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
 */
final class PlainOptions {
    private static final byte[] START = "OPTIONS sip:".getBytes(StandardCharsets.US_ASCII);
    private static final String VIA_PROTOCOL = "SIP/2.0/UDP ";
    private static final byte[] END = "Content-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** The header names read here as they are usually written, in lower case; any other spelling is lower-cased. */
    private static final java.util.Map<String, String> USUAL = java.util.Map.ofEntries(java.util.Map.entry("Via", "via"),
            java.util.Map.entry("From", "from"), java.util.Map.entry("To", "to"), java.util.Map.entry("Call-ID", "call-id"),
            java.util.Map.entry("CSeq", "cseq"), java.util.Map.entry("Max-Forwards", "max-forwards"),
            java.util.Map.entry("Content-Length", "content-length"), java.util.Map.entry("Contact", "contact"),
            java.util.Map.entry("User-Agent", "user-agent"));

    private PlainOptions() {
    }

    /** The fields of a plain OPTIONS, as JAIN-SIP's headers would give them, and the texts its answer copies. */
    static final class Fields implements RequestFields {
        private final Flow flow;
        /** The Via's value without its {@code rport} parameter. */
        String via;
        String viaHost;
        int viaPort = -1;
        String branch;
        String from;
        String fromUser;
        String fromTag;
        String to;
        String callId;
        String cseq;
        long cseqNumber;
        boolean maxForwards;
        boolean contentLength;
        boolean contact;
        boolean userAgent;

        Fields(Flow flow) {
            this.flow = flow;
        }

        @Override public String method() { return "OPTIONS"; }

        @Override public Flow flow() { return flow; }

        @Override public String fromUser() { return fromUser; }

        private boolean complete() {
            return via != null && from != null && to != null && callId != null && cseq != null && maxForwards;
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
        if (eol < 0 || !requestLine(text.substring(0, eol))) return null;
        Fields fields = new Fields(flow);
        int i = eol + 2;
        while (true) {
            int next = text.indexOf("\r\n", i);
            if (next < 0) return null;
            if (next == i) {
                // the blank line: nothing may follow it (no body)
                return next + 2 == text.length() && fields.complete() ? fields : null;
            }
            if (!header(text.substring(i, next), fields)) return null;
            i = next + 2;
        }
    }

    /** {@code OPTIONS sip:... SIP/2.0}, the URI as {@link PlainHeaders#requestLine} reads it. */
    private static boolean requestLine(String line) {
        if (!printable(line) || !line.endsWith(" SIP/2.0")) return false;
        int end = sipUri(line, "OPTIONS ".length(), null);
        return end == line.length() - " SIP/2.0".length();
    }

    /** One header line into the fields; false when it is not one of the plain shapes, or comes twice. */
    private static boolean header(String line, Fields fields) {
        if (!printable(line)) return false;
        int nameEnd = PlainHeaders.token(line, 0);
        if (nameEnd == 0) return false; // also a folded line (it starts with a blank)
        int value = nameEnd;
        while (value < line.length() && blank(line.charAt(value))) value++;
        if (!at(line, value, ':')) return false;
        value++;
        while (value < line.length() && blank(line.charAt(value))) value++;
        String written = line.substring(0, nameEnd);
        String name = USUAL.get(written); // the usual spellings need no lower-case copy
        if (name == null) name = written.toLowerCase(Locale.ROOT);
        switch (name) {
            case "via", "v" -> {
                return fields.via == null && via(line, value, fields);
            }
            case "from", "f" -> {
                if (fields.from != null) return false;
                Address a = address(line, value);
                if (a == null) return false;
                fields.from = line.substring(value);
                fields.fromUser = a.user;
                fields.fromTag = a.tag;
                return true;
            }
            case "to", "t" -> {
                if (fields.to != null) return false;
                Address a = address(line, value);
                if (a == null || a.tag != null) return false; // a tag: a request inside a dialog
                fields.to = line.substring(value);
                return true;
            }
            case "call-id", "i" -> {
                if (fields.callId != null || value == line.length()) return false;
                for (int c = value; c < line.length(); c++) {
                    if (line.charAt(c) == ' ') return false;
                }
                fields.callId = line.substring(value);
                return true;
            }
            case "cseq" -> {
                return fields.cseq == null && cseq(line, value, fields);
            }
            case "max-forwards" -> {
                if (fields.maxForwards) return false;
                int hops = PlainHeaders.wholeNumber(line, value, 3);
                fields.maxForwards = hops >= 0 && hops <= 255;
                return fields.maxForwards;
            }
            case "content-length", "l" -> {
                if (fields.contentLength || PlainHeaders.wholeNumber(line, value, 9) != 0) return false;
                fields.contentLength = true;
                return true;
            }
            case "contact", "m" -> {
                if (fields.contact || address(line, value) == null) return false;
                fields.contact = true;
                return true;
            }
            case "user-agent" -> {
                if (fields.userAgent || !PlainHeaders.plainUserAgent(line, value)) return false;
                fields.userAgent = true;
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** {@code SIP/2.0/UDP host[:port](;name[=token])*} with a branch and without {@code received}. */
    private static boolean via(String line, int from, Fields fields) {
        if (!line.regionMatches(true, from, VIA_PROTOCOL, 0, VIA_PROTOCOL.length())) return false;
        int host = from + VIA_PROTOCOL.length();
        int i = hostPort(line, host);
        if (i < 0) return false;
        int colon = line.indexOf(':', host);
        boolean port = colon >= 0 && colon < i;
        fields.viaHost = line.substring(host, port ? colon : i);
        fields.viaPort = port ? Integer.parseInt(line, colon + 1, i, 10) : -1;
        StringBuilder kept = new StringBuilder(line.length() - from).append(line, from, i);
        while (i < line.length()) {
            if (line.charAt(i) != ';') return false;
            int key = PlainHeaders.token(line, i + 1);
            if (key == i + 1) return false;
            String keyText = line.substring(i + 1, key);
            int end = key;
            if (at(line, key, '=')) {
                end = PlainHeaders.token(line, key + 1);
                if (end == key + 1) return false;
            }
            if (keyText.equalsIgnoreCase("received")) return false;
            if (keyText.equalsIgnoreCase("branch")) {
                if (end == key || fields.branch != null) return false;
                fields.branch = line.substring(key + 1, end);
            }
            if (!keyText.equalsIgnoreCase("rport")) kept.append(line, i, end); // the answer's rport is the source port
            i = end;
        }
        if (fields.branch == null) return false;
        fields.via = kept.toString();
        return true;
    }

    /** {@code <number> OPTIONS}, the number below 2^31 (RFC 3261 8.1.1.5). */
    private static boolean cseq(String line, int from, Fields fields) {
        int digits = PlainHeaders.digits(line, from, 10);
        if (digits == from) return false;
        int method = digits;
        while (method < line.length() && blank(line.charAt(method))) method++;
        if (method == digits || !line.startsWith("OPTIONS", method) || method + "OPTIONS".length() != line.length()) return false;
        long number = Long.parseLong(line, from, digits, 10);
        if (number > Integer.MAX_VALUE) return false;
        fields.cseq = line.substring(from);
        fields.cseqNumber = number;
        return true;
    }

    /** What an address header gives: its URI's user part (or null) and its tag (or null). */
    private record Address(String user, String tag) { }

    /** {@code ["display name"] <sip:...>(;name[=token|"quoted"])*} to the line's end, as {@link PlainHeaders} reads it. */
    private static Address address(String line, int from) {
        int i = from;
        if (at(line, i, '"')) {
            int close = PlainHeaders.quoted(line, i);
            if (close < 0) return null;
            i = close + 1;
            while (i < line.length() && blank(line.charAt(i))) i++;
        }
        if (!at(line, i, '<')) return null;
        String[] user = new String[1];
        int end = sipUri(line, i + 1, user);
        if (end < 0 || !at(line, end, '>')) return null;
        String tag = null;
        boolean tagged = false;
        i = end + 1;
        while (i < line.length()) {
            if (line.charAt(i) != ';') return null;
            int key = PlainHeaders.token(line, i + 1);
            if (key == i + 1) return null;
            boolean isTag = line.regionMatches(true, i + 1, "tag", 0, 3) && key == i + 4;
            if (isTag && tagged) return null;
            tagged |= isTag;
            if (!at(line, key, '=')) {
                if (isTag) return null; // a tag without a value: left to JAIN-SIP
                i = key;
            } else if (at(line, key + 1, '"')) {
                int close = PlainHeaders.quoted(line, key + 1);
                if (close < 0 || isTag) return null;
                i = close + 1;
            } else {
                int value = PlainHeaders.token(line, key + 1);
                if (value == key + 1) return null;
                if (isTag) tag = line.substring(key + 1, value);
                i = value;
            }
        }
        return new Address(user[0], tag);
    }

    /**
     * {@code sip:[user@]host[:port](;name[=value])*} from {@code from}, as {@link PlainHeaders} reads a URI; its end, or
     * -1. The user part, if any, into {@code user[0]} when {@code user} is given.
     */
    private static int sipUri(String line, int from, String[] user) {
        if (!line.startsWith("sip:", from)) return -1;
        int i = from + 4;
        int userEnd = PlainHeaders.user(line, i);
        if (userEnd > i && at(line, userEnd, '@')) {
            if (user != null) user[0] = line.substring(i, userEnd);
            i = userEnd + 1;
        }
        i = hostPort(line, i);
        if (i < 0) return -1;
        while (at(line, i, ';')) {
            int key = PlainHeaders.uriParam(line, i + 1);
            if (key == i + 1) return -1;
            i = key;
            if (at(line, key, '=')) {
                i = PlainHeaders.uriParam(line, key + 1);
                if (i == key + 1) return -1;
            }
        }
        return i;
    }

    /** {@code host[:port]} as {@link PlainHeaders} reads it (no IPv6), the port at most 65535; its end, or -1. */
    private static int hostPort(String line, int from) {
        int i = from;
        while (i < line.length() && PlainHeaders.hostChar(line.charAt(i))) i++;
        if (i == from || PlainHeaders.ipv6(line, from)) return -1;
        if (at(line, i, ':')) {
            int digits = PlainHeaders.digits(line, i + 1, 5);
            if (digits == i + 1 || Integer.parseInt(line, i + 1, digits, 10) > 65535) return -1;
            i = digits;
        }
        return i;
    }

    private static boolean printable(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < ' ' || c > '~') return false;
        }
        return true;
    }

    /**
     * The 200 OK: Via with the source's address and port (RFC 3581: {@code received} always, as the stack's other
     * answers over UDP have it, and {@code rport}), From, To with {@code tag}, Call-ID and CSeq as the request wrote
     * them, then the handler's lines, the Server line (or nothing) and {@code Content-Length: 0}.
     */
    static byte[] ok(Fields fields, String tag, byte[] handlerLines, byte[] serverLine) {
        Flow flow = fields.flow();
        String head = "SIP/2.0 200 OK\r\nVia: " + fields.via + ";received=" + flow.address() + ";rport=" + flow.port()
                + "\r\nFrom: " + fields.from + "\r\nTo: " + fields.to + ";tag=" + tag + "\r\nCall-ID: " + fields.callId
                + "\r\nCSeq: " + fields.cseq + "\r\n";
        int n = head.length();
        byte[] out = new byte[n + handlerLines.length + serverLine.length + END.length];
        for (int i = 0; i < n; i++) out[i] = (byte) head.charAt(i);
        System.arraycopy(handlerLines, 0, out, n, handlerLines.length);
        System.arraycopy(serverLine, 0, out, n + handlerLines.length, serverLine.length);
        System.arraycopy(END, 0, out, n + handlerLines.length + serverLine.length, END.length);
        return out;
    }
}
