package org.screamrouter.sip.client.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import org.junit.jupiter.api.Test;

/**
 * A real JmDNS on 127.0.0.1 announces the router; the simulator's browser finds its address and port. The tests
 * browse a service type of their own: a server of another test run on this machine announces the real one on
 * loopback too.
 */
class DiscoveryTest {
    private static final String TYPE = "_srsip-test-" + Long.toHexString(System.nanoTime() & 0xffffff) + "._udp.local.";

    @Test
    void findsTheRouterAnnouncedOnLoopback() throws Exception {
        try (JmDNS router = JmDNS.create(InetAddress.getByName("127.0.0.1"), "router-under-test")) {
            router.registerService(ServiceInfo.create(TYPE, "ScreamRouter test", 25061, 0, 0,
                    Map.of("router_uuid", "r-1", "srv_version", "2.0", "transport", "udp")));
            assertThat(Discovery.find(TYPE, "127.0.0.1", "udp", Duration.ofSeconds(20)))
                    .hasValueSatisfying(flow -> assertThat(flow.toString()).isEqualTo("udp:127.0.0.1:25061"));
        }
    }

    @Test
    void nothingAnnouncedIsEmptyAfterTheTimeout() throws Exception {
        assertThat(Discovery.find(TYPE, "127.0.0.1", "udp", Duration.ofSeconds(2))).isEmpty();
    }
}
