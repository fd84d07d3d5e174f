package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sip.header.RetryAfterHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.testsupport.FakeExchange;

/**
 * Issue 13 item 4 (docs/security.md, "Registrar: limits"): the registrar's state is bounded. Devices and bindings are
 * capped in all and per source address, offline devices without a binding are forgotten after {@code device.expiry},
 * and what a REGISTER brings to be stored (device UUID, Contact, SDP) is capped in length at intake.
 */
class RegistrarLimitsTest {
    @TempDir
    Path dir;
    private final TestHarness h = new TestHarness();
    private RegistrarComponent registrar;
    private int cseq;

    @AfterEach
    void stop() {
        if (registrar != null) registrar.deactivate();
    }

    private void start(Map<String, Object> overrides) {
        registrar = h.start(dir.resolve("registrar.mv"), overrides);
    }

    private static String uuid(int i) {
        return String.format("5f7c1a2e-0000-4000-8000-%012d", i);
    }

    /** A ScreamRouter device's REGISTER (To the router, From its UUID) with a small sink SDP. */
    private String device(String uuid, String ip, int expires) {
        return register("sip:screamrouter@screamrouter.local", "sip:" + uuid + "@" + ip, "<sip:" + uuid + "@" + ip + ":5999>", expires,
                sdp(uuid, ip, ""));
    }

    private static String sdp(String uuid, String ip, String extra) {
        return "v=0\r\no=- 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\n"
                + "a=x-screamrouter-role:sink\r\na=x-screamrouter-uuid:" + uuid + "\r\n" + extra
                + "m=audio 4010 RTP/AVP 96\r\na=rtpmap:96 L16/48000/2\r\na=recvonly\r\n";
    }

    private String register(String to, String from, String contact, int expires, String body) {
        int n = ++cseq;
        StringBuilder sb = new StringBuilder("REGISTER sip:screamrouter.local SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKl" + n + "\n"
                + "Max-Forwards: 70\nTo: <" + to + ">\nFrom: <" + from + ">;tag=t" + n + "\n"
                + "Call-ID: lim-" + n + "\nCSeq: 1 REGISTER\nContact: " + contact + "\nExpires: " + expires + "\n");
        if (body != null) {
            return sb.append("Content-Type: application/sdp\nContent-Length: ").append(body.length()).append("\n\n").append(body).toString();
        }
        return sb.append("Content-Length: 0\n\n").toString();
    }

    private Response send(String raw, String ip) throws Exception {
        FakeExchange exchange = new FakeExchange(raw.replace("\r\n", "\n"), ip, 40000);
        registrar.handle(exchange);
        assertThat(exchange.responses).hasSize(1);
        return exchange.last();
    }

    // --- caps

    @Test
    void devicesFromOneAddressAreCappedWith403NamingTheLimit() throws Exception {
        start(Map.of("max_devices_per_source", 3));
        for (int i = 0; i < 3; i++) {
            assertThat(send(device(uuid(i), "127.0.0.20", 300), "127.0.0.20").getStatusCode()).isEqualTo(200);
        }
        h.events.clear();
        Response r = send(device(uuid(3), "127.0.0.20", 300), "127.0.0.20");
        assertThat(r.getStatusCode()).isEqualTo(403);
        assertThat(r.getReasonPhrase()).isEqualTo("Forbidden (device limit per address reached: 3, max.devices.per.source)");
        assertThat(registrar.device(uuid(3))).isEmpty();
        assertThat(registrar.bindings()).hasSize(3);
        assertThat(h.topics()).isEmpty();
        assertThat(send(device(uuid(0), "127.0.0.20", 300), "127.0.0.20").getStatusCode()).as("a known device refreshes").isEqualTo(200);
        assertThat(send(device(uuid(3), "127.0.0.21", 300), "127.0.0.21").getStatusCode()).as("from another address").isEqualTo(200);
    }

    @Test
    void thePerAddressDeviceCountSurvivesARestartAndFreesAPlaceWhenADeviceIsForgotten() throws Exception {
        Map<String, Object> cfg = Map.of("max_devices_per_source", 2, "device_expiry", 3600);
        start(cfg);
        assertThat(send(device(uuid(10), "127.0.0.22", 300), "127.0.0.22").getStatusCode()).isEqualTo(200);
        assertThat(send(device(uuid(11), "127.0.0.22", 7200), "127.0.0.22").getStatusCode()).isEqualTo(200);
        assertThat(send(device(uuid(12), "127.0.0.23", 300), "127.0.0.23").getStatusCode()).as("another address").isEqualTo(200);

        registrar.deactivate();
        start(cfg);
        assertThat(send(device(uuid(13), "127.0.0.22", 300), "127.0.0.22").getStatusCode())
                .as("the two devices restored from the store still count").isEqualTo(403);

        assertThat(send(device(uuid(10), "127.0.0.22", 0), "127.0.0.22").getStatusCode()).as("unregisters").isEqualTo(200);
        assertThat(send(device(uuid(13), "127.0.0.22", 300), "127.0.0.22").getStatusCode())
                .as("an offline device still counts until it is forgotten").isEqualTo(403);
        h.clock.advance(Duration.ofSeconds(3700));
        registrar.tickForTest();
        assertThat(registrar.device(uuid(10))).as("forgotten").isEmpty();
        assertThat(send(device(uuid(13), "127.0.0.22", 300), "127.0.0.22").getStatusCode()).as("its place is free").isEqualTo(200);
        assertThat(send(device(uuid(14), "127.0.0.22", 300), "127.0.0.22").getStatusCode()).as("and only its place").isEqualTo(403);
    }

