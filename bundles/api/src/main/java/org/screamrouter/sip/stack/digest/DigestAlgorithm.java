package org.screamrouter.sip.stack.digest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The digest algorithms SIP uses (RFC 8760): MD5 for old peers and SHA-256. Computes H(A1), the request
 * digest with {@code qop=auth} or without qop, as lower-case hex. A challenge or credentials that name no
 * algorithm mean MD5.
 */
public enum DigestAlgorithm {
    MD5("MD5", "MD5"),
    SHA_256("SHA-256", "SHA-256");

    private final String token;
    private final String jcaName;

    DigestAlgorithm(String token, String jcaName) {
        this.token = token;
        this.jcaName = jcaName;
    }

    /** The name in an {@code algorithm=} parameter. */
    public String token() {
        return token;
    }

    /**
     * The algorithm an {@code algorithm=} parameter names; {@code null} or empty is MD5 (RFC 3261). The
     * session variants ({@code MD5-sess}) and names this server does not implement are empty.
     */
    public static Optional<DigestAlgorithm> fromToken(String token) {
        if (token == null || token.isBlank()) return Optional.of(MD5);
        String t = token.trim().toUpperCase(Locale.ROOT);
        for (DigestAlgorithm a : values()) {
            if (a.token.equals(t)) return Optional.of(a);
        }
        return Optional.empty();
    }

    /** The hex hash of a UTF-8 string. */
    public String hash(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance(jcaName);
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jcaName + " is part of every Java runtime", e);
        }
    }

    /** H(username ":" realm ":" password), what a credentials file stores instead of the password. */
    public String ha1(String username, String realm, String password) {
        return hash(username + ":" + realm + ":" + password);
    }

    /**
     * The {@code response} value. With {@code qop} {@code "auth"}: H(HA1:nonce:nc:cnonce:qop:H(method:uri));
     * with {@code qop} null (RFC 2069 style, RFC 3261 compatibility): H(HA1:nonce:H(method:uri)).
     *
     * @throws IllegalArgumentException for a qop other than {@code auth} (auth-int is not supported)
     */
    public String response(String ha1, String nonce, String nonceCount, String cnonce, String qop,
                           String method, String digestUri) {
        String ha2 = hash(method + ":" + digestUri);
        if (qop == null || qop.isEmpty()) {
            return hash(ha1 + ":" + nonce + ":" + ha2);
        }
        if (!"auth".equalsIgnoreCase(qop)) {
            throw new IllegalArgumentException("qop " + qop + " is not supported, only auth");
        }
        return hash(ha1 + ":" + nonce + ":" + nonceCount + ":" + cnonce + ":auth:" + ha2);
    }

    /** Compares two hex digests in time independent of where they differ. */
    public static boolean matches(String expected, String given) {
        if (expected == null || given == null) return false;
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                given.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }
}
