package org.screamrouter.sip.sdp.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.screamrouter.sip.sdp.Candidate;
import org.screamrouter.sip.sdp.Crypto;
import org.screamrouter.sip.sdp.DeviceRole;
import org.screamrouter.sip.sdp.Direction;
import org.screamrouter.sip.sdp.ExtMap;
import org.screamrouter.sip.sdp.Fingerprint;
import org.screamrouter.sip.sdp.Fmtp;
import org.screamrouter.sip.sdp.Group;
import org.screamrouter.sip.sdp.Msid;
import org.screamrouter.sip.sdp.RtcpAddress;
import org.screamrouter.sip.sdp.RtcpFeedback;
import org.screamrouter.sip.sdp.RtpMap;
import org.screamrouter.sip.sdp.Setup;
import org.screamrouter.sip.sdp.Ssrc;
import org.screamrouter.sip.sdp.SsrcGroup;

/**
 * The grammar of every attribute the server reads, one method per attribute, each naming its RFC.
 * The parser calls them to validate, the typed views to build values; nothing here throws anything
 * but {@link SyntaxError}, whatever the input.
 */
public final class AttributeSyntax {

    private AttributeSyntax() {
    }

    // ---- lexical helpers -------------------------------------------------------------------

    static long number(String s, int from, int to, long max, String what) throws SyntaxError {
        if (from >= to || to - from > 19) {
            throw new SyntaxError("invalid " + what + " " + s.substring(from, Math.min(to, from + 40)));
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new SyntaxError("invalid " + what + " " + s.substring(from, Math.min(to, from + 40)));
            }
            v = v * 10 + (c - '0');
            if (v > max || v < 0) {
                throw new SyntaxError(what + " out of range: " + s.substring(from, Math.min(to, from + 40)));
            }
        }
        return v;
    }

    public static long number(String s, long max, String what) throws SyntaxError {
        return number(s, 0, s.length(), max, what);
    }

    // RFC 8866 token-char as two 64-bit masks (chars 0-63 and 64-127): one shift and test per
    // character instead of a chain of range comparisons; attribute names and most browser attribute
    // fields are checked against it, so it is the hottest test of the parser.
    private static final long TOKEN_LO = tokenMask(0);
    private static final long TOKEN_HI = tokenMask(64);

    private static long tokenMask(int base) {
        long m = 0;
        for (int c = base; c < base + 64; c++) {
            if (c == '!' || (c >= '#' && c <= '\'') || c == '*' || c == '+' || c == '-' || c == '.'
                    || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= '^' && c <= '~')) {
                m |= 1L << (c - base);
            }
        }
        return m;
    }

    /** RFC 8866 token characters (section 9, {@code token-char}). */
    public static boolean isTokenChar(char c) {
        // a long shift uses only the low 6 bits of the count, so c & 63 is implied
        return c < 64 ? (TOKEN_LO >>> c & 1) != 0 : c < 128 && (TOKEN_HI >>> c & 1) != 0;
    }

    public static boolean isToken(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static String token(String s, String what) throws SyntaxError {
        if (!isToken(s, 0, s.length())) {
            throw new SyntaxError("invalid " + what + " " + clip(s));
        }
        return s;
    }

    static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** ICE characters (RFC 8839 section 5.4: ALPHA / DIGIT / "+" / "/"). */
    static String iceChars(String s, String what) throws SyntaxError {
        if (s == null || s.isEmpty()) {
            throw new SyntaxError("missing " + what);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/')) {
                throw new SyntaxError("invalid character '" + printable(c) + "' in " + what);
            }
        }
        return s;
    }

    static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }

    /** Network type of {@code o=}, {@code c=} and {@code a=rtcp}: only {@code IN} is defined (RFC 8866 section 8.2.6). */
    public static String networkType(String s) throws SyntaxError {
        if (!"IN".equals(s)) {
            throw new SyntaxError("unknown network type " + clip(s));
        }
        return s;
    }

    /** Address type: IP4 or IP6 (RFC 8866 section 8.2.7). */
    public static String addressType(String s) throws SyntaxError {
        if (!"IP4".equals(s) && !"IP6".equals(s)) {
            throw new SyntaxError("unknown address type " + clip(s));
        }
        return s;
    }

    /**
     * A unicast address or FQDN: letters, digits and {@code . : - _ %}. Deliberately loose (an
     * mDNS name, an IPv6 zone, a FQDN are all legal) but it rejects spaces and control bytes.
     */
    public static String address(String s, String what) throws SyntaxError {
        if (s.isEmpty()) {
            throw new SyntaxError("missing " + what);
        }
        if (!isAddress(s, 0, s.length())) {
            throw new SyntaxError("invalid " + what + " " + clip(s));
        }
        return s;
    }

    /** True when {@code s[from, to)} is a non-empty {@link #address(String, String) address}. */
    static boolean isAddress(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == ':' || c == '-' || c == '_' || c == '%')) {
                return false;
            }
        }
        return true;
    }

    // ---- attributes --------------------------------------------------------------------------

    /** {@code a=rtpmap} (RFC 8866 section 6.6). */
    public static RtpMap rtpMap(String v) throws SyntaxError {
        Tokens t = new Tokens(v);
        int pt = (int) t.nextNumber(127, "payload type");
        String enc = t.next("encoding");
        if (t.hasMore()) {
            throw new SyntaxError("unexpected text after rtpmap encoding");
        }
        int slash = enc.indexOf('/');
        if (slash <= 0) {
            throw new SyntaxError("missing clock rate in rtpmap " + clip(enc));
        }
        int slash2 = enc.indexOf('/', slash + 1);
        long rate = number(enc, slash + 1, slash2 < 0 ? enc.length() : slash2, 0xFFFFFFFFL, "clock rate");
        String name = enc.substring(0, slash);
        if (!isToken(name, 0, name.length())) {
            throw new SyntaxError("invalid encoding name " + clip(name));
        }
        String params = null;
        if (slash2 >= 0) {
            params = enc.substring(slash2 + 1);
            if (!isToken(params, 0, params.length())) {
                throw new SyntaxError("invalid encoding parameters " + clip(params));
            }
        }
        return new RtpMap(pt, name, rate, params);
    }

    /** {@code a=fmtp} (RFC 8866 section 6.15). */
    public static Fmtp fmtp(String v) throws SyntaxError {
        int sp = v.indexOf(' ');
        if (sp <= 0) {
            throw new SyntaxError("fmtp needs a format and parameters");
        }
        if (!isToken(v, 0, sp)) {
            throw new SyntaxError("invalid format " + clip(v.substring(0, sp)));
        }
        return new Fmtp(v.substring(0, sp), v.substring(sp + 1));
    }

    /** {@code a=ptime}, {@code a=maxptime}: milliseconds, a decimal fraction allowed (RFC 8866 sections 6.4, 6.5). */
    public static double milliseconds(String v) throws SyntaxError {
        int n = v.length();
        if (n == 0 || n > 12) {
            throw new SyntaxError("invalid packet time " + clip(v));
        }
        int dot = -1;
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c == '.' && dot < 0 && i > 0 && i < n - 1) {
                dot = i;
            } else if (c < '0' || c > '9') {
                throw new SyntaxError("invalid packet time " + clip(v));
            }
        }
        return Double.parseDouble(v);
    }

    /** {@code a=rtcp} (RFC 3605 section 2.1). */
    public static RtcpAddress rtcp(String v) throws SyntaxError {
        Tokens t = new Tokens(v);
        int port = (int) t.nextNumber(65535, "RTCP port");
        if (!t.hasMore()) {
            return new RtcpAddress(port, null, null, null);
        }
        String net = networkType(t.next("network type"));
        String type = addressType(t.next("address type"));
        String addr = address(t.next("address"), "address");
        if (t.hasMore()) {
            throw new SyntaxError("unexpected text after rtcp address");
        }
        return new RtcpAddress(port, net, type, addr);
    }

    /** {@code a=rtcp-fb} (RFC 4585 section 4.2). */
    public static RtcpFeedback rtcpFeedback(String v) throws SyntaxError {
        Tokens t = new Tokens(v);
        String fmt = t.next("payload type");
        if (!"*".equals(fmt)) {
            number(fmt, 0, fmt.length(), 127, "payload type");
        }
        String type = token(t.next("feedback type"), "feedback type");
        return new RtcpFeedback(fmt, type, t.rest());
    }

    /** {@code a=group} (RFC 5888 section 5). */
    public static Group group(String v) throws SyntaxError {
        Tokens t = new Tokens(v);
        String semantics = token(t.next("group semantics"), "group semantics");
        List<String> mids = new ArrayList<>(4);
        while (t.hasMore()) {
            mids.add(token(t.next("mid"), "mid"));
        }
        return new Group(semantics, mids);
    }

    /** {@code a=msid} (RFC 8830 section 2). */
    public static Msid msid(String v) throws SyntaxError {
        Tokens t = new Tokens(v);
        String id = token(t.next("msid stream id"), "msid stream id");
        String app = null;
        if (t.hasMore()) {
            app = token(t.next("msid track id"), "msid track id");
            if (t.hasMore()) {
                throw new SyntaxError("unexpected text after msid track id");
            }
        }
        return new Msid(id, app);
    }

    /** {@code a=ssrc} (RFC 5576 section 4.1). */
    public static Ssrc ssrc(String v) throws SyntaxError {
        int sp = v.indexOf(' ');
        if (sp <= 0) {
            throw new SyntaxError("ssrc needs an id and an attribute");
        }
        long id = number(v, 0, sp, 0xFFFFFFFFL, "ssrc id");
        String rest = v.substring(sp + 1);
        int colon = rest.indexOf(':');
        String name = colon < 0 ? rest : rest.substring(0, colon);
        if (!isToken(name, 0, name.length())) {
            throw new SyntaxError("invalid ssrc attribute " + clip(name));
        }
        return new Ssrc(id, name, colon < 0 ? null : rest.substring(colon + 1));
    }

    /** {@code a=ssrc-group} (RFC 5576 section 4.2). */
    public static SsrcGroup ssrcGroup(String v) throws SyntaxError {
        Tokens t = new Tokens(v);
        String semantics = token(t.next("ssrc-group semantics"), "ssrc-group semantics");
        List<Long> ids = new ArrayList<>(2);
        while (t.hasMore()) {
            ids.add(t.nextNumber(0xFFFFFFFFL, "ssrc id"));
        }
        return new SsrcGroup(semantics, ids);
    }

    /** {@code a=extmap} (RFC 8285 section 8). */
    public static ExtMap extMap(String v) throws SyntaxError {
        Tokens t = new Tokens(v);
        String idPart = t.next("extension id");
        int slash = idPart.indexOf('/');
        int id = (int) number(idPart, 0, slash < 0 ? idPart.length() : slash, 4351, "extension id");
        if (id == 0) {
            throw new SyntaxError("extension id out of range: 0");
        }
        Direction dir = null;
        if (slash >= 0) {
            dir = Direction.fromAttributeName(idPart.substring(slash + 1));
            if (dir == null) {
                throw new SyntaxError("invalid extmap direction " + clip(idPart.substring(slash + 1)));
            }
        }
        String uri = t.next("extension URI");
        return new ExtMap(id, dir, uri, t.rest());
    }

    /** {@code a=setup} (RFC 4145 section 4). */
    public static Setup setup(String v) throws SyntaxError {
        return switch (v) {
            case "active" -> Setup.ACTIVE;
            case "passive" -> Setup.PASSIVE;
            case "actpass" -> Setup.ACTPASS;
            case "holdconn" -> Setup.HOLDCONN;
            default -> throw new SyntaxError("unknown setup role " + clip(v));
        };
    }

    /** {@code a=fingerprint} (RFC 8122 section 5). */
    public static Fingerprint fingerprint(String v) throws SyntaxError {
        int sp = v.indexOf(' ');
        if (sp <= 0) {
            throw new SyntaxError("fingerprint needs a hash function and a value");
        }
        if (!isToken(v, 0, sp)) {
            throw new SyntaxError("invalid hash function " + clip(v.substring(0, sp)));
        }
        int from = sp + 1;
        int len = v.length() - from;
        if (len < 2 || (len + 1) % 3 != 0) {
            throw new SyntaxError("invalid fingerprint " + clip(v.substring(from)));
        }
        byte[] bytes = new byte[(len + 1) / 3];
        for (int i = 0; i < bytes.length; i++) {
            int p = from + i * 3;
            int hi = Character.digit(v.charAt(p), 16);
            int lo = Character.digit(v.charAt(p + 1), 16);
            if (hi < 0 || lo < 0 || (i < bytes.length - 1 && v.charAt(p + 2) != ':')) {
                throw new SyntaxError("invalid fingerprint " + clip(v.substring(from)));
            }
            bytes[i] = (byte) (hi << 4 | lo);
        }
        return new Fingerprint(v.substring(0, sp), bytes);
    }

    /** {@code a=crypto} (RFC 4568 section 9.1). */
    public static Crypto crypto(String v) throws SyntaxError {
        Tokens t = new Tokens(v);
        int tag = (int) t.nextNumber(999_999_999L, "crypto tag");
        String suite = token(t.next("crypto suite"), "crypto suite");
        String key = t.next("key parameters");
        if (!key.regionMatches(true, 0, "inline:", 0, 7) && key.indexOf(':') <= 0) {
            throw new SyntaxError("invalid key parameters " + clip(key));
        }
        return new Crypto(tag, suite, key, t.rest());
    }

    /** {@code a=ice-ufrag}, {@code a=ice-pwd} (RFC 8839 section 5.4). */
    public static String iceCredential(String v, String what) throws SyntaxError {
        return iceChars(v, what);
    }

    /** Space-separated tokens: {@code a=ice-options} (RFC 8839 section 5.6). */
    public static List<String> tokenList(String v, String what) throws SyntaxError {
        Tokens t = new Tokens(v);
        List<String> list = new ArrayList<>(2);
        while (t.hasMore()) {
            list.add(token(t.next(what), what));
        }
        if (list.isEmpty()) {
            throw new SyntaxError("missing " + what);
        }
        return list;
    }

    /** {@code a=candidate} (RFC 8839 section 5.1). */
    public static Candidate candidate(String v) throws SyntaxError {
        Tokens t = new Tokens(v);
        String foundation = t.next("foundation");
        if (foundation.length() > 32) {
            throw new SyntaxError("foundation longer than 32 characters");
        }
        iceChars(foundation, "foundation");
        int component = (int) t.nextNumber(256, "component id");
        String transport = token(t.next("transport"), "transport");
        long priority = t.nextNumber(0xFFFFFFFFL, "priority");
        String address = address(t.next("connection address"), "connection address");
        int port = (int) t.nextNumber(65535, "port");
        if (!t.nextIs("typ")) {
            throw new SyntaxError(t.hasMore() ? "expected typ after port" : "missing typ");
        }
        String type = token(t.next("candidate type"), "candidate type");
        String raddr = null;
        int rport = -1;
        String tcpType = null;
        List<Candidate.Extension> ext = List.of();
        while (t.hasMore()) {
            String name = t.next("extension name");
            if (!isToken(name, 0, name.length())) {
                throw new SyntaxError("invalid extension name " + clip(name));
            }
            if (!t.hasMore()) {
                throw new SyntaxError("extension " + clip(name) + " without a value");
            }
            if (raddr == null && "raddr".equals(name)) {
                raddr = address(t.next("raddr"), "raddr");
            } else if (rport < 0 && "rport".equals(name)) {
                rport = (int) t.nextNumber(65535, "rport");
            } else if (tcpType == null && "tcptype".equals(name)) {
                tcpType = token(t.next("tcptype"), "tcptype");
            } else {
                String value = t.next("extension value");
                if (ext.isEmpty()) {
                    ext = new ArrayList<>(4);
                }
                ext.add(new Candidate.Extension(name, value));
            }
        }
        return new Candidate(foundation, component, transport, priority, address, port, type, raddr, rport, tcpType, ext);
    }

    /** {@code a=sctp-port} (RFC 8841 section 5.1). */
    public static int port(String v, String what) throws SyntaxError {
        return (int) number(v, 0, v.length(), 65535, what);
    }

    /** {@code a=x-screamrouter-role}. */
    public static DeviceRole role(String v) throws SyntaxError {
        String s = v.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "source" -> DeviceRole.SOURCE;
            case "sink" -> DeviceRole.SINK;
            default -> throw new SyntaxError("unknown ScreamRouter role " + clip(v));
        };
    }

    /** {@code a=x-screamrouter-supported-protocols:rtp,webrtc}: comma-separated tokens. */
    public static List<String> protocols(String v) throws SyntaxError {
        List<String> list = new ArrayList<>(2);
        int start = 0;
        while (start <= v.length()) {
            int comma = v.indexOf(',', start);
            int end = comma < 0 ? v.length() : comma;
            String p = v.substring(start, end).trim();
            if (!isToken(p, 0, p.length())) {
                throw new SyntaxError("invalid protocol " + clip(p));
            }
            list.add(p.toLowerCase(Locale.ROOT));
            if (comma < 0) {
                break;
            }
            start = comma + 1;
        }
        return list;
    }

    /** A single token value ({@code a=mid}, {@code a=x-screamrouter-uuid}). */
    public static String tokenValue(String v, String what) throws SyntaxError {
        return token(v, what);
    }

    /** Checks the value of a known attribute; the kinds are those of {@link AttributeNames}. */
    static void validate(int kind, String name, String v) throws SyntaxError {
        if (FastCheck.accepts(kind, v)) {
            return;
        }
        validateFully(kind, name, v);
    }

    /**
     * As {@link #validate(int, String, String)} on the value {@code s[from, to)}: the usual browser values
     * are checked in place, and only a value the fast checks do not settle is copied out for the full parser.
     */
    static void validate(int kind, String name, String s, int from, int to) throws SyntaxError {
        if (FastCheck.accepts(kind, s, from, to)) {
            return;
        }
        validateFully(kind, name, s.substring(from, to));
    }

    private static void validateFully(int kind, String name, String v) throws SyntaxError {
        switch (kind) {
            case AttributeNames.RTPMAP -> rtpMap(v);
            case AttributeNames.FMTP -> fmtp(v);
            case AttributeNames.MILLIS -> milliseconds(v);
            case AttributeNames.RTCP -> rtcp(v);
            case AttributeNames.RTCP_FB -> rtcpFeedback(v);
            case AttributeNames.GROUP -> group(v);
            case AttributeNames.MSID -> msid(v);
            case AttributeNames.SSRC -> ssrc(v);
            case AttributeNames.SSRC_GROUP -> ssrcGroup(v);
            case AttributeNames.EXTMAP -> extMap(v);
            case AttributeNames.SETUP -> setup(v);
            case AttributeNames.FINGERPRINT -> fingerprint(v);
            case AttributeNames.CRYPTO -> crypto(v);
            case AttributeNames.ICE_CHARS -> iceChars(v, name);
            case AttributeNames.TOKENS -> tokenList(v, name);
            case AttributeNames.CANDIDATE -> candidate(v);
            case AttributeNames.PORT -> port(v, name);
            case AttributeNames.NUMBER -> number(v, 0, v.length(), Long.MAX_VALUE, name);
            case AttributeNames.ROLE -> role(v);
            case AttributeNames.PROTOCOLS -> protocols(v);
            case AttributeNames.TOKEN -> token(v, name);
            default -> {
                // known attribute whose value the server never reads: kept as it is
            }
        }
    }
}