    @Test
    void devicesInAllAreCappedWith503AndRetryAfter() throws Exception {
        start(Map.of("max_devices", 3));
        for (int i = 0; i < 3; i++) {
            assertThat(send(device(uuid(i), "127.0.1." + i, 300), "127.0.1." + i).getStatusCode()).isEqualTo(200);
        }
        Response r = send(device(uuid(3), "127.0.1.3", 300), "127.0.1.3");
        assertThat(r.getStatusCode()).isEqualTo(503);
        assertThat(r.getReasonPhrase()).isEqualTo("Service Unavailable (device limit reached: 3, max.devices)");
        assertThat(r.getHeader(RetryAfterHeader.NAME)).isNotNull();
        assertThat(registrar.devices()).hasSize(3);
    }

    @Test
    void bindingsFromOneAddressAreCappedWith403() throws Exception {
        start(Map.of("max_bindings_per_source", 2));
        for (String user : new String[] {"alice", "bob"}) {
            assertThat(send(register("sip:" + user + "@screamrouter.local", "sip:" + user + "@screamrouter.local",
                    "<sip:" + user + "@127.0.0.30:5060>", 300, null), "127.0.0.30").getStatusCode()).isEqualTo(200);
        }
        Response r = send(register("sip:carol@screamrouter.local", "sip:carol@screamrouter.local", "<sip:carol@127.0.0.30:5060>", 300, null),
                "127.0.0.30");
        assertThat(r.getStatusCode()).isEqualTo(403);
        assertThat(r.getReasonPhrase()).isEqualTo("Forbidden (binding limit per address reached: 2, max.bindings.per.source)");
        assertThat(registrar.bindings()).hasSize(2);
        // removing one frees its place
        assertThat(send(register("sip:bob@screamrouter.local", "sip:bob@screamrouter.local", "<sip:bob@127.0.0.30:5060>", 0, null),
                "127.0.0.30").getStatusCode()).isEqualTo(200);
        assertThat(send(register("sip:carol@screamrouter.local", "sip:carol@screamrouter.local", "<sip:carol@127.0.0.30:5060>", 300, null),
                "127.0.0.30").getStatusCode()).isEqualTo(200);
    }

    // --- expiry of devices

    @Test
    void anOfflineDeviceWithoutABindingIsForgottenAfterTheDeviceExpiryAndItsRemovalPosted() throws Exception {
        start(Map.of("device_expiry", 3600));
        assertThat(send(device(uuid(1), "127.0.0.40", 300), "127.0.0.40").getStatusCode()).isEqualTo(200);
        assertThat(send(device(uuid(2), "127.0.0.41", 7200), "127.0.0.41").getStatusCode()).isEqualTo(200);
        assertThat(send(device(uuid(1), "127.0.0.40", 0), "127.0.0.40").getStatusCode()).as("unregisters").isEqualTo(200);
        h.events.clear();

        h.clock.advance(Duration.ofSeconds(3000));
        registrar.tickForTest();
        assertThat(registrar.device(uuid(1))).as("offline, not yet expired").isPresent();

        h.clock.advance(Duration.ofSeconds(700));
        // the keep-alive would take device 2 offline for silence: it still has its binding (7200 s) and stays known
        registrar.tickForTest();
        assertThat(registrar.device(uuid(1))).isEmpty();
        assertThat(registrar.device(uuid(2))).isPresent();
        assertThat(h.topics()).contains("REMOVED");

        // gone from the store too
        registrar.deactivate();
        start(Map.of("device_expiry", 3600));
        assertThat(registrar.device(uuid(1))).isEmpty();
        assertThat(registrar.device(uuid(2))).isPresent();
    }

    // --- lengths at intake

    @Test
    void aDeviceUuidLongerThanTheLimitGets400NamingIt() throws Exception {
        start(Map.of());
        String longUuid = "u".repeat(65);
        Response r = send(register("sip:screamrouter@screamrouter.local", "sip:" + longUuid + "@127.0.0.50",
                "<sip:dev@127.0.0.50:5999>", 300, null), "127.0.0.50");
        assertThat(r.getStatusCode()).isEqualTo(400);
        assertThat(r.getReasonPhrase()).isEqualTo("Bad Request (device UUID longer than 64 characters)");
        assertThat(registrar.devices()).isEmpty();
        assertThat(registrar.bindings()).isEmpty();
    }

    @Test
    void aContactLongerThanTheLimitGets400NamingIt() throws Exception {
        start(Map.of());
        Response r = send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local",
                "<sip:alice@127.0.0.51:5060;x=" + "a".repeat(600) + ">", 300, null), "127.0.0.51");
        assertThat(r.getStatusCode()).isEqualTo(400);
        assertThat(r.getReasonPhrase()).isEqualTo("Bad Request (Contact longer than 512 characters)");
        assertThat(registrar.bindings()).isEmpty();
    }

    @Test
    void anSdpBodyLargerThanTheLimitGets413NamingIt() throws Exception {
        start(Map.of());
        String padding = "a=x-padding:" + "p".repeat(100) + "\r\n";
        String body = sdp(uuid(7), "127.0.0.52", padding.repeat(90));
        assertThat(body.length()).isGreaterThan(8192);
        Response r = send(register("sip:screamrouter@screamrouter.local", "sip:" + uuid(7) + "@127.0.0.52",
                "<sip:" + uuid(7) + "@127.0.0.52:5999>", 300, body), "127.0.0.52");
        assertThat(r.getStatusCode()).isEqualTo(413);
        assertThat(r.getReasonPhrase()).isEqualTo("Request Entity Too Large (SDP body longer than 8192 bytes)");
        assertThat(registrar.devices()).isEmpty();
    }
}
