package org.screamrouter.sip.stack;

import java.util.UUID;
import javax.sip.header.Header;

/** The one way for handlers to read a header's text and to make a tag (RFC 3261 19.3) for the dialogs they start. */
public final class SipHeaders {
    private SipHeaders() {
    }

    /** A header's value as written, without its name: what follows {@code "Name: "}. */
    public static String value(Header header) {
        String s = header.toString().trim();
        int colon = s.indexOf(':');
        return colon < 0 ? s : s.substring(colon + 1).trim();
    }

    /**
     * A new From or To tag: 64 random bits from a cryptographically strong generator, as 16 hex digits. Whoever did
     * not see a message cannot guess its tag (an ACK or NOTIFY answer must carry ours; JAIN-SIP's own tags are 32 bits of
     * a predictable generator).
     */
    public static String newTag() {
        // UUID.randomUUID draws from the JDK's SecureRandom; the two halves' fixed version and variant bits lie at
        // different places, so their exclusive or has 64 random bits
        UUID u = UUID.randomUUID();
        long bits = u.getMostSignificantBits() ^ u.getLeastSignificantBits();
        // String.format was a visible share of every answer's cost under load (issue 15)
        String hex = Long.toHexString(bits);
        return hex.length() == 16 ? hex : "0".repeat(16 - hex.length()) + hex;
    }
}
