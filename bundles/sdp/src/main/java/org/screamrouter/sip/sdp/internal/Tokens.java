package org.screamrouter.sip.sdp.internal;

/**
 * Walks the space-separated fields of one SDP value without copying the text it does not return.
 * Runs of spaces count as one separator: RFC 8866 asks for single spaces, but devices that add a
 * second one mean nothing else by it.
 */
final class Tokens {

    private final String s;
    private final int end;
    private int pos;

    Tokens(String s) {
        this.s = s;
        this.end = s.length();
        skipSpaces();
    }

    private void skipSpaces() {
        while (pos < end && s.charAt(pos) == ' ') {
            pos++;
        }
    }

    boolean hasMore() {
        return pos < end;
    }

    private int tokenEnd() {
        int e = s.indexOf(' ', pos);
        return e < 0 ? end : e;
    }

    String next(String what) throws SyntaxError {
        if (pos >= end) {
            throw new SyntaxError("missing " + what);
        }
        int e = tokenEnd();
        String t = s.substring(pos, e);
        pos = e;
        skipSpaces();
        return t;
    }

    /** The next token if it equals {@code word} (ignoring case), consuming it; else false. */
    boolean nextIs(String word) {
        int e = tokenEnd();
        if (e - pos == word.length() && s.regionMatches(true, pos, word, 0, word.length())) {
            pos = e;
            skipSpaces();
            return true;
        }
        return false;
    }

    /** A decimal number of at most {@code max}, parsed in place. */
    long nextNumber(long max, String what) throws SyntaxError {
        if (pos >= end) {
            throw new SyntaxError("missing " + what);
        }
        int e = tokenEnd();
        long v = AttributeSyntax.number(s, pos, e, max, what);
        pos = e;
        skipSpaces();
        return v;
    }

    /** Everything left, or {@code null} when nothing is. */
    String rest() {
        if (pos >= end) {
            return null;
        }
        String r = s.substring(pos);
        pos = end;
        return r;
    }
}
