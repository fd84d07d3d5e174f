package org.screamrouter.sip.stack.standalone;

import java.util.Objects;

/**
 * What a {@link StandaloneSipStack} listens on. Ports 0 mean "a free port chosen when opened" (the same one
 * for UDP and TCP); a transport with port -1 is not opened. The bind address is an IP literal, never a name.
 *
 * @param bindAddress IP literal, e.g. {@code 127.0.0.1}
 * @param udpPort     UDP port, 0 for any free one, -1 for no UDP
 * @param tcpPort     TCP port, 0 for any free one, -1 for no TCP
 * @param userAgent   User-Agent of requests and Server of responses; null for none
 */
public record StackSettings(String bindAddress, int udpPort, int tcpPort, String userAgent) {
    public StackSettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (bindAddress.isEmpty() || !(Character.digit(bindAddress.charAt(0), 16) >= 0 || bindAddress.indexOf(':') >= 0)
                || bindAddress.chars().anyMatch(c -> !(Character.digit(c, 16) >= 0 || c == '.' || c == ':'))) {
            throw new IllegalArgumentException("the bind address must be an IP literal: " + bindAddress);
        }
        if (udpPort < -1 || udpPort > 65535 || tcpPort < -1 || tcpPort > 65535) {
            throw new IllegalArgumentException("ports are -1 (off), 0 (any) or 1-65535");
        }
        if (udpPort < 0 && tcpPort < 0) {
            throw new IllegalArgumentException("at least one transport");
        }
    }

    /** UDP and TCP on free ports of 127.0.0.1. */
    public static StackSettings loopback(String userAgent) {
        return new StackSettings("127.0.0.1", 0, 0, userAgent);
    }
}
