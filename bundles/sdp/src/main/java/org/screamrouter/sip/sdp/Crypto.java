package org.screamrouter.sip.sdp;

import java.util.Objects;

/**
 * {@code a=crypto:<tag> <crypto suite> <key params> [<session params>]} (RFC 4568 section 9.1, SDES-SRTP).
 *
 * @param sessionParameters {@code null} when absent
 */
public record Crypto(int tag, String suite, String keyParameters, String sessionParameters) {

    public Crypto {
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(keyParameters, "keyParameters");
    }
}
