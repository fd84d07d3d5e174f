package org.screamrouter.sip.sdp.internal;

/**
 * Allocation-free acceptance checks for the attributes browsers send by the dozen (candidate, rtpmap,
 * fmtp, rtcp-fb, ssrc, extmap, fingerprint) or in every section (rtcp, group, msid, ice-options,
 * ssrc-group, ice-ufrag/ice-pwd, mid, setup), whose full parsers build values and lists only to throw them away. Each accepts a subset of what {@link AttributeSyntax}
 * accepts (single spaces only, for one), so a value passing here is valid; a value failing here goes
 * to the full parser, which either accepts it or produces the precise message.
 */
final class FastCheck {

    private FastCheck() {
    }

    static boolean accepts(int kind, String v) {
        return accepts(kind, v, 0, v.length());
    }

    /**
     * As {@link #accepts(int, String)} on the value {@code v[from, to)}, read in place: the parser checks
     * an attribute value inside the SDP text without copying it out first. The character at {@code to}, if
     * any, is never a space (it ends a line), and no check reads past {@code to}.
     */
    static boolean accepts(int kind, String v, int from, int to) {
        return switch (kind) {
            case AttributeNames.CANDIDATE -> candidate(v, from, to);
            case AttributeNames.RTPMAP -> rtpMap(v, from, to);
            case AttributeNames.FMTP -> tokenThenText(v, from, to);
            case AttributeNames.RTCP_FB -> rtcpFeedback(v, from, to);
            case AttributeNames.SSRC -> ssrc(v, from, to);
            case AttributeNames.EXTMAP -> extMap(v, from, to);
            case AttributeNames.FINGERPRINT -> fingerprint(v, from, to);
            case AttributeNames.RTCP -> rtcp(v, from, to);
            case AttributeNames.GROUP, AttributeNames.TOKENS -> tokens(v, from, to);
            case AttributeNames.MSID -> msid(v, from, to);
            case AttributeNames.SSRC_GROUP -> ssrcGroup(v, from, to);
            case AttributeNames.ICE_CHARS -> iceField(v, to, from) == to;
            case AttributeNames.TOKEN -> AttributeSyntax.isToken(v, from, to);
            case AttributeNames.SETUP -> setup(v, from, to);
            default -> false;
        };
    }

    // The field scanners below check a field while they look for its end, in one pass: a field ends at a
    // space or at the end of the value, and none of the character classes contains a space, so "scan
    // while in class, then require a space or the end" is the same test as "cut at the next space, then
    // check every character" without a separate indexOf per field. Each returns the end, or -1.

