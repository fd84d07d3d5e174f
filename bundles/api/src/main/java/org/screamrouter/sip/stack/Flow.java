package org.screamrouter.sip.stack;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A transport association with a peer (RFC 5626 "flow"): the transport a message used and the address and
 * port it came from. Answers and pings go to a flow, never to a host taken from a header.
 *
 * @param transport lower case: {@code udp}, {@code tcp}, {@code ws}, {@code tls} or {@code wss}
 * @param remote    the peer's source address and port, as seen on the socket
 */
public record Flow(String transport, InetSocketAddress remote) {
    public Flow {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(remote, "remote");
        if (remote.isUnresolved()) {
            throw new IllegalArgumentException("a flow needs an IP address, not a host name: " + remote);
        }
        transport = transport.toLowerCase(java.util.Locale.ROOT);
    }

    public String address() {
        return remote.getAddress().getHostAddress();
    }

    public int port() {
        return remote.getPort();
    }

    @Override
    public String toString() {
        return transport + ":" + address() + ":" + port();
    }
}
