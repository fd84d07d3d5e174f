package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.config.ConfigFileStatus;
import org.screamrouter.sip.config.ConfigurationManager;
import org.screamrouter.sip.config.SinkEntry;
import org.screamrouter.sip.registrar.Device;

class SinkDirectoryTest {
    /** config.yaml's sinks, found by the interface's own rule ({@link ConfigurationManager#sinkEntry}'s default). */
    private static final ConfigurationManager CONFIG = new ConfigurationManager() {
        @Override public void handleSipRegistration(Device device) { }
        @Override public void handleSipDeviceOffline(String uuid) { }
        @Override public Optional<Map<String, Object>> getSipConfigForDevice(String uuid) { return Optional.empty(); }
        @Override public List<Map<String, Object>> sinks() {
            return List.of(Map.of("name", "Kitchen", "enabled", true, "config_id", "11111111-aaaa"),
                    Map.of("name", "office", "enabled", false),
                    Map.of("name", "sink_5f7c1a2e", "uuid", "5f7c1a2e-9b7d", "enabled", true));
        }
        @Override public ConfigFileStatus status() { throw new UnsupportedOperationException(); }
    };
    private static final Function<String, Optional<SinkEntry>> SINKS = CONFIG::sinkEntry;
    private static final Function<String, Optional<Device>> NO_DEVICES = uuid -> Optional.empty();

    private static Function<String, Optional<Device>> registered(Device d) {
        return uuid -> d.uuid().equals(uuid) ? Optional.of(d) : Optional.empty();
    }

    private static Device device(String uuid, boolean online) {
        return new Device(uuid, "sip:" + uuid + "@screamrouter.local", "sip:" + uuid + "@127.0.0.1:5999", "udp",
                new InetSocketAddress("127.0.0.1", 5999), null, null, online, Instant.now(), Instant.now(), Instant.now());
    }

    @Test
    void sinksAreFoundByNameUuidOrConfigId() {
        assertThat(SinkDirectory.find("Kitchen", SINKS, NO_DEVICES)).contains(new Sink("Kitchen", "11111111-aaaa", true));
        assertThat(SinkDirectory.find("kitchen", SINKS, NO_DEVICES)).map(Sink::id).contains("Kitchen");
        assertThat(SinkDirectory.find("5F7C1A2E-9b7d", SINKS, NO_DEVICES)).map(Sink::id).contains("sink_5f7c1a2e");
        assertThat(SinkDirectory.find("11111111-aaaa", SINKS, NO_DEVICES)).map(Sink::id).contains("Kitchen");
    }

    @Test
    void aDisabledSinkIsFoundDisabledAndAnUnknownOneNotAtAll() {
        assertThat(SinkDirectory.find("office", SINKS, NO_DEVICES)).map(Sink::enabled).contains(false);
        assertThat(SinkDirectory.find("garage", SINKS, NO_DEVICES)).isEmpty();
        assertThat(SinkDirectory.find("", SINKS, NO_DEVICES)).isEmpty();
        assertThat(SinkDirectory.find(null, SINKS, NO_DEVICES)).isEmpty();
    }

    @Test
    void aRegisteredDeviceNotYetInConfigYamlIsCallableWhileOnline() {
        assertThat(SinkDirectory.find("abcdef12-3456", t -> Optional.empty(), registered(device("abcdef12-3456", true))))
                .contains(new Sink("sink_abcdef12", "abcdef12-3456", true));
        assertThat(SinkDirectory.find("ABCDEF12-3456", t -> Optional.empty(), registered(device("abcdef12-3456", false))))
                .map(Sink::enabled).contains(false);
    }

    @Test
    void userPartEscapesAreDecoded() {
        assertThat(SinkDirectory.unescape("living%20room")).isEqualTo("living room");
        assertThat(SinkDirectory.unescape("100%")).isEqualTo("100%");
        assertThat(SinkDirectory.unescape("plain")).isEqualTo("plain");
    }
}
