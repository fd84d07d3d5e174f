package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.sdp.DeviceRole;
import org.screamrouter.sip.testsupport.FakeExchange;

/**
 * The SDP body a device registered lives in the store's own map, written when the device's capabilities change, and
 * not in the registrar's memory nor in the device record each refresh rewrites (issue 15, heap per device). What the
 * body is kept for: giving the device its capabilities back after a restart.
 */
class StoredSdpTest {
    private static final String UUID = "5f7c1a2e-0000-4000-8000-0000000000aa";

    @TempDir
    Path dir;
    private final TestHarness h = new TestHarness();
    private RegistrarComponent registrar;

    @BeforeEach
    void start() {
        registrar = h.start(store(), Map.of());
    }

    @AfterEach
    void stop() {
        if (registrar != null) registrar.deactivate();
    }

    private Path store() {
        return dir.resolve("registrar.mv");
    }

    private static String sdp(String role, int port) {
        return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "a=x-screamrouter-role:" + role + "\r\na=x-screamrouter-uuid:" + UUID + "\r\n"
                + "m=audio " + port + " RTP/AVP 96\r\na=rtpmap:96 L16/48000/2\r\n";
    }

    private int register(int cseq, String body) throws Exception {
        return register(cseq, body, 300);
    }

    private int register(int cseq, String body, int expires) throws Exception {
        String raw = "REGISTER sip:screamrouter.local SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKs" + cseq + "\nMax-Forwards: 70\n"
                + "To: <sip:" + UUID + "@127.0.0.1>\nFrom: <sip:" + UUID + "@127.0.0.1>;tag=t\nCall-ID: stored-sdp\n"
                + "CSeq: " + cseq + " REGISTER\nContact: <sip:" + UUID + "@127.0.0.1:5999>\nExpires: " + expires + "\n"
                + (body == null ? "Content-Length: 0\n\n"
                        : "Content-Type: application/sdp\nContent-Length: " + body.length() + "\n\n" + body);
        FakeExchange exchange = new FakeExchange(raw.replace("\r\n", "\n"), "127.0.0.1", 40000);
        registrar.handle(exchange);
        return exchange.last().getStatusCode();
    }

    private void restart() {
        registrar.deactivate();
        registrar = h.start(store(), Map.of());
    }

    @Test
    void theLastSdpThatChangedTheCapabilitiesComesBackAfterARestartAndTheDeviceRecordDoesNotCarryIt() throws Exception {
        assertThat(register(1, sdp("sink", 4010))).isEqualTo(200);
        assertThat(register(2, sdp("sink", 4010))).isEqualTo(200); // a refresh with the same body
        assertThat(register(3, sdp("source", 4020))).isEqualTo(200); // new capabilities
        assertThat(register(4, null)).isEqualTo(200); // a refresh without a body keeps them
        registrar.deactivate();
        registrar = null;

        try (Opened file = new Opened(store())) {
            byte[] record = file.map("devices").get(UUID);
            assertThat(new String(record, StandardCharsets.ISO_8859_1)).as("the device record").doesNotContain("m=audio");
            assertThat(new String(file.map("sdp").get(UUID), StandardCharsets.UTF_8)).isEqualTo(sdp("source", 4020));
        }
        registrar = h.start(store(), Map.of());
        assertThat(registrar.device(UUID).orElseThrow().role()).isEqualTo(DeviceRole.SOURCE);
        assertThat(registrar.device(UUID).orElseThrow().capabilities().rtpPort()).isEqualTo(4020);
    }

