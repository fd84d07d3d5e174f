package org.screamrouter.sip.stack;

import java.time.Instant;

/**
 * The certificate the stack's TLS and secure WebSocket listening points present.
 *
 * @param fingerprint SHA-256 of the certificate as openssl prints it (upper-case hex pairs joined by colons), or null
 *                    when no certificate is loaded
 * @param source      the key store it came from (a path), or null
 * @param generated   whether the stack generated it (self-signed, for this machine's names and addresses)
 * @param notAfter    when it expires, or null
 * @param problem     why TLS is off or the last replacement was refused, or null
 */
public record TlsStatus(String fingerprint, String source, boolean generated, Instant notAfter, String problem) {
    /** No TLS configured. */
    public static final TlsStatus NONE = new TlsStatus(null, null, false, null, null);
}
