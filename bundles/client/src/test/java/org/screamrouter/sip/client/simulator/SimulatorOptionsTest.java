package org.screamrouter.sip.client.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.sdp.DeviceCapabilities;
import org.screamrouter.sip.sdp.DeviceRole;
import org.screamrouter.sip.sdp.SdpParser;

class SimulatorOptionsTest {
    @Test
    void defaultsAndServer() {
        SimulatorOptions o = SimulatorOptions.parse("--server", "127.0.0.1:25060", "--count", "120");
        assertThat(o.server().toString()).isEqualTo("udp:127.0.0.1:25060");
        assertThat(o.sockets()).isEqualTo(50);
        assertThat(o.role()).isEqualTo("sink");
        assertThat(SimulatorOptions.parse("--server", "[::1]:5070", "--transport", "tcp").server().toString())
                .isEqualTo("tcp:0:0:0:0:0:0:0:1:5070");
        assertThat(SimulatorOptions.parse("--discover").discoverInterface()).isEqualTo("127.0.0.1");
    }

    @Test
    void tlsWithAPinnedFingerprint() {
        String pin = "AB:".repeat(31) + "AB";
        SimulatorOptions o = SimulatorOptions.parse("--server", "127.0.0.1:5061", "--transport", "tls", "--tls-fingerprint", pin);
        assertThat(o.server().toString()).isEqualTo("tls:127.0.0.1:5061");
        assertThat(o.tlsFingerprint()).isEqualTo(pin);
        assertThatThrownBy(() -> SimulatorOptions.parse("--server", "127.0.0.1:5061", "--transport", "tls", "--tls-fingerprint", "abc"))
                .hasMessageContaining("--tls-fingerprint is a SHA-256 fingerprint");
        assertThatThrownBy(() -> SimulatorOptions.parse("--server", "127.0.0.1:5060", "--tls-fingerprint", pin))
                .hasMessageContaining("--tls-fingerprint needs --transport tls");
        assertThatThrownBy(() -> SimulatorOptions.parse("--discover", "--transport", "tls")).hasMessageContaining("--discover");
    }

    @Test
    void faultsNameTheOption() {
        assertThatThrownBy(() -> SimulatorOptions.parse("--server", "router.local:5060"))
                .hasMessageContaining("--server").hasMessageContaining("host name");
        assertThatThrownBy(() -> SimulatorOptions.parse("--server", "127.0.0.1")).hasMessageContaining("ADDR:PORT");
        assertThatThrownBy(() -> SimulatorOptions.parse("--server", "127.0.0.1:5060", "--count", "0")).hasMessageContaining("--count must be 1..");
        assertThatThrownBy(() -> SimulatorOptions.parse("--server", "127.0.0.1:5060", "--role", "speaker")).hasMessageContaining("--role is one of sink, source");
        assertThatThrownBy(() -> SimulatorOptions.parse("--server", "127.0.0.1:5060", "--count")).hasMessageContaining("--count needs a value");
        assertThatThrownBy(() -> SimulatorOptions.parse("--count", "3")).hasMessageContaining("--server ADDR:PORT or --discover");
        assertThatThrownBy(() -> SimulatorOptions.parse("--server", "127.0.0.1:5060", "--frobnicate")).hasMessageContaining("unknown option --frobnicate");
        assertThatThrownBy(() -> SimulatorOptions.parse("--server", "127.0.0.1:5060", "--user", "a")).hasMessageContaining("--password");
    }

    @Test
    void badOptionsExitWith2AndSayWhy() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DeviceSimulator.run(new String[] {"--server", "example.com:5060"}, new PrintStream(out), new PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("screamrouter-sim: --server").contains("example.com");
        assertThat(DeviceSimulator.run(new String[] {"--help"}, new PrintStream(out), new PrintStream(err))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--discover");
    }

    @Test
    void theSdpSaysWhatTheRegistrarReads() throws Exception {
        for (String role : List.of("sink", "source")) {
            for (String codec : List.of("l16", "opus")) {
                SimulatorOptions o = SimulatorOptions.parse("--server", "127.0.0.1:5060", "--count", "3", "--role", role,
                        "--codec", codec, "--uuid-prefix", "t", "--rtp-port", "41000");
                DeviceProfile d = DeviceProfile.of(o, 2);
                DeviceCapabilities caps = DeviceCapabilities.from(SdpParser.parse(d.sdp()));
                assertThat(caps.uuid()).isEqualTo(d.uuid());
                assertThat(caps.role()).isEqualTo(role.equals("sink") ? DeviceRole.SINK : DeviceRole.SOURCE);
                assertThat(caps.rtpPort()).isEqualTo(41004);
                assertThat(caps.audioFormats()).singleElement().satisfies(f -> {
                    assertThat(f.codec()).isEqualToIgnoringCase(codec.equals("l16") ? "L16" : "opus");
                    assertThat(f.clockRate()).isEqualTo(48000);
                    assertThat(f.channels()).isEqualTo(2);
                });
            }
        }
        // stable, distinct UUIDs per prefix and index
        SimulatorOptions o = SimulatorOptions.parse("--server", "127.0.0.1:5060", "--count", "2");
        assertThat(DeviceProfile.of(o, 0).uuid()).isEqualTo(DeviceProfile.of(o, 0).uuid()).isNotEqualTo(DeviceProfile.of(o, 1).uuid());
    }
}