    @Test
    void aRefreshWithTheSameBodyKeepsTheCapabilitiesItHasAndAnotherBodyIsParsedAgainAlsoAfterARestart() throws Exception {
        assertThat(register(1, sdp("sink", 4010))).isEqualTo(200);
        var first = registrar.device(UUID).orElseThrow().capabilities();
        assertThat(register(2, sdp("sink", 4010))).isEqualTo(200);
        assertThat(registrar.device(UUID).orElseThrow().capabilities()).as("the same body: not parsed again").isSameAs(first);
        assertThat(register(3, sdp("sink", 4011))).isEqualTo(200);
        assertThat(registrar.device(UUID).orElseThrow().capabilities().rtpPort()).as("another body: parsed").isEqualTo(4011);
        restart();
        var restored = registrar.device(UUID).orElseThrow().capabilities();
        assertThat(register(4, sdp("sink", 4011))).isEqualTo(200);
        assertThat(registrar.device(UUID).orElseThrow().capabilities()).as("the body the store gave back").isSameAs(restored);
        assertThat(register(5, sdp("source", 4011))).isEqualTo(200);
        assertThat(registrar.device(UUID).orElseThrow().role()).isEqualTo(DeviceRole.SOURCE);
        assertThat(register(6, null)).isEqualTo(200);
        assertThat(register(7, sdp("sink", 4011))).as("back to the earlier body after one without").isEqualTo(200);
        assertThat(registrar.device(UUID).orElseThrow().role()).isEqualTo(DeviceRole.SINK);
    }

    @Test
    void aForgottenDeviceTakesItsSdpWithIt() throws Exception {
        registrar.deactivate();
        registrar = h.start(store(), Map.of("device_expiry", 3600));
        assertThat(register(1, sdp("sink", 4010), 300)).isEqualTo(200);
        assertThat(register(2, null, 0)).as("unregisters").isEqualTo(200);
        h.clock.advance(Duration.ofSeconds(3700));
        registrar.tickForTest();
        assertThat(registrar.device(UUID)).as("forgotten").isEmpty();
        registrar.deactivate();
        registrar = null;
        try (Opened file = new Opened(store())) {
            assertThat(file.map("devices").get(UUID)).isNull();
            assertThat(file.map("sdp").get(UUID)).isNull();
        }
    }

    @Test
    void aRecordWithItsSdpInlineAsEarlierVersionsWroteItKeepsItsCapabilitiesThroughARefreshAndARestart() throws Exception {
        registrar.deactivate();
        registrar = null;
        Instant now = h.clock.instant();
        try (Opened file = new Opened(store())) {
            file.map("devices").put(UUID, earlierRecord(sdp("sink", 4030), now));
        }
        registrar = h.start(store(), Map.of());
        assertThat(registrar.device(UUID).orElseThrow().capabilities().rtpPort()).isEqualTo(4030);
        // the refresh writes the record again, without the body: the body must have gone to its own map
        assertThat(register(2, null)).isEqualTo(200);
        restart();
        assertThat(registrar.device(UUID).orElseThrow().capabilities().rtpPort()).isEqualTo(4030);
        assertThat(registrar.device(UUID).orElseThrow().role()).isEqualTo(DeviceRole.SINK);
    }

    /** A device record of format 1 as the versions before the SDP map wrote it: the body inline after the source. */
    private static byte[] earlierRecord(String body, Instant now) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeUTF(UUID);
            for (String s : new String[] {"sip:" + UUID + "@127.0.0.1", "sip:" + UUID + "@127.0.0.1:5999", "udp"}) {
                out.writeBoolean(true);
                out.writeUTF(s);
            }
            out.writeByte(4);
            out.write(new byte[] {127, 0, 0, 1});
            out.writeShort(40000);
            byte[] sdp = body.getBytes(StandardCharsets.UTF_8);
            out.writeInt(sdp.length);
            out.write(sdp);
            out.writeBoolean(false); // no User-Agent
            out.writeBoolean(false); // offline
            out.writeLong(now.toEpochMilli());
            out.writeLong(now.toEpochMilli());
            out.writeLong(now.toEpochMilli());
            out.writeBoolean(true);
            out.writeUTF("sip:" + UUID + "@127.0.0.1");
            out.writeBoolean(false);
        }
        return bytes.toByteArray();
    }

    /** The registrar's store file, opened by the test while no registrar has it. */
    private record Opened(MVStore store) implements AutoCloseable {
        Opened(Path file) {
            this(new MVStore.Builder().fileName(file.toString()).open());
        }

        MVMap<String, byte[]> map(String name) {
            return store.openMap(name);
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
