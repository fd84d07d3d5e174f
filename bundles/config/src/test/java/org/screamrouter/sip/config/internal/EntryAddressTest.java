package org.screamrouter.sip.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.screamrouter.sip.config.internal.Fixtures.SINK_UUID;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.registrar.Device;

/** Issue 12 item 6: which ip a device's entry gets, and which devices get none. */
class EntryAddressTest {

    private static Device sink(String connection, String source) {
        return Fixtures.device(SINK_UUID, Fixtures.sinkSdp(SINK_UUID, 5004).replace("c=IN IP4 192.168.1.50", "c=IN IP4 " + connection), source, true);
    }

    private static String ip(Device d) {
        return SipEntry.of(d).map(e -> (String) e.owned().get("ip")).orElse(null);
    }

    @Test
    void theConnectionAddressIsTakenWhenItIsTheSourceAddress() {
        assertThat(ip(sink("192.168.1.51", "192.168.1.51"))).isEqualTo("192.168.1.51");
    }

    @Test
    void aDifferentConnectionAddressGivesWayToTheSourceAddress() {
        assertThat(ip(sink("10.9.8.7", "192.168.1.51"))).isEqualTo("192.168.1.51"); // a private address behind NAT
        assertThat(ip(sink("127.0.0.1", "192.168.1.51"))).as("loopback from a remote device").isEqualTo("192.168.1.51");
        assertThat(ip(sink("0.0.0.0", "192.168.1.51"))).isEqualTo("192.168.1.51");
        assertThat(ip(sink("239.1.2.3", "192.168.1.51"))).as("a multicast c=").isEqualTo("192.168.1.51");
        assertThat(ip(Fixtures.device(SINK_UUID, Fixtures.sinkSdp(SINK_UUID, 5004).replace("c=IN IP4 192.168.1.50", "c=IN IP4 speaker.local"),
                "192.168.1.51", true))).as("a name in c=").isEqualTo("192.168.1.51");
    }

    @Test
    void aDeviceOnThisHostMayBeLoopback() {
        assertThat(ip(sink("127.0.0.1", "127.0.0.1"))).isEqualTo("127.0.0.1");
    }

    @Test
    void noMulticastBroadcastWildcardOrNameIsEverWritten() {
        assertThat(SipEntry.of(sink("239.1.2.3", "239.1.2.3"))).isEmpty();
        assertThat(SipEntry.of(sink("255.255.255.255", "255.255.255.255"))).isEmpty();
        assertThat(SipEntry.of(sink("0.0.0.0", "0.0.0.0"))).isEmpty();
        Device unresolved = new Device(SINK_UUID, "sip:a@b", "sip:a@speaker.local", "udp", InetSocketAddress.createUnresolved("speaker.local", 5060),
                Fixtures.capabilities(Fixtures.sinkSdp(SINK_UUID, 5004)), null, true, Fixtures.T0, Fixtures.T0, Fixtures.T0.plusSeconds(60));
        assertThat(SipEntry.of(unresolved)).isEmpty();
    }

    @Test
    void ipv6IsWrittenInItsShortForm() {
        String sdp = Fixtures.sinkSdp(SINK_UUID, 5004).replace("IN IP4 192.168.1.50", "IN IP6 2001:db8::51");
        assertThat(ip(Fixtures.device(SINK_UUID, sdp, "2001:db8:0:0:0:0:0:51", true))).isEqualTo("2001:db8::51");
    }

    @Test
    void aDeviceThatDeclaredNoRoleGetsNoEntry() {
        String noRole = Fixtures.sinkSdp(SINK_UUID, 5004).replace("a=x-screamrouter-role:sink\r\n", "");
        assertThat(SipEntry.of(Fixtures.device(SINK_UUID, noRole, "192.168.1.51", true))).isEmpty();
        assertThat(SipEntry.of(Fixtures.device(SINK_UUID, null, "192.168.1.51", true))).as("sipsak: no SDP at all").isEmpty();
        String sendOnly = Fixtures.sourceSdp(SINK_UUID).replace("a=x-screamrouter-role:source\r\n", "");
        assertThat(SipEntry.of(Fixtures.device(SINK_UUID, sendOnly, "192.168.1.51", true))).isEmpty();
    }
}
