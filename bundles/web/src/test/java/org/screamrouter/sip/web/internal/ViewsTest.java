package org.screamrouter.sip.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.audio.SinkInfo;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.http.Json;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.PingResult;

class ViewsTest {
    private final Instant now = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void aDeviceRowHasTheColumnsOfSipDevicesAndItsJsonReadsBack() throws Exception {
        Device d = Devices.sink("0123456789abcdef", true, now);
        String json = Json.write(Views.device(d, now));
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) Json.parse(json);
        assertThat(back).containsEntry("uuid", "0123456789abcdef")
                .containsEntry("name", "sink_01234567")
                .containsEntry("role", "sink")
                .containsEntry("formats", List.of("L16/48000/2"))
                .containsEntry("address", "127.0.0.1:5999")
                .containsEntry("transport", "udp")
                .containsEntry("online", true)
                .containsEntry("userAgent", "test \"agent\"")
                .containsEntry("lastSeen", "2026-01-02T03:04:00Z")
                .containsEntry("expiresInS", 295L);
        assertThat(json).contains("\"userAgent\":\"test \\\"agent\\\"\"");
    }

    @Test
    void aDeviceWithoutSdpHasNoRoleFormatsOrCapabilities() {
        Device d = new Device("dev1", "sip:dev1@h", "sip:dev1@h:1", "tcp", null, null, null, false, now, now, now.minusSeconds(1));
        Map<String, Object> row = Views.device(d, now);
        assertThat(row).containsEntry("name", "dev1").containsEntry("role", null).containsEntry("formats", List.of())
                .containsEntry("address", null).containsEntry("expiresInS", 0L);
        assertThat(Views.capabilities(null)).isNull();
    }

    @Test
    void capabilitiesNameTheFormatsAndWhereRtpGoes() throws Exception {
        Map<String, Object> c = Views.capabilities(Devices.sink("u1", true, now).capabilities());
        assertThat(c).containsEntry("role", "sink").containsEntry("protocols", List.of("rtp")).containsEntry("rtpAddress", "127.0.0.1")
                .containsEntry("rtpPort", 40000).containsEntry("direction", "recvonly").containsEntry("webRtc", false);
        assertThat(Json.write(c)).contains("{\"payloadType\":96,\"codec\":\"L16\",\"clockRate\":48000,\"channels\":2}");
    }

    @Test
    void bindingsCallsAndPings() {
        Binding b = new Binding("sip:u1@h", "sip:u1@127.0.0.1:5999", "<sip:u1@127.0.0.1:5999>", "udp",
                new InetSocketAddress("127.0.0.1", 5999), now.plusSeconds(60), -1, "cid", 7, List.of(), now);
        assertThat(Views.binding(b, now)).containsEntry("expiresInS", 60L).containsEntry("q", null).containsEntry("cseq", 7L)
                .containsEntry("address", "127.0.0.1:5999");
        CallInfo call = new CallInfo("c1@x", "kitchen", "udp:127.0.0.1:5062", CallInfo.Kind.RTP, CallInfo.State.CONFIRMED,
                now.minusSeconds(42), 100, "127.0.0.1:40000");
        assertThat(Views.call(call, now)).containsEntry("kind", "RTP").containsEntry("state", "CONFIRMED").containsEntry("durationS", 42L);
        assertThat(Views.ping(new PingResult(200, "OK", Duration.ofMillis(12)))).containsEntry("roundTripMs", 12L);
    }

    @Test
    void aSinkLinksTheListenPageWithItsNameEncoded() {
        Map<String, Object> sink = Views.sink(new SinkInfo("living room", 4010, "48000 Hz 16 bit 2 ch", 5, 1, false));
        assertThat(sink).containsEntry("sink", "living room").containsEntry("listeners", 1).containsEntry("toneActive", false)
                .containsEntry("listen", "/listen/index.html?sink=living+room");
    }

    @Test
    void anIpv6AddressIsBracketed() {
        assertThat(Views.address(new InetSocketAddress("::1", 5060))).isEqualTo("[0:0:0:0:0:0:0:1]:5060");
    }
}
