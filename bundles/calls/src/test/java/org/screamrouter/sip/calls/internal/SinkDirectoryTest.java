package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.config.SinkEntry;
import org.screamrouter.sip.registrar.Device;

class SinkDirectoryTest {
    private static final List<SinkEntry> SINKS = List.of(
            Map.<String, Object>of("name", "Kitchen", "enabled", true, "config_id", "11111111-aaaa"),
            Map.<String, Object>of("name", "office", "enabled", false),
            Map.<String, Object>of("name", "sink_5f7c1a2e", "uuid", "5f7c1a2e-9b7d", "enabled", true)).stream().map(SinkEntry::of).toList();

    private static Device device(String uuid, boolean online) {
        return new Device(uuid, "sip:" + uuid + "@screamrouter.local", "sip:" + uuid + "@127.0.0.1:5999", "udp",
                new InetSocketAddress("127.0.0.1", 5999), null, null, online, Instant.now(), Instant.now(), Instant.now());
    }

    @Test
    void sinksAreFoundByNameUuidOrConfigId() {
        assertThat(SinkDirectory.find("Kitchen", SINKS, List.of())).contains(new Sink("Kitchen", "11111111-aaaa", true));
        assertThat(SinkDirectory.find("kitchen", SINKS, List.of())).map(Sink::id).contains("Kitchen");
        assertThat(SinkDirectory.find("5F7C1A2E-9b7d", SINKS, List.of())).map(Sink::id).contains("sink_5f7c1a2e");
        assertThat(SinkDirectory.find("11111111-aaaa", SINKS, List.of())).map(Sink::id).contains("Kitchen");
    }

    @Test
    void aDisabledSinkIsFoundDisabledAndAnUnknownOneNotAtAll() {
        assertThat(SinkDirectory.find("office", SINKS, List.of())).map(Sink::enabled).contains(false);
        assertThat(SinkDirectory.find("garage", SINKS, List.of())).isEmpty();
        assertThat(SinkDirectory.find("", SINKS, List.of())).isEmpty();
        assertThat(SinkDirectory.find(null, SINKS, List.of())).isEmpty();
    }

    @Test
    void aRegisteredDeviceNotYetInConfigYamlIsCallableWhileOnline() {
        assertThat(SinkDirectory.find("abcdef12-3456", List.of(), List.of(device("abcdef12-3456", true))))
                .contains(new Sink("sink_abcdef12", "abcdef12-3456", true));
        assertThat(SinkDirectory.find("abcdef12-3456", List.of(), List.of(device("abcdef12-3456", false))))
                .map(Sink::enabled).contains(false);
    }

    @Test
    void userPartEscapesAreDecoded() {
        assertThat(SinkDirectory.unescape("living%20room")).isEqualTo("living room");
        assertThat(SinkDirectory.unescape("100%")).isEqualTo("100%");
        assertThat(SinkDirectory.unescape("plain")).isEqualTo("plain");
    }
}
