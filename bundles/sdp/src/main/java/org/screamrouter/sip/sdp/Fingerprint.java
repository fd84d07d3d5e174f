package org.screamrouter.sip.sdp;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code a=fingerprint:<hash function> <hex bytes separated by colons>} (RFC 8122 section 5): the
 * certificate fingerprint a DTLS-SRTP peer must present.
 */
public record Fingerprint(String algorithm, byte[] bytes) {

    public Fingerprint {
        Objects.requireNonNull(algorithm, "algorithm");
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Upper-case colon-separated hex, as RFC 8122 writes it. */
    public String hex() {
        StringBuilder sb = new StringBuilder(bytes.length * 3);
        for (int i = 0; i < bytes.length; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Character.toUpperCase(Character.forDigit((bytes[i] >> 4) & 0xF, 16)))
              .append(Character.toUpperCase(Character.forDigit(bytes[i] & 0xF, 16)));
        }
        return sb.toString();
    }

    public String toAttributeValue() {
        return algorithm.toLowerCase(Locale.ROOT) + ' ' + hex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && f.algorithm.equalsIgnoreCase(algorithm) && Arrays.equals(f.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return algorithm.toLowerCase(Locale.ROOT).hashCode() * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return toAttributeValue();
    }
}
