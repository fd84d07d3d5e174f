package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.sdp.DeviceRole;
import org.screamrouter.sip.testsupport.FakeExchange;
import org.screamrouter.sip.testsupport.Sent;

class DeviceLifecycleTest extends StartedRegistrar {
    private static final String UUID = "5f7c1a2e-0000-4000-8000-000000000001";
    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "a=x-screamrouter-role:sink\r\na=x-screamrouter-uuid:" + UUID + "\r\n"
            + "m=audio 4010 RTP/AVP 96\r\na=rtpmap:96 L16/48000/2\r\na=recvonly\r\n";

    private static String register(String from, int cseq, String contact, int expires, String body, String... extra) {
        StringBuilder sb = new StringBuilder("REGISTER sip:screamrouter.local SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKr" + cseq + "\n"
                + "Max-Forwards: 70\nTo: <sip:screamrouter@screamrouter.local>\nFrom: <" + from + ">;tag=t\n"
                + "Call-ID: call-" + from.hashCode() + "\nCSeq: " + cseq + " REGISTER\nContact: <" + contact + ">\nExpires: " + expires + "\n");
        for (String e : extra) sb.append(e).append('\n');
        if (body != null) {
            sb.append("Content-Type: application/sdp\nContent-Length: ").append(body.length()).append("\n\n").append(body);
            return sb.toString();
        }
        return sb.append("Content-Length: 0\n\n").toString();
    }

    private Response send(String raw, String ip, int port) throws Exception {
        FakeExchange exchange = new FakeExchange(raw.replace("\r\n", "\n"), ip, port);
        registrar.handle(exchange);
        return exchange.last();
    }

    @Test
    void uuidRoleAndFormatsComeFromFromUserAndSdp() throws Exception {
        assertThat(send(register("sip:" + UUID + "@127.0.0.1", 1, "sip:" + UUID + "@127.0.0.1:5999", 300, SDP), "127.0.0.1", 40000).getStatusCode()).isEqualTo(200);
        Device d = registrar.device(UUID).orElseThrow();
        assertThat(d.role()).isEqualTo(DeviceRole.SINK);
        assertThat(d.capabilities().audioFormats()).singleElement().satisfies(f -> {
            assertThat(f.codec()).isEqualTo("L16");
            assertThat(f.channels()).isEqualTo(2);
        });
        assertThat(d.capabilities().rtpPort()).isEqualTo(4010);
        assertThat(d.online()).isTrue();
        assertThat(h.topics()).containsExactly("ONLINE");
    }

    @Test
    void uuidFromXUuidHeaderWhenFromHasNoUser() throws Exception {
        send(register("sip:127.0.0.1", 1, "sip:127.0.0.1:5999", 300, null, "X-UUID: abc-123"), "127.0.0.1", 40000);
        assertThat(registrar.device("abc-123")).isPresent();
    }

    @Test
    void reRegisterWithoutBodyKeepsCapabilities() throws Exception {
        send(register("sip:" + UUID + "@127.0.0.1", 1, "sip:" + UUID + "@127.0.0.1:5999", 300, SDP), "127.0.0.1", 40000);
        send(register("sip:" + UUID + "@127.0.0.1", 2, "sip:" + UUID + "@127.0.0.1:5999", 300, null), "127.0.0.1", 40000);
        assertThat(registrar.device(UUID).orElseThrow().role()).isEqualTo(DeviceRole.SINK);
        assertThat(h.topics()).containsExactly("ONLINE");
    }

    @Test
    void unparseableSdpGets400WithTheParsersReasonAndChangesNothing() throws Exception {
        String bad = SDP.replace("c=IN IP4 127.0.0.1", "c=IN IP7 X");
        Response r = send(register("sip:" + UUID + "@127.0.0.1", 1, "sip:" + UUID + "@127.0.0.1:5999", 300, bad), "127.0.0.1", 40000);
        assertThat(r.getStatusCode()).isEqualTo(400);
        assertThat(r.getReasonPhrase()).startsWith("Bad SDP: line 4").contains("IP7");
        assertThat(registrar.bindings()).isEmpty();
        assertThat(registrar.devices()).isEmpty();
    }

    @Test
    void foreignDomainGets404() throws Exception {
        String raw = register("sip:d@127.0.0.1", 1, "sip:d@127.0.0.1:5999", 300, null).replace("REGISTER sip:screamrouter.local", "REGISTER sip:example.com");
        assertThat(send(raw, "127.0.0.1", 40000).getStatusCode()).isEqualTo(404);
        assertThat(send(raw.replace("sip:example.com", "sip:127.0.0.1:5060"), "127.0.0.1", 40000).getStatusCode()).isEqualTo(200);
    }

    @Test
    void pingsGoToTheFlowNeverToTheContactHost() throws Exception {
        send(register("sip:dev@127.0.0.1", 1, "sip:dev@gw1.example.net:5070", 300, null), "127.0.0.7", 41000);
        registrar.tickForTest();
        assertThat(h.sent).as("no ping right after a REGISTER").isEmpty();
        h.clock.advance(Duration.ofSeconds(10));
        registrar.tickForTest();
        assertThat(h.sent).singleElement().satisfies(s -> {
            assertThat(s.flow().address()).isEqualTo("127.0.0.7");
            assertThat(s.flow().port()).isEqualTo(41000);
            assertThat(s.request().getMethod()).isEqualTo("OPTIONS");
        });
    }