    private static int digitsField(String v, int n, int from, int maxDigits, long max) {
        int i = from;
        long value = 0;
        while (i < n) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0'); // at most 10 digits: no overflow
            if (++i - from > maxDigits) {
                return -1;
            }
        }
        return i > from && value <= max && (i == n || v.charAt(i) == ' ') ? i : -1;
    }

    private static int tokenField(String v, int n, int from) {
        int i = from;
        while (i < n && AttributeSyntax.isTokenChar(v.charAt(i))) {
            i++;
        }
        return i > from && (i == n || v.charAt(i) == ' ') ? i : -1;
    }

    private static boolean isIceChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    }

    private static boolean isAddressChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == ':' || c == '-' || c == '_' || c == '%';
    }

    private static int iceField(String v, int n, int from) {
        int i = from;
        while (i < n && isIceChar(v.charAt(i))) {
            i++;
        }
        return i > from && (i == n || v.charAt(i) == ' ') ? i : -1;
    }

    private static int addressField(String v, int n, int from) {
        int i = from;
        while (i < n && isAddressChar(v.charAt(i))) {
            i++;
        }
        return i > from && (i == n || v.charAt(i) == ' ') ? i : -1;
    }

    /** A non-empty field of any characters but space. */
    private static int anyField(String v, int n, int from) {
        int i = from;
        while (i < n && v.charAt(i) != ' ') {
            i++;
        }
        return i > from ? i : -1;
    }

    private static boolean candidate(String v, int o, int n) {
        int e = iceField(v, n, o); // foundation, at most 32 characters
        if (e < 0 || e - o > 32 || e >= n) {
            return false;
        }
        e = digitsField(v, n, e + 1, 3, 256); // component
        if (e < 0 || e >= n) {
            return false;
        }
        e = tokenField(v, n, e + 1); // transport
        if (e < 0 || e >= n) {
            return false;
        }
        e = digitsField(v, n, e + 1, 10, 0xFFFFFFFFL); // priority
        if (e < 0 || e >= n) {
            return false;
        }
        e = addressField(v, n, e + 1);
        if (e < 0 || e >= n) {
            return false;
        }
        e = digitsField(v, n, e + 1, 5, 65535); // port
        if (e < 0 || e + 5 > n || !v.startsWith(" typ ", e)) {
            return false;
        }
        e = tokenField(v, n, e + 5); // candidate type
        if (e < 0) {
            return false;
        }
        boolean raddr = false;
        boolean rport = false;
        boolean tcptype = false;
        while (e < n) {
            int ns = e + 1;
            int ne = tokenField(v, n, ns);
            if (ne < 0 || ne >= n) {
                return false;
            }
            int vs = ne + 1;
            int len = ne - ns;
            if (!raddr && len == 5 && v.startsWith("raddr", ns)) {
                raddr = true;
                e = addressField(v, n, vs);
            } else if (!rport && len == 5 && v.startsWith("rport", ns)) {
                rport = true;
                e = digitsField(v, n, vs, 5, 65535);
            } else if (!tcptype && len == 7 && v.startsWith("tcptype", ns)) {
                tcptype = true;
                e = tokenField(v, n, vs);
            } else {
                e = anyField(v, n, vs); // extension value: generation, network-id... kept as text
            }
            if (e < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code <pt> SP <name> "/" <rate> ["/" <params>]} in one pass. */
    private static boolean rtpMap(String v, int o, int n) {
        int e = digitsField(v, n, o, 3, 127);
        if (e < 0 || e >= n) {
            return false;
        }
        int i = e + 1;
        while (i < n && AttributeSyntax.isTokenChar(v.charAt(i))) {
            i++; // encoding name: token-char excludes both '/' and space
        }
        if (i == e + 1 || i >= n || v.charAt(i) != '/') {
            return false;
        }
        int rate = i + 1;
        int j = rate;
        long value = 0;
        while (j < n) {
            char c = v.charAt(j);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
            if (++j - rate > 10) {
                return false;
            }
        }
        if (j == rate || value > 0xFFFFFFFFL) {
            return false;
        }
        return j == n || (v.charAt(j) == '/' && AttributeSyntax.isToken(v, j + 1, n));
    }

    /** {@code <token> SP <anything>}: fmtp. */
    private static boolean tokenThenText(String v, int o, int n) {
        int sp = v.indexOf(' ', o);
        if (sp < 0 || sp >= n) {
            return false;
        }
        return AttributeSyntax.isToken(v, o, sp);
    }

    private static boolean rtcpFeedback(String v, int o, int n) {
        int e = n - o >= 2 && v.startsWith("* ", o) ? o + 1 : digitsField(v, n, o, 3, 127);
        if (e < 0 || e >= n) {
            return false;
        }
        int t = tokenField(v, n, e + 1);
        return t > 0 && (t == n || (t + 1 < n && v.charAt(t + 1) != ' '));
    }

    private static boolean ssrc(String v, int o, int n) {
        int e = digitsField(v, n, o, 10, 0xFFFFFFFFL);
        if (e < 0 || e >= n) {
            return false;
        }
        int i = e + 1;
        while (i < n && AttributeSyntax.isTokenChar(v.charAt(i))) {
            i++; // the source attribute name, up to its colon (token-char excludes ':')
        }
        return i > e + 1 && (i == n || v.charAt(i) == ':');
    }

    private static boolean extMap(String v, int o, int n) {
        int e = digitsField(v, n, o, 4, 4351); // a "/direction" suffix fails here: the full parser decides
        if (e < 0 || e >= n || v.charAt(o) == '0') {
            return false;
        }
        int u = anyField(v, n, e + 1);
        return u > 0 && (u == n || (u + 1 < n && v.charAt(u + 1) != ' '));
    }

    private static boolean isHexDigit(char c) {
        // ASCII only: the full grammar also takes other Unicode digits (Character.digit), a superset
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
    }

    private static boolean fingerprint(String v, int o, int n) {
        int sp = tokenField(v, n, o);
        if (sp < 0 || sp >= n) {
            return false;
        }
        int from = sp + 1;
        int len = n - from;
        if (len < 2 || (len + 1) % 3 != 0) {
            return false;
        }
        for (int i = from; i < n; i += 3) {
            if (!isHexDigit(v.charAt(i)) || !isHexDigit(v.charAt(i + 1)) || (i + 2 < n && v.charAt(i + 2) != ':')) {
                return false;
            }
        }
        return true;
    }

    /** {@code a=setup} (RFC 4145): one of the four roles, spelled exactly. */
    private static boolean setup(String v, int o, int n) {
        return is(v, o, n, "actpass") || is(v, o, n, "active") || is(v, o, n, "passive") || is(v, o, n, "holdconn");
    }

    private static boolean is(String v, int o, int n, String word) {
        return n - o == word.length() && v.startsWith(word, o);
    }

    /** {@code a=rtcp} (RFC 3605): a port, optionally followed by {@code IN IP4|IP6 <address>}. */
    private static boolean rtcp(String v, int o, int n) {
        int e = digitsField(v, n, o, 5, 65535);
        if (e < 0) {
            return false;
        }
        if (e == n) {
            return true;
        }
        return e + 8 <= n && (v.startsWith(" IN IP4 ", e) || v.startsWith(" IN IP6 ", e)) && addressField(v, n, e + 8) == n;
    }

    /** Single-spaced tokens, at least one: {@code a=group} (RFC 5888), {@code a=ice-options} (RFC 8839). */
    private static boolean tokens(String v, int o, int n) {
        int e = tokenField(v, n, o);
        while (e >= 0 && e < n) {
            e = tokenField(v, n, e + 1);
        }
        return e == n;
    }

    /** {@code a=msid} (RFC 8830): one or two tokens. */
    private static boolean msid(String v, int o, int n) {
        int e = tokenField(v, n, o);
        return e == n || (e > 0 && tokenField(v, n, e + 1) == n);
    }

    /** {@code a=ssrc-group} (RFC 5576): semantics, then SSRC numbers. */
    private static boolean ssrcGroup(String v, int o, int n) {
        int e = tokenField(v, n, o);
        while (e >= 0 && e < n) {
            e = digitsField(v, n, e + 1, 10, 0xFFFFFFFFL);
        }
        return e == n;
    }
}
