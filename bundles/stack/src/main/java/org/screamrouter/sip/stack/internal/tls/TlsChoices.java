package org.screamrouter.sip.stack.internal.tls;

import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * The TLS versions and cipher suites the stack allows, server and client side: TLS 1.3 and 1.2 only (1.0 and 1.1 are
 * deprecated by RFC 8996), and for 1.2 only forward-secret ECDHE key exchange with an AEAD cipher (AES-GCM,
 * ChaCha20-Poly1305); no RSA key exchange, no CBC, no SHA-1 MACs. Every browser and current SIP phone offers these.
 */
public final class TlsChoices {
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final List<String> SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsChoices() {
    }

    /** The allowed suites this JVM supports, in order of preference. */
    public static List<String> cipherSuites() {
        try {
            Set<String> supported = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
            return SUITES.stream().filter(supported::contains).toList();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no TLS in this JVM: " + e, e);
        }
    }

}
