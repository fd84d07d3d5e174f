package org.screamrouter.sip.sdp.internal;

/**
 * Allocation-free acceptance checks for the attributes browsers send by the dozen (candidate, rtpmap,
 * fmtp, rtcp-fb, ssrc, extmap, fingerprint). Each accepts a subset of what {@link AttributeSyntax}
 * accepts (single spaces only, for one), so a value passing here is valid; a value failing here goes
 * to the full parser, which either accepts it or produces the precise message.
 */
final class FastCheck {

    private FastCheck() {
    }

    static boolean accepts(int kind, String v) {
        return switch (kind) {
            case AttributeNames.CANDIDATE -> candidate(v);
            case AttributeNames.RTPMAP -> rtpMap(v);
            case AttributeNames.FMTP -> tokenThenText(v, false);
            case AttributeNames.RTCP_FB -> rtcpFeedback(v);
            case AttributeNames.SSRC -> ssrc(v);
            case AttributeNames.EXTMAP -> extMap(v);
            case AttributeNames.FINGERPRINT -> fingerprint(v);
            default -> false;
        };
    }

    /** End of the field starting at {@code from}: the next space or the end. */
    private static int fieldEnd(String v, int from) {
        int sp = v.indexOf(' ', from);
        return sp < 0 ? v.length() : sp;
    }

    private static boolean digits(String v, int from, int to, int maxDigits, long max) {
        if (from >= to || to - from > maxDigits) {
            return false;
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            n = n * 10 + (c - '0');
        }
        return n <= max;
    }

    private static boolean iceChars(String v, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/')) {
                return false;
            }
        }
        return true;
    }

    private static boolean addressChars(String v, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == ':' || c == '-' || c == '_' || c == '%')) {
                return false;
            }
        }
        return true;
    }

    private static boolean candidate(String v) {
        int n = v.length();
        int p = 0;
        int e = fieldEnd(v, p);
        if (e - p > 32 || !iceChars(v, p, e) || e >= n) {
            return false;
        }
        p = e + 1;
        e = fieldEnd(v, p);
        if (!digits(v, p, e, 3, 256) || e >= n) {
            return false;
        }
        p = e + 1;
        e = fieldEnd(v, p);
        if (!AttributeSyntax.isToken(v, p, e) || e >= n) {
            return false;
        }
        p = e + 1;
        e = fieldEnd(v, p);
        if (!digits(v, p, e, 10, 0xFFFFFFFFL) || e >= n) {
            return false;
        }
        p = e + 1;
        e = fieldEnd(v, p);
        if (!addressChars(v, p, e) || e >= n) {
            return false;
        }
        p = e + 1;
        e = fieldEnd(v, p);
        if (!digits(v, p, e, 5, 65535) || e >= n) {
            return false;
        }
        p = e + 1;
        e = fieldEnd(v, p);
        if (e - p != 3 || !v.startsWith("typ", p) || e >= n) {
            return false;
        }
        p = e + 1;
        e = fieldEnd(v, p);
        if (!AttributeSyntax.isToken(v, p, e)) {
            return false;
        }
        boolean raddr = false;
        boolean rport = false;
        boolean tcptype = false;
        while (e < n) {
            int ns = e + 1;
            int ne = fieldEnd(v, ns);
            if (!AttributeSyntax.isToken(v, ns, ne) || ne >= n) {
                return false;
            }
            int vs = ne + 1;
            int ve = fieldEnd(v, vs);
            if (vs >= ve) {
                return false;
            }
            int len = ne - ns;
            if (!raddr && len == 5 && v.startsWith("raddr", ns)) {
                raddr = true;
                if (!addressChars(v, vs, ve)) {
                    return false;
                }
            } else if (!rport && len == 5 && v.startsWith("rport", ns)) {
                rport = true;
                if (!digits(v, vs, ve, 5, 65535)) {
                    return false;
                }
            } else if (!tcptype && len == 7 && v.startsWith("tcptype", ns)) {
                tcptype = true;
                if (!AttributeSyntax.isToken(v, vs, ve)) {
                    return false;
                }
            }
            e = ve;
        }
        return true;
    }

    private static boolean rtpMap(String v) {
        int sp = v.indexOf(' ');
        if (sp < 0 || !digits(v, 0, sp, 3, 127)) {
            return false;
        }
        int slash = v.indexOf('/', sp + 1);
        if (slash < 0 || !AttributeSyntax.isToken(v, sp + 1, slash)) {
            return false;
        }
        int slash2 = v.indexOf('/', slash + 1);
        int rateEnd = slash2 < 0 ? v.length() : slash2;
        if (!digits(v, slash + 1, rateEnd, 10, 0xFFFFFFFFL)) {
            return false;
        }
        return slash2 < 0 || AttributeSyntax.isToken(v, slash2 + 1, v.length());
    }

    /** {@code <token> SP <anything>}: fmtp. */
    private static boolean tokenThenText(String v, boolean restOptional) {
        int sp = v.indexOf(' ');
        if (sp < 0) {
            return restOptional && AttributeSyntax.isToken(v, 0, v.length());
        }
        return AttributeSyntax.isToken(v, 0, sp);
    }

    private static boolean rtcpFeedback(String v) {
        int sp = v.indexOf(' ');
        if (sp < 0 || !((sp == 1 && v.charAt(0) == '*') || digits(v, 0, sp, 3, 127))) {
            return false;
        }
        int e = fieldEnd(v, sp + 1);
        return AttributeSyntax.isToken(v, sp + 1, e) && (e == v.length() || (e + 1 < v.length() && v.charAt(e + 1) != ' '));
    }

    private static boolean ssrc(String v) {
        int sp = v.indexOf(' ');
        if (sp < 0 || !digits(v, 0, sp, 10, 0xFFFFFFFFL)) {
            return false;
        }
        int colon = v.indexOf(':', sp + 1);
        return AttributeSyntax.isToken(v, sp + 1, colon < 0 ? v.length() : colon);
    }

    private static boolean extMap(String v) {
        int sp = v.indexOf(' ');
        if (sp < 0) {
            return false;
        }
        int slash = v.indexOf('/');
        if (slash >= 0 && slash < sp) {
            return false; // with a direction: let the full parser decide
        }
        if (v.charAt(0) == '0' || !digits(v, 0, sp, 4, 4351)) {
            return false;
        }
        int e = fieldEnd(v, sp + 1);
        return e > sp + 1 && (e == v.length() || (e + 1 < v.length() && v.charAt(e + 1) != ' '));
    }

    private static boolean fingerprint(String v) {
        int sp = v.indexOf(' ');
        if (sp <= 0 || !AttributeSyntax.isToken(v, 0, sp)) {
            return false;
        }
        int from = sp + 1;
        int len = v.length() - from;
        if (len < 2 || (len + 1) % 3 != 0) {
            return false;
        }
        for (int i = from; i < v.length(); i += 3) {
            if (Character.digit(v.charAt(i), 16) < 0 || Character.digit(v.charAt(i + 1), 16) < 0
                    || (i + 2 < v.length() && v.charAt(i + 2) != ':')) {
                return false;
            }
        }
        return true;
    }
}
