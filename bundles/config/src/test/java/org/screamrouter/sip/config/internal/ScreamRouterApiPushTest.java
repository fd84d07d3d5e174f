package org.screamrouter.sip.config.internal;

import org.screamrouter.sip.http.Json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.screamrouter.sip.config.internal.Fixtures.SINK_UUID;
import static org.screamrouter.sip.config.internal.Fixtures.SOURCE_UUID;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.config.ScreamRouterApiStatus;
import org.screamrouter.sip.config.internal.ConfigurationManagerComponentTest.CountingWriter;
import org.screamrouter.sip.registrar.DeviceEvents;

/**
 * The component with {@code screamrouter.url} set, against {@link ScreamRouterApiStub}, a stand-in for ScreamRouter's
 * HTTP API that answers as ScreamRouter's code does (the real ScreamRouter cannot run here: its C++ audio engine is
 * not built, and pydantic v2 and FastAPI are not available). Every wait is for a condition, with a deadline.
 */
class ScreamRouterApiPushTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final int TRIES = 3;

    @TempDir
    Path dir;

    private Path file;
    private ScreamRouterApiStub stub;
    private final CountingWriter writer = new CountingWriter();
    private final ConfigurationManagerComponent manager = new ConfigurationManagerComponent();

    @BeforeEach
    void stubUp() throws IOException {
        stub = new ScreamRouterApiStub();
    }

    @AfterEach
    void stop() {
        manager.deactivate();
        stub.close();
    }

    private void start() {
        start(Duration.ofMillis(100));
    }

    private void start(Duration probeInterval) {
        file = dir.resolve("screamrouter").resolve("config.yaml");
        manager.start(file, Duration.ofMillis(20), Duration.ofMillis(50), writer, Clock.systemUTC(),
                new ConfigurationManagerComponent.ApiSettings(stub.url(), Duration.ofSeconds(2), TRIES,
                        Duration.ofMillis(20), probeInterval, null));
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        Fixtures.await(what, DEADLINE, condition);
    }

    private String configId(String uuid, String section) throws IOException {
        Path ids = DeviceIds.beside(file);
        for (String line : Files.readAllLines(ids)) {
            String[] p = line.split(" ");
            if (p.length == 3 && p[0].equalsIgnoreCase(uuid) && p[1].equals(section)) {
                return p[2];
            }
        }
        throw new AssertionError("no " + section + " mapping for " + uuid + " in " + ids);
    }

    private ScreamRouterApiStatus api() {
        return manager.status().api();
    }

    @Test
    void addUpdateEnableAndDisableOfSinksAndSourcesGoToTheApiAndNotToTheFile() throws Exception {
        start();
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(SINK_UUID, 5004)));
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.source(SOURCE_UUID)));
        await("both entries in ScreamRouter", () -> stub.list("sinks").size() == 1 && stub.list("sources").size() == 1);

        String sinkId = configId(SINK_UUID, "sinks");
        String sourceId = configId(SOURCE_UUID, "sources");
        assertThat(stub.changes()).extracting(ScreamRouterApiStub.Call::method, ScreamRouterApiStub.Call::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("POST", "/sinks"), org.assertj.core.groups.Tuple.tuple("POST", "/sources"));
        assertThat(stub.changes().get(0).body()).containsEntry("name", "sink_5f7c1a2e").containsEntry("ip", "192.168.1.51")
                .containsEntry("port", 5004L).containsEntry("protocol", "rtp").containsEntry("sample_rate", 48000L)
                .containsEntry("channels", 2L).containsEntry("channel_layout", "stereo").containsEntry("bit_depth", 16L)
                .containsEntry("enabled", true).containsEntry("config_id", sinkId).doesNotContainKeys("uuid");
        assertThat(stub.changes().get(1).body()).containsEntry("name", "source_c0ffee11").containsEntry("ip", "10.0.0.8")
                .containsEntry("enabled", true).containsEntry("config_id", sourceId).doesNotContainKeys("port", "protocol");

        // update: only what differs, by the entry's current name (the user renamed it in ScreamRouter meanwhile)
        stub.byConfigId("sinks", sinkId).put("name", "Kitchen");
        stub.calls.clear();
        manager.handleEvent(Fixtures.event(DeviceEvents.UPDATED, Fixtures.sink(SINK_UUID, 6000)));
        await("the new port in ScreamRouter", () -> Long.valueOf(6000).equals(stub.byConfigId("sinks", sinkId).get("port")));
        assertThat(stub.changes()).singleElement().satisfies(c -> {
            assertThat(c.method()).isEqualTo("PUT");
            assertThat(c.path()).isEqualTo("/sinks/Kitchen");
            assertThat(c.body()).containsOnlyKeys("name", "port").containsEntry("name", "Kitchen").containsEntry("port", 6000L);
        });

        // offline and back: disable and enable, sink and source
        stub.calls.clear();
        manager.handleEvent(Fixtures.offlineEvent(SINK_UUID));
        manager.handleEvent(Fixtures.offlineEvent(SOURCE_UUID));
        await("both disabled", () -> Boolean.FALSE.equals(stub.byConfigId("sinks", sinkId).get("enabled"))
                && Boolean.FALSE.equals(stub.byConfigId("sources", sourceId).get("enabled")));
        assertThat(stub.changes()).extracting(c -> c.method() + " " + c.path())
                .containsExactlyInAnyOrder("GET /sinks/Kitchen/disable", "GET /sources/source_c0ffee11/disable");
        stub.calls.clear();
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(SINK_UUID, 6000)));
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.source(SOURCE_UUID)));
        await("both enabled", () -> Boolean.TRUE.equals(stub.byConfigId("sinks", sinkId).get("enabled"))
                && Boolean.TRUE.equals(stub.byConfigId("sources", sourceId).get("enabled")));
        assertThat(stub.changes()).extracting(c -> c.method() + " " + c.path())
                .containsExactlyInAnyOrder("GET /sinks/Kitchen/enable", "GET /sources/source_c0ffee11/enable");

        // a change that brings nothing new: a listing, no change
        stub.calls.clear();
        manager.handleEvent(Fixtures.event(DeviceEvents.UPDATED, Fixtures.sink(SINK_UUID, 6000)));
        manager.flush().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(stub.changes()).isEmpty();

        assertThat(writer.written).as("config.yaml is left to ScreamRouter").isEmpty();
        assertThat(file).doesNotExist();
        assertThat(api().up()).isTrue();
        assertThat(api().pushes()).isGreaterThanOrEqualTo(7);
        assertThat(manager.status().pendingDevices()).isZero();
    }

    @Test
    void aDeviceTheRegistrarForgotIsDeletedFromScreamRouterNotJustDisabled() throws Exception {
        // issue 13: over the API a REMOVED device was only disabled, while the file path removes its entry. ScreamRouter
        // has DELETE /sinks/{name} and /sources/{name} (api_configuration.py at the commit the stub follows)
        start();
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(SINK_UUID, 5004)));
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.source(SOURCE_UUID)));
        await("both entries in ScreamRouter", () -> stub.list("sinks").size() == 1 && stub.list("sources").size() == 1);
        String sinkId = configId(SINK_UUID, "sinks");
        stub.byConfigId("sinks", sinkId).put("name", "Kitchen"); // renamed by the user meanwhile
        manager.handleEvent(Fixtures.offlineEvent(SINK_UUID));
        await("the sink disabled", () -> Boolean.FALSE.equals(stub.byConfigId("sinks", sinkId).get("enabled")));
        stub.calls.clear();
        manager.handleEvent(Fixtures.event(DeviceEvents.REMOVED, Fixtures.device(SINK_UUID, Fixtures.sinkSdp(SINK_UUID, 5004),
                "192.168.1.51", false)));
        await("the sink gone from ScreamRouter", () -> stub.list("sinks").isEmpty());
        manager.flush().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(stub.changes()).extracting(c -> c.method() + " " + c.path()).containsExactly("DELETE /sinks/Kitchen");
        assertThat(stub.list("sources")).singleElement().satisfies(s -> assertThat(s).containsEntry("name", "source_c0ffee11"));
        assertThat(Files.readString(DeviceIds.beside(file))).doesNotContain(SINK_UUID).contains(SOURCE_UUID);
        assertThat(writer.written).as("config.yaml is left to ScreamRouter").isEmpty();
        assertThat(manager.status().pendingDevices()).isZero();
        assertThat(api().up()).isTrue();
    }

    @Test
    void anEntryAnEnabledRouteUsesIsKeptDisabledWhenScreamRouterRefusesToDeleteIt() throws Exception {
        start();
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.source(SOURCE_UUID)));
        await("the source in ScreamRouter", () -> stub.list("sources").size() == 1);
        String sourceId = configId(SOURCE_UUID, "sources");
        stub.useInRoute("sources", "source_c0ffee11", "Living room");
        // enabled: the user may have enabled it again in ScreamRouter since the device went offline
        stub.calls.clear();
        manager.handleEvent(Fixtures.event(DeviceEvents.REMOVED, Fixtures.device(SOURCE_UUID, null, "10.0.0.8", false)));
        await("the source disabled", () -> Boolean.FALSE.equals(stub.byConfigId("sources", sourceId).get("enabled")));
        manager.flush().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(stub.changes()).extracting(c -> c.method() + " " + c.path())
                .contains("DELETE /sources/source_c0ffee11", "GET /sources/source_c0ffee11/disable");
        assertThat(stub.list("sources")).hasSize(1);
        assertThat(configId(SOURCE_UUID, "sources")).as("kept: the device finds its entry if it comes back").isEqualTo(sourceId);
        assertThat(writer.written).isEmpty();
        assertThat(api().up()).isTrue();
    }

    @Test
    void unavailableApiGetsTheBoundedRetriesThenTheFileTakesTheChanges() throws Exception {
        start(Duration.ofMinutes(10)); // no probe during the test: every request counted is a try of a change
        stub.unavailable(true); // 503 to everything: a proxy before a ScreamRouter that is gone
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(SINK_UUID, 5004)));
        String written = writer.next();
        assertThat(written).contains("sink_5f7c1a2e");
        assertThat(stub.unavailableRequests()).as("one GET /sinks per try, no more").isEqualTo(TRIES);
        assertThat(api().up()).isFalse();
        assertThat(api().lastError()).contains("503");

        // while down: the file at once, no API call for the change
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.source(SOURCE_UUID)));
        assertThat(writer.next()).contains("source_c0ffee11");
        assertThat(stub.calls).isEmpty();
        assertThat(stub.unavailableRequests()).isEqualTo(TRIES);
        await("nothing pending", () -> manager.status().pendingDevices() == 0);
    }

    @Test
    void nothingIsLostAcrossAnOutageAndTheFileIsNotEditedForWhatTheApiAccepted() throws Exception {
        start();
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(SINK_UUID, 5004)));
        await("the sink in ScreamRouter", () -> stub.list("sinks").size() == 1);
        String sinkId = configId(SINK_UUID, "sinks");
        assertThat(writer.written).isEmpty();

        stub.stop(); // the port is closed: connection refused
        manager.handleEvent(Fixtures.offlineEvent(SINK_UUID)); // the sink's details are known: its entry is written, disabled
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.source(SOURCE_UUID)));
        await("ScreamRouter taken for down", () -> !api().up());
        await("both changes in the file", () -> {
            try {
                String text = Files.exists(file) ? Files.readString(file) : "";
                return text.contains("source_c0ffee11") && text.contains(sinkId);
            } catch (IOException e) {
                return false;
            }
        });
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> sinks = (List<Map<String, Object>>) Fixtures.load(Files.readString(file)).get("sinks");
        assertThat(sinks).singleElement().satisfies(s -> assertThat(s).containsEntry("config_id", sinkId).containsEntry("enabled", false));
        manager.flush().get(10, java.util.concurrent.TimeUnit.SECONDS); // the write task ends after the file is written
        int writes = (int) manager.status().writes();
        assertThat(manager.status().pendingDevices()).isZero();

        stub.calls.clear();
        stub.restart();
        await("ScreamRouter up again", () -> api().up());
        String sourceId = configId(SOURCE_UUID, "sources");
        assertThat(stub.byConfigId("sinks", sinkId)).containsEntry("enabled", false).containsEntry("port", 5004L);
        assertThat(stub.byConfigId("sources", sourceId)).isNotNull().containsEntry("enabled", true).containsEntry("ip", "10.0.0.8")
                .containsEntry("name", "source_c0ffee11"); // the name the file gave it
        assertThat(stub.changes()).extracting(c -> c.method() + " " + c.path())
                .containsExactlyInAnyOrder("GET /sinks/sink_5f7c1a2e/disable", "POST /sources");

        // after the catch-up: changes go to the API again, the file is not written for them
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(SINK_UUID, 7000)));
        await("the sink back, on its new port", () -> Long.valueOf(7000).equals(stub.byConfigId("sinks", sinkId).get("port"))
                && Boolean.TRUE.equals(stub.byConfigId("sinks", sinkId).get("enabled")));
        manager.flush().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(manager.status().writes()).isEqualTo(writes);
        assertThat(Files.readString(file)).doesNotContain("7000");
        assertThat(stub.list("sinks")).hasSize(1);
        assertThat(stub.list("sources")).hasSize(1);
    }

    @Test
    void aNameTakenInScreamRouterGetsASuffixAndScreamRoutersErrorsAreShown() throws Exception {
        stub.list("sinks").add(new java.util.LinkedHashMap<>(Map.of("name", "sink_5f7c1a2e", "config_id", "someone-elses",
                "enabled", true)));
        // the user's entry of that name belongs to another device of ours: not adopted
        file = dir.resolve("screamrouter").resolve("config.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(DeviceIds.beside(file), "ffffffff-0000-4000-8000-000000000000 sinks someone-elses\n");
        start();
        manager.handleEvent(Fixtures.event(DeviceEvents.ONLINE, Fixtures.sink(SINK_UUID, 5004)));
        await("the sink added", () -> stub.list("sinks").size() == 2);
        assertThat(stub.list("sinks").get(1)).containsEntry("name", "sink_5f7c1a2e_2");
        assertThat(writer.written).isEmpty();
    }

    @Test
    void theClientReportsScreamRoutersOwnErrorsAsRefusalsNotAsDown() throws Exception {
        stub.list("sinks").add(new java.util.LinkedHashMap<>(Map.of("name", "x", "config_id", "c1", "enabled", true)));
        ScreamRouterApi client = new ScreamRouterApi(stub.url(), Duration.ofSeconds(2), java.util.concurrent.ForkJoinPool.commonPool(), null);
        assertThatThrownBy(() -> client.enable("sinks", "no such sink", true))
                .isInstanceOfSatisfying(ScreamRouterApi.Failure.class, f -> {
                    assertThat(f.status).isEqualTo(500);
                    assertThat(f.unreachable()).isFalse();
                    assertThat(f.getMessage()).contains("sink no such sink not found");
                });
        assertThat(stub.calls).extracting(ScreamRouterApiStub.Call::path).containsExactly("/sinks/no such sink/enable");
        assertThatThrownBy(() -> client.add("sinks", Map.of("name", "bad", "sample_rate", 12345)))
                .isInstanceOfSatisfying(ScreamRouterApi.Failure.class, f -> {
                    assertThat(f.status).isEqualTo(422);
                    assertThat(f.worthRetrying()).isFalse();
                    assertThat(f.getMessage()).contains("sample_rate");
                });
        assertThatThrownBy(() -> client.add("sinks", Map.of("name", "x")))
                .isInstanceOfSatisfying(ScreamRouterApi.Failure.class, f -> assertThat(f.getMessage()).contains("Sink name 'x' already in use"));
        assertThatThrownBy(() -> client.list("routes")).isInstanceOfSatisfying(ScreamRouterApi.Failure.class,
                f -> assertThat(f.unreachable()).as("a 404 route: not ScreamRouter's API at this URL").isTrue());
    }
}
