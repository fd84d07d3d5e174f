package org.screamrouter.sip.client.simulator;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import org.screamrouter.sip.client.NextHop;
import org.screamrouter.sip.stack.Flow;

/**
 * Finds the router by browsing {@code _screamrouter-sip._udp.local.} with JmDNS on one local address. The
 * answer's address record gives an IP literal; no name is resolved through DNS.
 */
final class Discovery {
    static final String SERVICE_TYPE = "_screamrouter-sip._udp.local.";

    private Discovery() {
    }

    static Optional<Flow> find(String localAddress, String transport, Duration timeout) throws IOException {
        return find(SERVICE_TYPE, localAddress, transport, timeout);
    }

    /** The same for another service type (tests browse one of their own: other servers may announce on loopback). */
    static Optional<Flow> find(String serviceType, String localAddress, String transport, Duration timeout) throws IOException {
        InetAddress local = NextHop.literal(localAddress);
        try (JmDNS jmdns = JmDNS.create(local, "screamrouter-sim")) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ServiceInfo info : jmdns.list(serviceType, 1000)) {
                    Optional<Flow> flow = flowOf(info, transport);
                    if (flow.isPresent()) return flow;
                }
            }
            return Optional.empty();
        }
    }

    private static Optional<Flow> flowOf(ServiceInfo info, String transport) {
        if (info.getPort() <= 0) return Optional.empty();
        for (Inet4Address a : info.getInet4Addresses()) {
            return Optional.of(NextHop.of(transport, a.getHostAddress(), info.getPort()));
        }
        for (InetAddress a : info.getInetAddresses()) {
            return Optional.of(NextHop.of(transport, a.getHostAddress(), info.getPort()));
        }
        return Optional.empty();
    }
}
