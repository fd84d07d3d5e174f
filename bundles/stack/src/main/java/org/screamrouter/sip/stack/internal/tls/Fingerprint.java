package org.screamrouter.sip.stack.internal.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/** SHA-256 certificate fingerprints written as openssl does: upper-case hex pairs joined by colons. */
final class Fingerprint {
    private Fingerprint() {
    }

    static String sha256(X509Certificate certificate) {
        try {
            return format(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 of a certificate: " + e, e);
        }
    }

    static String format(byte[] digest) {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    }

    /**
     * A fingerprint as a user may write it (with or without colons, any case, an optional {@code sha-256} prefix) in
     * the form of {@link #sha256}.
     *
     * @throws IllegalArgumentException when it is not 32 bytes of hex
     */
    static String normalize(String written) {
        String hex = written.trim().toLowerCase(Locale.ROOT);
        if (hex.startsWith("sha-256") || hex.startsWith("sha256")) {
            hex = hex.substring(hex.indexOf('6') + 1).trim();
        }
        hex = hex.replace(":", "").replace(" ", "");
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a SHA-256 fingerprint is 32 bytes of hex: " + written);
        }
        return format(HexFormat.of().parseHex(hex));
    }
}
