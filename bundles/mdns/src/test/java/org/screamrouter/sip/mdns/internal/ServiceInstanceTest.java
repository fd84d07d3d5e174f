package org.screamrouter.sip.mdns.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.mdns.MdnsPublication;
import org.screamrouter.sip.stack.ListeningPoint;

class ServiceInstanceTest {
    private static final String UUID = "6f9619ff-8b86-d011-b42d-00c04fc964ff";

    @Test
    void nothingIsAnnouncedWithoutAUdpListeningPoint() {
        List<ListeningPoint> tcpOnly = List.of(new ListeningPoint("tcp", "0.0.0.0", 5060), new ListeningPoint("ws", "0.0.0.0", 8088));
        assertThat(ServiceInstance.forStack(Configs.loopback("ScreamRouter"), tcpOnly, UUID, "1.0.0")).isEmpty();
    }

    @Test
    void txtListsTheEnabledTransportsInAFixedOrderAndTheWebSocketPort() {
        List<ListeningPoint> points = List.of(new ListeningPoint("ws", "0.0.0.0", 8088), new ListeningPoint("udp", "0.0.0.0", 5070));
        ServiceInstance instance = ServiceInstance.forStack(Configs.loopback("ScreamRouter"), points, UUID, "1.0.0").get(0);
        assertThat(instance.type()).isEqualTo(MdnsPublication.SERVICE_TYPE);
        assertThat(instance.port()).isEqualTo(5070);
        assertThat(instance.txt()).containsExactly(
                java.util.Map.entry("router_uuid", UUID), java.util.Map.entry("srv_version", "2.0"),
                java.util.Map.entry("transport", "udp,ws"), java.util.Map.entry("ws_port", "8088"),
                java.util.Map.entry("sip_domain", "screamrouter.local"), java.util.Map.entry("version", "1.0.0"));
    }

    @Test
    void theStandardSipTypeIsAddedOnlyWhenConfigured() {
        List<ListeningPoint> udp = List.of(new ListeningPoint("udp", "0.0.0.0", 5060));
        assertThat(ServiceInstance.forStack(Configs.loopback("R"), udp, UUID, "1")).hasSize(1);
        assertThat(ServiceInstance.forStack(Configs.loopback("R", "publish_sip_udp", true), udp, UUID, "1"))
                .extracting(ServiceInstance::type)
                .containsExactly(MdnsPublication.SERVICE_TYPE, MdnsPublication.SIP_UDP_SERVICE_TYPE);
    }

    @Test
    void secureTransportsAreListedWithTheirPorts() {
        List<ListeningPoint> points = List.of(new ListeningPoint("wss", "0.0.0.0", 8089), new ListeningPoint("udp", "0.0.0.0", 5060),
                new ListeningPoint("tls", "0.0.0.0", 5061), new ListeningPoint("tcp", "0.0.0.0", 5060));
        ServiceInstance instance = ServiceInstance.forStack(Configs.loopback("R"), points, UUID, "1").get(0);
        assertThat(instance.txt()).containsEntry("transport", "udp,tcp,tls,wss")
                .containsEntry("tls_port", "5061").containsEntry("wss_port", "8089").doesNotContainKey("ws_port");
    }

    @Test
    void theStandardSipsTypeNamesTheTlsPortOnlyWhenConfiguredAndTlsListens() {
        List<ListeningPoint> withTls = List.of(new ListeningPoint("udp", "0.0.0.0", 5060), new ListeningPoint("tls", "0.0.0.0", 5071));
        List<ListeningPoint> withoutTls = List.of(new ListeningPoint("udp", "0.0.0.0", 5060));
        assertThat(ServiceInstance.forStack(Configs.loopback("R"), withTls, UUID, "1")).hasSize(1);
        assertThat(ServiceInstance.forStack(Configs.loopback("R", "publish_sips_tcp", true), withoutTls, UUID, "1")).hasSize(1);
        List<ServiceInstance> both = ServiceInstance.forStack(Configs.loopback("R", "publish_sips_tcp", true), withTls, UUID, "1");
        assertThat(both).extracting(ServiceInstance::type)
                .containsExactly(MdnsPublication.SERVICE_TYPE, MdnsPublication.SIPS_TCP_SERVICE_TYPE);
        assertThat(both.get(1).port()).isEqualTo(5071);
    }
}