    @Test
    void silentDeviceGoesOfflineAndComesBackOnItsNextRegister() throws Exception {
        send(register("sip:dev@127.0.0.1", 1, "sip:dev@127.0.0.1:5999", 300, null), "127.0.0.1", 40000);
        h.clock.advance(Duration.ofSeconds(20));
        registrar.tickForTest();
        assertThat(registrar.device("dev").orElseThrow().online()).isTrue();
        h.clock.advance(Duration.ofSeconds(11));
        registrar.tickForTest();
        assertThat(registrar.device("dev").orElseThrow().online()).isFalse();
        assertThat(registrar.device("dev").orElseThrow().contactUri()).isEqualTo("sip:dev@127.0.0.1:5999");

        send(register("sip:dev@127.0.0.1", 2, "sip:dev@127.0.0.1:5999", 300, null), "127.0.0.1", 40000);
        assertThat(registrar.device("dev").orElseThrow().online()).isTrue();
        assertThat(h.topics()).containsExactly("ONLINE", "OFFLINE", "ONLINE");
    }

    @Test
    void answeredPingAndOptionsFromTheDeviceKeepItOnline() throws Exception {
        send(register("sip:dev@127.0.0.1", 1, "sip:dev@127.0.0.1:5999", 300, null), "127.0.0.1", 40000);
        h.clock.advance(Duration.ofSeconds(25));
        registrar.tickForTest();
        Sent ping = h.sent.get(h.sent.size() - 1);
        ping.answer().complete(FakeExchange.MESSAGES.messages().createResponse(200, ping.request()));
        h.clock.advance(Duration.ofSeconds(25));
        registrar.tickForTest();
        assertThat(registrar.device("dev").orElseThrow().online()).isTrue();

        FakeExchange options = new FakeExchange("OPTIONS sip:screamrouter.local SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKo\n"
                + "Max-Forwards: 70\nTo: <sip:screamrouter.local>\nFrom: <sip:dev@127.0.0.1>;tag=1\nCall-ID: o1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n", "127.0.0.1", 40000);
        h.clock.advance(Duration.ofSeconds(25));
        registrar.handle(options);
        assertThat(options.last().getHeader("Allow").toString()).contains("OPTIONS, REGISTER");
        h.clock.advance(Duration.ofSeconds(10));
        registrar.tickForTest();
        assertThat(registrar.device("dev").orElseThrow().online()).isTrue();
    }

    @Test
    void crlfKeepAliveOnTheDevicesFlowKeepsItOnline() throws Exception {
        send(register("sip:dev@127.0.0.1", 1, "sip:dev@127.0.0.1:5999", 300, null), "127.0.0.1", 40000);
        h.clock.advance(Duration.ofSeconds(25));
        registrar.keepAlive(new org.screamrouter.sip.stack.Flow("udp", new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 40000)));
        h.clock.advance(Duration.ofSeconds(25));
        registrar.tickForTest();
        assertThat(registrar.device("dev").orElseThrow().online()).isTrue();
        h.clock.advance(Duration.ofSeconds(10));
        registrar.tickForTest();
        assertThat(registrar.device("dev").orElseThrow().online()).as("30 s after its last keep-alive").isFalse();
    }

    @Test
    void expiresZeroTakesTheDeviceOfflineKeepingItsDetails() throws Exception {
        send(register("sip:dev@127.0.0.1", 1, "sip:dev@127.0.0.1:5999", 300, null), "127.0.0.1", 40000);
        send(register("sip:dev@127.0.0.1", 2, "sip:dev@127.0.0.1:5999", 0, null), "127.0.0.1", 40000);
        assertThat(registrar.bindings()).isEmpty();
        assertThat(registrar.device("dev").orElseThrow().online()).isFalse();
        assertThat(h.topics()).containsExactly("ONLINE", "OFFLINE");
    }

    @Test
    void bindingsAndDevicesSurviveARestartWithTheSameExpiry() throws Exception {
        for (int i = 0; i < 50; i++) {
            send(register("sip:dev" + i + "@127.0.0.1", 1, "sip:dev" + i + "@127.0.0.1:" + (6000 + i), 300 + i, i == 0 ? SDP : null), "127.0.0.1", 40000 + i);
        }
        var before = registrar.bindings();
        registrar.deactivate();
        h.clock.advance(Duration.ofSeconds(5));
        registrar = h.start(store(), Map.of());

        assertThat(registrar.bindings()).hasSize(50).containsExactlyInAnyOrderElementsOf(before);
        assertThat(registrar.devices()).hasSize(50).allMatch(Device::online);
        assertThat(registrar.device("dev0").orElseThrow().capabilities().rtpPort()).isEqualTo(4010);
    }

    @Test
    void expiredBindingsAreNotRestored() throws Exception {
        send(register("sip:dev@127.0.0.1", 1, "sip:dev@127.0.0.1:5999", 60, null), "127.0.0.1", 40000);
        registrar.deactivate();
        h.clock.advance(Duration.ofSeconds(61));
        registrar = h.start(store(), Map.of());
        assertThat(registrar.bindings()).isEmpty();
        registrar.tickForTest();
        assertThat(registrar.device("dev").orElseThrow().online()).isFalse();
    }

    @Test
    void unregisterRemovesTheBindingAndKeepsTheDevice() throws Exception {
        send(register("sip:dev@127.0.0.1", 1, "sip:dev@127.0.0.1:5999", 300, null), "127.0.0.1", 40000);
        assertThat(registrar.unregister("dev")).isTrue();
        assertThat(registrar.bindings()).isEmpty();
        assertThat(registrar.device("dev")).get().extracting(Device::online).isEqualTo(false);
        assertThat(registrar.unregister("nobody")).isFalse();
    }

}
