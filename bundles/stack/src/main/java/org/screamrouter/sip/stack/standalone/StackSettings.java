package org.screamrouter.sip.stack.standalone;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a {@link StandaloneSipStack} listens on. Ports 0 mean "a free port chosen when opened" (the same one
 * for UDP and TCP, another for TLS); a transport with port -1 is not opened. The bind address is an IP literal,
 * never a name.
 *
 * @param bindAddress IP literal, e.g. {@code 127.0.0.1}
 * @param udpPort     UDP port, 0 for any free one, -1 for no UDP
 * @param tcpPort     TCP port, 0 for any free one, -1 for no TCP
 * @param userAgent   User-Agent of requests and Server of responses; null for none
 * @param tls         TLS, to connect to TLS servers (and to accept TLS); null for none
 */
public record StackSettings(String bindAddress, int udpPort, int tcpPort, String userAgent, Tls tls) {
    /**
     * TLS of a standalone stack. Servers it connects to are trusted by the SHA-256 fingerprint of their certificate
     * (pinning, the name in the certificate is not checked) or by a trust store (no name check either: JAIN-SIP does
     * not check names); with neither, by the JDK's CA certificates. Its own certificate, presented when it accepts a TLS
     * connection, is generated in {@code folder}.
     *
     * @param port               TLS port, 0 for any free one
     * @param pinnedFingerprint  SHA-256 of the only server certificate trusted (hex, colons optional); null for none
     * @param truststore         PKCS12 or JKS file of trusted certificates; null for the JDK's
     * @param truststorePassword its password; null for none
     * @param folder             where its own certificate is generated; null for a new temporary folder
     */
    public record Tls(int port, String pinnedFingerprint, Path truststore, String truststorePassword, Path folder) {
        public Tls {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("the TLS port is 0 (any) or 1-65535");
            }
        }

        /** TLS on a free port, trusting only the server certificate of this SHA-256 fingerprint. */
        public static Tls pinned(String fingerprint) {
            return new Tls(0, Objects.requireNonNull(fingerprint, "fingerprint"), null, null, null);
        }

        /** TLS on a free port, trusting the certificates of this trust store. */
        public static Tls trusting(Path truststore, String password) {
            return new Tls(0, null, Objects.requireNonNull(truststore, "truststore"), password, null);
        }
    }

    public StackSettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (bindAddress.isEmpty() || !(Character.digit(bindAddress.charAt(0), 16) >= 0 || bindAddress.indexOf(':') >= 0)
                || bindAddress.chars().anyMatch(c -> !(Character.digit(c, 16) >= 0 || c == '.' || c == ':'))) {
            throw new IllegalArgumentException("the bind address must be an IP literal: " + bindAddress);
        }
        if (udpPort < -1 || udpPort > 65535 || tcpPort < -1 || tcpPort > 65535) {
            throw new IllegalArgumentException("ports are -1 (off), 0 (any) or 1-65535");
        }
        if (udpPort < 0 && tcpPort < 0 && tls == null) {
            throw new IllegalArgumentException("at least one transport");
        }
    }

    /** Without TLS. */
    public StackSettings(String bindAddress, int udpPort, int tcpPort, String userAgent) {
        this(bindAddress, udpPort, tcpPort, userAgent, null);
    }

    /** UDP and TCP on free ports of 127.0.0.1. */
    public static StackSettings loopback(String userAgent) {
        return new StackSettings("127.0.0.1", 0, 0, userAgent);
    }

    /** These settings with TLS. */
    public StackSettings withTls(Tls tls) {
        return new StackSettings(bindAddress, udpPort, tcpPort, userAgent, tls);
    }
}
