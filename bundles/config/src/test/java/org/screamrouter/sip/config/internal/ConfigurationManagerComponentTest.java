package org.screamrouter.sip.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.screamrouter.sip.config.internal.Fixtures.SINK_UUID;
import static org.screamrouter.sip.config.internal.Fixtures.SOURCE_UUID;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZoneId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.event.Event;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceEvents;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.registrar.PingResult;

/** The component without a framework: real files in a temp directory, real Events, a writer that counts. */
class ConfigurationManagerComponentTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Path file;
    private final CountingWriter writer = new CountingWriter();
    private final ConfigurationManagerComponent manager = new ConfigurationManagerComponent();

    /** Counts and records every write; the real atomic writer does the writing. */
    static final class CountingWriter implements ConfigFileWriter {
        final BlockingQueue<String> written = new LinkedBlockingQueue<>();
        private final AtomicFileWriter delegate = new AtomicFileWriter();

        @Override
        public void write(Path target, String content) throws IOException {
            delegate.write(target, content);
            written.add(content);
        }

        String next() throws InterruptedException {
            String content = written.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(content).as("a write within " + DEADLINE).isNotNull();
            return content;
        }

        /**
         * The first write, within {@link #DEADLINE}, whose content satisfies {@code done}: changes sent back to back
         * may land in two writes when the test thread is descheduled longer than the write delay.
         */
        String until(java.util.function.Predicate<String> done) throws InterruptedException {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (true) {
                String content = written.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(content).as("a write within " + DEADLINE + " that has every change").isNotNull();
                if (done.test(content)) return content;
            }
        }
    }

    private void start(Duration writeDelay) {
        file = dir.resolve("screamrouter").resolve("config.yaml");
        manager.start(file, writeDelay, Duration.ofMillis(50), writer, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        manager.deactivate();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> section(String name) throws IOException {
        return (List<Map<String, Object>>) Fixtures.load(Files.readString(file)).get(name);
    }

    @Test
    void eventsForASinkAndASourceProduceTheirEntries() throws Exception {
        start(Duration.ofMillis(20));
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(SINK_UUID, 5004)));
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.source(SOURCE_UUID)));
        manager.flush().get(10, TimeUnit.SECONDS);

        assertThat(section("sinks")).singleElement().satisfies(s -> assertThat(s).containsEntry("name", "sink_5f7c1a2e")
                .containsEntry("port", 5004).containsEntry("ip", "192.168.1.51").containsEntry("enabled", true)
                .doesNotContainKeys("uuid", "protocol_type", "sip_contact_uri")); // keys pydantic would drop
        assertThat(section("sources")).singleElement().satisfies(s -> assertThat(s).containsEntry("name", "source_c0ffee11")
                .containsEntry("ip", "10.0.0.8"));
        assertThat(manager.getSipConfigForDevice(SINK_UUID)).get().satisfies(m -> assertThat(m).containsEntry("uuid", SINK_UUID)
                .containsEntry("config_id", section("sinks").get(0).get("config_id")));
        assertThat(manager.getSipConfigForDevice("no-such-device")).isEmpty();
        assertThat(manager.status().sipEntries()).isEqualTo(2);
        assertThat(manager.status().path()).isEqualTo(file);
    }

    @Test
    void eventsWithinTheWindowGiveOneWrite() throws Exception {
        List<String> uuids = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String uuid = String.format("%08x-0000-4000-8000-000000000000", i);
            uuids.add(uuid);
            events.add(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(uuid, 5000 + i)));
            events.add(Fixtures.event(DeviceEvents.UPDATED, Fixtures.sink(uuid, 6000 + i)));
        }
        events.add(Fixtures.offlineEvent(uuids.get(0)));
        start(Duration.ofMillis(1000));
        events.forEach(manager::handleEvent);

        String written = writer.next();
        manager.flush().get(10, TimeUnit.SECONDS); // runs a write now: nothing may be left for it
        assertThat(writer.written).isEmpty();
        assertThat(manager.status().writes()).isEqualTo(1);
        assertThat(written).isEqualTo(Files.readString(file));
        assertThat(section("sinks")).hasSize(20).allSatisfy(s -> assertThat((Integer) s.get("port")).isGreaterThanOrEqualTo(6000));
        assertThat(section("sinks")).extracting(s -> s.get("name"))
                .containsExactlyElementsOf(uuids.stream().map(u -> "sink_" + u.substring(0, 8)).toList()); // in event order
        assertThat(section("sinks").get(0)).containsEntry("enabled", false);
    }

    @Test
    void anUpdateWithoutOwnedChangesWritesNothing() throws Exception {
        start(Duration.ofMillis(20));
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(SINK_UUID, 5004)));
        writer.next();
        String before = Files.readString(file);

        Device keptAlive = Fixtures.device(SINK_UUID, Fixtures.sinkSdp(SINK_UUID, 5004), "192.168.1.51", true,
                Fixtures.T0.plusSeconds(600));
        manager.handleEvent(Fixtures.event(DeviceEvents.UPDATED, keptAlive));
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, keptAlive));
        manager.flush().get(10, TimeUnit.SECONDS);

        assertThat(writer.written).isEmpty();
        assertThat(manager.status().writes()).isEqualTo(1);
        assertThat(manager.status().pendingDevices()).isZero();
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void offlineDisablesAndOnlineAgainEnablesThroughEvents() throws Exception {
        start(Duration.ofMillis(20));
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(SINK_UUID, 5004)));
        writer.next();
        Map<String, Object> online = section("sinks").get(0);

        manager.handleEvent(Fixtures.offlineEvent(SINK_UUID));
        writer.next();
        Map<String, Object> offline = section("sinks").get(0);
        assertThat(offline).containsEntry("enabled", false);
        offline.put("enabled", true);
        assertThat(offline).isEqualTo(online);

        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(SINK_UUID, 5004)));
        writer.next();
        assertThat(section("sinks").get(0)).isEqualTo(online);
    }

    @Test
    void aDeviceTheRegistrarForgotLeavesTheFileAndTheIdMap() throws Exception {
        // issue 13 item 4: the registrar forgets an offline device without a binding after device.expiry; its entry
        // must not stay in config.yaml for ever either
        start(Duration.ofMillis(20));
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(SINK_UUID, 5004)));
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.source(SOURCE_UUID)));
        writer.until(w -> w.contains("sink_5f7c1a2e") && w.contains("source_c0ffee11"));
        manager.handleEvent(Fixtures.offlineEvent(SINK_UUID));
        manager.handleEvent(Fixtures.event(DeviceEvents.REMOVED, Fixtures.device(SINK_UUID, Fixtures.sinkSdp(SINK_UUID, 5004),
                "192.168.1.51", false)));
        manager.flush().get(10, TimeUnit.SECONDS);

        assertThat(Files.readString(file)).doesNotContain("sink_5f7c1a2e");
        assertThat(section("sources")).singleElement().satisfies(s -> assertThat(s).containsEntry("name", "source_c0ffee11"));
        assertThat(manager.getSipConfigForDevice(SINK_UUID)).isEmpty();
        assertThat(manager.status().sipEntries()).isEqualTo(1);
        assertThat(manager.status().pendingDevices()).isZero();
        assertThat(Files.readString(DeviceIds.beside(file))).doesNotContain(SINK_UUID).contains(SOURCE_UUID);
    }

    @Test
    void foreignEntriesOfAScreamRouterFileSurviveDeviceWrites() throws Exception {
        file = dir.resolve("screamrouter").resolve("config.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, Fixtures.SCREAMROUTER_YAML);
        Map<String, Object> before = Fixtures.load(Fixtures.SCREAMROUTER_YAML);
        start(Duration.ofMillis(200));

        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(SINK_UUID, 5004)));
        writer.next();
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.source(SOURCE_UUID)));
        manager.handleEvent(Fixtures.offlineEvent("aaaa0000-1111-2222-3333-444455556666"));
        writer.until(y -> y.contains("source_c0ffee11") && Fixtures.load(y).get("sinks") instanceof List<?> sinks
                && sinks.stream().anyMatch(e -> e instanceof Map<?, ?> m && "Porch speaker".equals(m.get("name")) && Boolean.FALSE.equals(m.get("enabled"))));

        manager.flush().get(10, TimeUnit.SECONDS); // the write task ends after the file is written: wait for it
        Map<String, Object> after = Fixtures.load(Files.readString(file));
        assertThat(Fixtures.foreignParts(after, List.of(configId(after, "sinks", "sink_5f7c1a2e"), configId(after, "sources", "source_c0ffee11"),
                configId(after, "sinks", "Porch speaker"))))
                .isEqualTo(Fixtures.foreignParts(before, List.of()));
        assertThat(manager.getSipConfigForDevice("aaaa0000-1111-2222-3333-444455556666")).get()
                .satisfies(m -> assertThat(m).containsEntry("enabled", false).containsEntry("name", "Porch speaker").containsEntry("volume", 0.4));
    }

    @Test
    void anUnparseableFileIsNeverOverwrittenAndThePendingChangeFollowsTheFix() throws Exception {
        file = dir.resolve("screamrouter").resolve("config.yaml");
        Files.createDirectories(file.getParent());
        String broken = "sinks:\n- name: Kitchen\n  ip: 192.168.1.20: 4010\n";
        Files.writeString(file, broken);
        start(Duration.ofMillis(20));

        manager.handleSipRegistration(Fixtures.sink(SINK_UUID, 5004));
        manager.flush().get(10, TimeUnit.SECONDS);
        manager.flush().get(10, TimeUnit.SECONDS);

        assertThat(Files.readString(file)).isEqualTo(broken);
        assertThat(writer.written).isEmpty();
        assertThat(manager.status().healthy()).isFalse();
        assertThat(manager.status().error()).contains(file.toString()).contains("line 3, column 19");
        assertThat(manager.status().pendingDevices()).isEqualTo(1);

        Files.writeString(file, "sinks:\n- name: Kitchen\n  ip: 192.168.1.20\n  port: 4010\n"); // fixed by hand, in place
        writer.next();
        manager.flush().get(10, TimeUnit.SECONDS); // the write task also settles what it wrote: wait for it to end

        assertThat(section("sinks")).extracting(m -> m.get("name")).containsExactly("Kitchen", "sink_5f7c1a2e");
        assertThat(manager.status().healthy()).isTrue();
        assertThat(manager.status().pendingDevices()).isZero();
    }

    @Test
    void aFileSomeoneElseIsWritingIsNotMergedUntilItSettles() throws Exception {
        file = dir.resolve("screamrouter").resolve("config.yaml");
        Files.createDirectories(file.getParent());
        // the component's clock stands still while "ScreamRouter" writes, so a slow machine cannot make the
        // half-written file look settled; it moves on once the file is complete
        Instant[] now = {Instant.now()};
        Clock clock = new Clock() {
            @Override public ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(ZoneId zone) { return this; }
            @Override public Instant instant() { return now[0]; }
        };
        manager.start(file, Duration.ofMillis(1), Duration.ofMillis(50), writer, clock);
        // ScreamRouter has truncated the file and written the first half of it
        String complete = Fixtures.SCREAMROUTER_YAML;
        Files.writeString(file, complete.substring(0, complete.indexOf("sinks:")));
        now[0] = Files.getLastModifiedTime(file).toInstant();
        manager.handleSipRegistration(Fixtures.sink(SINK_UUID, 5004));
        manager.flush().get(10, TimeUnit.SECONDS);
        assertThat(writer.written).as("nothing written while the file is still changing").isEmpty();
        Files.writeString(file, complete); // and now the rest, within the settle time
        now[0] = Files.getLastModifiedTime(file).toInstant().plusSeconds(1);

        String written = writer.next();
        manager.flush().get(10, TimeUnit.SECONDS); // the write task ends after the file is written: wait for it
        Map<String, Object> after = Fixtures.load(written);
        assertThat(Fixtures.foreignParts(after, List.of(configId(after, "sinks", "sink_5f7c1a2e")))).isEqualTo(Fixtures.foreignParts(Fixtures.load(complete), List.of()));
        assertThat(manager.getSipConfigForDevice(SINK_UUID)).isPresent();
    }

    @Test
    void anExternalEditIsPickedUpWithoutRestartAndKeptOnTheNextDeviceWrite() throws Exception {
        start(Duration.ofMillis(20));
        manager.handleSipRegistration(Fixtures.sink(SINK_UUID, 5004));
        writer.next();

        // the user turns the volume down in ScreamRouter, which rewrites the file (not atomically)
        String edited = Files.readString(file).replace("  enabled: true\n", "  enabled: true\n  volume: 0.3\n");
        Files.writeString(file, edited);
        Fixtures.await("the edit to be read", DEADLINE, () -> manager.getSipConfigForDevice(SINK_UUID)
                .map(m -> Double.valueOf(0.3).equals(m.get("volume"))).orElse(false));

        manager.handleSipRegistration(Fixtures.sink(SINK_UUID, 6000));
        writer.next();
        assertThat(section("sinks")).singleElement()
                .satisfies(s -> assertThat(s).containsEntry("volume", 0.3).containsEntry("port", 6000));
    }

    @Test
    void writesAreCompleteAndLeaveNoTemporaryFiles() throws Exception {
        start(Duration.ofMillis(1));
        for (int i = 0; i < 30; i++) {
            manager.handleSipRegistration(Fixtures.sink(SINK_UUID, 7000 + i));
            manager.flush().get(10, TimeUnit.SECONDS);
        }
        assertThat(manager.status().writes()).isEqualTo(30);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactlyInAnyOrder(file, DeviceIds.beside(file)); // and the device-to-config_id map
        }
        assertThat(section("sinks")).singleElement().satisfies(s -> assertThat(s).containsEntry("port", 7029));
    }

    @Test
    void deactivationWritesWhatIsPending() throws Exception {
        start(Duration.ofHours(1));
        manager.handleSipRegistration(Fixtures.sink(SINK_UUID, 5004));
        assertThat(file).doesNotExist();
        manager.deactivate();
        assertThat(section("sinks")).singleElement().satisfies(s -> assertThat(s).containsEntry("name", "sink_5f7c1a2e"));
        manager.handleSipRegistration(Fixtures.source(SOURCE_UUID)); // after deactivation: ignored, nothing breaks
    }

    @Test
    void theRegistryIsMergedOnceWhenItArrivesWithoutOverridingNewerEvents() throws Exception {
        Device online = Fixtures.sink(SINK_UUID, 5004);
        Device offlineSource = Fixtures.device(SOURCE_UUID, Fixtures.sourceSdp(SOURCE_UUID), "10.0.0.8", false);
        Device noRole = Fixtures.device("0000bbbb-0000-0000-0000-000000000000", null, "10.0.0.9", true);
        start(Duration.ofHours(1));
        manager.handleSipDeviceOffline(SINK_UUID); // an event newer than the registry's view
        manager.setRegistry(new FakeRegistry(List.of(online, offlineSource, noRole)));
        manager.flush().get(10, TimeUnit.SECONDS); // queued after the sync the registry's arrival started
        assertThat(manager.status().writes()).isEqualTo(1);

        assertThat(section("sources")).singleElement().satisfies(s -> assertThat(s).containsEntry("enabled", false));
        assertThat(section("sinks")).as("a device without a role is not written").singleElement()
                .satisfies(s -> assertThat(s).containsEntry("name", "sink_5f7c1a2e").containsEntry("enabled", false).containsEntry("port", 5004));
        assertThat(manager.getSipConfigForDevice("0000bbbb-0000-0000-0000-000000000000")).isEmpty();
        assertThat(manager.status().sipEntries()).isEqualTo(2);
    }

    /** The config_id of the entry with this name, as written (the service's snapshot may lag the write by a moment). */
    @SuppressWarnings("unchecked")
    private static String configId(Map<String, Object> root, String section, String name) {
        return ((List<Map<String, Object>>) root.get(section)).stream().filter(m -> name.equals(m.get("name")))
                .map(m -> String.valueOf(m.get("config_id"))).findFirst().orElseThrow();
    }

    /** Only {@link #devices()} is used by the component. */
    private record FakeRegistry(List<Device> devices) implements DeviceRegistry {
        @Override public List<Binding> bindings() { return List.of(); }
        @Override public List<Binding> bindings(String addressOfRecord) { return List.of(); }
        @Override public Optional<Device> device(String uuid) { return devices.stream().filter(d -> d.uuid().equals(uuid)).findFirst(); }
        @Override public CompletionStage<PingResult> ping(String uuid) { throw new UnsupportedOperationException(); }
        @Override public boolean unregister(String uuid) { return false; }
    }
}
