package org.screamrouter.sip.client.internal;

import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.screamrouter.sip.client.Credentials;
import org.screamrouter.sip.stack.digest.DigestAlgorithm;

/**
 * Answers digest challenges (RFC 3261 22.4, RFC 7616 3.4, RFC 8760): picks the strongest challenge the
 * credentials can answer (SHA-256 before MD5), and computes the Authorization value with {@code qop=auth},
 * a random cnonce and a nonce count that grows each time the same nonce is used again.
 */
final class DigestResponder {
    private static final SecureRandom RANDOM = new SecureRandom();

    private DigestResponder() {
    }

    /** The challenge to answer, or empty when none can be answered with these credentials. */
    static Optional<Challenge> choose(List<Challenge> challenges, Credentials credentials) {
        return challenges.stream()
                .filter(c -> credentials.ha1() == null
                        || c.realm() != null && c.realm().equals(credentials.realm())
                        && credentials.ha1().length() == c.algorithm().hash("").length())
                .min(Comparator.comparingInt(c -> c.algorithm() == DigestAlgorithm.SHA_256 ? 0 : 1));
    }

    /** H(A1) for this challenge. */
    static String ha1(Challenge c, Credentials credentials) {
        if (credentials.ha1() != null) return credentials.ha1().toLowerCase(java.util.Locale.ROOT);
        return c.algorithm().ha1(credentials.username(), c.realm() == null ? "" : c.realm(), credentials.password());
    }

    static String cnonce() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * The value of an Authorization (or Proxy-Authorization) header.
     *
     * @param nonceCount how many times this nonce has been used, this time included (1 the first time)
     */
    static String authorization(Challenge c, Credentials credentials, String method, String digestUri,
                                int nonceCount, String cnonce) {
        String ha1 = ha1(c, credentials);
        StringBuilder v = new StringBuilder("Digest username=").append(quote(credentials.username()))
                .append(", realm=").append(quote(c.realm() == null ? "" : c.realm()))
                .append(", nonce=").append(quote(c.nonce()))
                .append(", uri=").append(quote(digestUri));
        if (c.qopAuth()) {
            String nc = String.format("%08x", nonceCount);
            v.append(", response=").append(quote(c.algorithm().response(ha1, c.nonce(), nc, cnonce, "auth", method, digestUri)))
                    .append(", algorithm=").append(c.algorithm().token())
                    .append(", cnonce=").append(quote(cnonce))
                    .append(", qop=auth, nc=").append(nc);
        } else {
            v.append(", response=").append(quote(c.algorithm().response(ha1, c.nonce(), null, null, null, method, digestUri)))
                    .append(", algorithm=").append(c.algorithm().token());
        }
        if (c.opaque() != null) {
            v.append(", opaque=").append(quote(c.opaque()));
        }
        return v.toString();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
