package org.screamrouter.sip.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.screamrouter.sip.config.internal.Fixtures.SINK_UUID;
import static org.screamrouter.sip.config.internal.Fixtures.SOURCE_UUID;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.registrar.Device;

/** A plain (hand-written or server-started) config.yaml: entries are plain mappings. */
class ConfigDocumentTest {
    private static final String PORCH = "aaaa0000-1111-2222-3333-444455556666";

    @TempDir
    Path dir;

    private DeviceIds ids;

    @BeforeEach
    void ids() {
        ids = new DeviceIds(dir.resolve("config.yaml.sip-devices"), new AtomicFileWriter());
    }

    private PendingChange registration(Device d) {
        return PendingChange.registration(SipEntry.of(d).orElseThrow(), d.online());
    }

    private boolean apply(ConfigDocument doc, Device d) {
        return doc.apply(registration(d), ids);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> section(ConfigDocument doc, String name) {
        return (List<Map<String, Object>>) Fixtures.load(doc.dump()).get(name);
    }

    private String configId(String uuid, String section) {
        return ids.configId(uuid, section).orElseThrow();
    }

    @Test
    void firstSinkRegistrationAddsANamedSinkWithItsRtpEndpointFormatAndConfigId() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        assertThat(apply(doc, Fixtures.sink(SINK_UUID, 5004))).isTrue();

        Map<String, Object> sink = section(doc, "sinks").get(0);
        assertThat(sink).containsExactly(
                Map.entry("name", "sink_5f7c1a2e"),
                Map.entry("ip", "192.168.1.51"), // where its REGISTER came from: its c= (192.168.1.50) differs
                Map.entry("port", 5004),
                Map.entry("protocol", "rtp"),
                Map.entry("sample_rate", 48000),
                Map.entry("channels", 2),
                Map.entry("channel_layout", "stereo"),
                Map.entry("bit_depth", 16),
                Map.entry("enabled", true),
                Map.entry("config_id", configId(SINK_UUID, "sinks")));
        assertThat(configId(SINK_UUID, "sinks")).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(doc.pickled()).isFalse();
        assertThat(Fixtures.load(doc.dump())).doesNotContainKey("sources");
    }

    @Test
    void sinksListsEveryDeclaredSinkInFileOrderAndNamesTheDeviceOfItsOwn() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("sinks:\n- name: kitchen\n  ip: 192.168.1.9\n  enabled: false\n"
                + "- {name: office, config_id: abc}\nsources:\n- name: tv\n");
        ids.assign(SINK_UUID, "sinks", "abc");
        assertThat(doc.sinks(ids)).extracting(m -> m.get("name")).containsExactly("kitchen", "office");
        assertThat(doc.sinks(ids).get(0)).containsEntry("enabled", false).doesNotContainKey("uuid");
        assertThat(doc.sinks(ids).get(1)).containsEntry("uuid", SINK_UUID);
        assertThat(ConfigDocument.parse("").sinks(ids)).isEmpty();
    }

    @Test
    void firstSourceRegistrationAddsANamedSourceWithoutPortOrProtocol() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("sinks: []\n");
        apply(doc, Fixtures.source(SOURCE_UUID));

        assertThat(section(doc, "sinks")).isEmpty();
        Map<String, Object> source = section(doc, "sources").get(0);
        assertThat(source).containsEntry("name", "source_c0ffee11")
                .containsEntry("ip", "10.0.0.8") // where its REGISTER came from: ScreamRouter knows sources by address
                .containsEntry("sample_rate", 48000).containsEntry("channels", 2).containsEntry("bit_depth", 16)
                .containsEntry("enabled", true).containsEntry("config_id", configId(SOURCE_UUID, "sources"))
                .doesNotContainKeys("port", "protocol", "channel_layout", "uuid"); // SourceDescription has none of them
    }

    @Test
    void bitDepthComesOnlyFromLinearPcmAndRatesScreamRouterRefusesAreLeftToItsDefault() throws Exception {
        String l24 = Fixtures.sinkSdp(SINK_UUID, 5004).replace("L16/48000/2", "L24/96000/6");
        String opus = Fixtures.sinkSdp(SOURCE_UUID, 5006).replace("L16/48000/2", "opus/48000/2");
        String pcmu = Fixtures.sinkSdp("0000aaaa-0000-0000-0000-000000000000", 5008).replace("96 97", "0 96 97");
        ConfigDocument doc = ConfigDocument.parse("");
        apply(doc, Fixtures.device(SINK_UUID, l24, "192.168.1.51", true));
        apply(doc, Fixtures.device(SOURCE_UUID, opus, "192.168.1.52", true));
        apply(doc, Fixtures.device("0000aaaa-0000-0000-0000-000000000000", pcmu, "192.168.1.53", true));

        List<Map<String, Object>> sinks = section(doc, "sinks");
        assertThat(sinks.get(0)).containsEntry("bit_depth", 24).containsEntry("sample_rate", 96000).containsEntry("channels", 6)
                .containsEntry("channel_layout", "5.1");
        assertThat(sinks.get(1)).doesNotContainKey("bit_depth").containsEntry("sample_rate", 48000).containsEntry("protocol", "rtp_opus");
        assertThat(sinks.get(2)).doesNotContainKeys("bit_depth", "sample_rate").containsEntry("channels", 1) // PCMU 8 kHz
                .containsEntry("channel_layout", "mono");
    }

    @Test
    void secondRegistrationUpdatesInPlaceKeepingNameAndUserSetFields() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        apply(doc, Fixtures.sink(SINK_UUID, 5004));
        String edited = doc.dump().replace("name: sink_5f7c1a2e", "name: Bathroom")
                + "" ;
        edited = edited.replace("  enabled: true\n", "  enabled: true\n  volume: 0.35\n  delay: 180\n  equalizer: {b1: 1.4, b18: 0.6, normalization_enabled: true}\n");
        ConfigDocument read = ConfigDocument.parse(edited);

        Device moved = Fixtures.device(SINK_UUID, Fixtures.sinkSdp(SINK_UUID, 6000).replace("192.168.1.50", "192.168.1.78"),
                "192.168.1.78", true);
        assertThat(apply(read, moved)).isTrue();

        List<Map<String, Object>> sinks = section(read, "sinks");
        assertThat(sinks).hasSize(1);
        assertThat(sinks.get(0)).containsEntry("name", "Bathroom").containsEntry("volume", 0.35).containsEntry("delay", 180)
                .containsEntry("equalizer", Map.of("b1", 1.4, "b18", 0.6, "normalization_enabled", true))
                .containsEntry("ip", "192.168.1.78").containsEntry("port", 6000);
    }

    @Test
    void offlineDisablesKeepingDetailsAndOnlineAgainEnables() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        apply(doc, Fixtures.sink(SINK_UUID, 5004));
        Map<String, Object> online = Map.copyOf(section(doc, "sinks").get(0));

        assertThat(doc.apply(PendingChange.offline(SINK_UUID), ids)).isTrue();
        Map<String, Object> offline = new java.util.LinkedHashMap<>(section(doc, "sinks").get(0));
        assertThat(offline).containsEntry("enabled", false);
        offline.put("enabled", true);
        assertThat(offline).isEqualTo(online);

        assertThat(apply(doc, Fixtures.sink(SINK_UUID, 5004))).isTrue();
        assertThat(section(doc, "sinks").get(0)).isEqualTo(online);
    }

    @Test
    void aRegistrationThatBringsNothingNewChangesNothing() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        apply(doc, Fixtures.sink(SINK_UUID, 5004));
        ConfigDocument read = ConfigDocument.parse(doc.dump());
        // a keep-alive: only last seen and expiry moved
        Device later = Fixtures.device(SINK_UUID, Fixtures.sinkSdp(SINK_UUID, 5004), "192.168.1.51", true, Fixtures.T0.plusSeconds(300));
        assertThat(read.apply(registration(later), ids)).isFalse();
        assertThat(read.apply(PendingChange.offline("ffffffff-0000-0000-0000-000000000000"), ids)).isFalse();
    }

    @Test
    void anOfflineRegistrationCreatesTheEntryDisabled() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        PendingChange change = PendingChange.offline(SINK_UUID).after(registration(Fixtures.sink(SINK_UUID, 5004)));
        doc.apply(change, ids);
        assertThat(section(doc, "sinks").get(0)).containsEntry("enabled", false).containsEntry("port", 5004);
        ConfigDocument other = ConfigDocument.parse("");
        other.apply(registration(Fixtures.device(SOURCE_UUID, Fixtures.sinkSdp(SOURCE_UUID, 5004), "192.168.1.51", false)), ids);
        assertThat(section(other, "sinks").get(0)).containsEntry("enabled", false);
    }

    @Test
    void aTakenNameGetsASuffixSoRoutesStayUnambiguous() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("sinks:\n- name: sink_5f7c1a2e\n  ip: 192.168.1.9\n  config_id: theirs\n");
        ids.assign("0ther000-0000-0000-0000-000000000000", "sinks", "theirs");
        apply(doc, Fixtures.sink(SINK_UUID, 5004));
        assertThat(section(doc, "sinks")).extracting(m -> m.get("name")).containsExactly("sink_5f7c1a2e", "sink_5f7c1a2e_2");
    }

    @Test
    void anEntryWithTheServersNameThatNobodyOwnsIsAdoptedNotDuplicated() throws Exception {
        // the id map was lost, or ScreamRouter saved an old entry (dropping its uuid key) before this version ran
        ConfigDocument doc = ConfigDocument.parse("sinks:\n- name: sink_5f7c1a2e\n  ip: 192.168.1.9\n  port: 4010\n  volume: 0.5\n");
        apply(doc, Fixtures.sink(SINK_UUID, 5004));
        assertThat(section(doc, "sinks")).singleElement().satisfies(s -> assertThat(s).containsEntry("volume", 0.5)
                .containsEntry("port", 5004).containsEntry("config_id", configId(SINK_UUID, "sinks")));
    }

    @Test
    void aDeviceThatChangesRoleHasItsOldEntryDisabledAndANewOneAdded() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        apply(doc, Fixtures.sink(SINK_UUID, 5004));
        apply(doc, Fixtures.source(SINK_UUID));
        assertThat(section(doc, "sinks").get(0)).containsEntry("enabled", false);
        assertThat(section(doc, "sources").get(0)).containsEntry("name", "source_5f7c1a2e").containsEntry("enabled", true);
        assertThat(doc.entriesByUuid(ids).get(SINK_UUID)).containsEntry("name", "source_5f7c1a2e");
    }

    @Test
    void anOldEntryWithAUuidKeyIsAdoptedItsKeysPydanticDropsRemovedAndEverythingElseKept() throws Exception {
        Map<String, Object> before = Fixtures.load(Fixtures.SCREAMROUTER_YAML);
        ConfigDocument doc = ConfigDocument.parse(Fixtures.SCREAMROUTER_YAML);
        apply(doc, Fixtures.sink(SINK_UUID, 5004));
        apply(doc, Fixtures.source(SOURCE_UUID));
        apply(doc, Fixtures.sink(PORCH, 5010)); // the tuned SIP sink already in the file comes back with a new port
        Map<String, Object> after = Fixtures.load(doc.dump());

        List<String> devices = List.of(configId(SINK_UUID, "sinks"), configId(SOURCE_UUID, "sources"), configId(PORCH, "sinks"));
        assertThat(Fixtures.foreignParts(after, devices)).isEqualTo(Fixtures.foreignParts(before, List.of()));
        assertThat(after.keySet()).containsExactly("routes", "sinks", "sources", "system_capture_devices", "system_playback_devices");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> sinks = (List<Map<String, Object>>) after.get("sinks");
        assertThat(sinks).extracting(m -> m.get("name")).containsExactly("Kitchen", "All Rooms", "Porch speaker", "sink_5f7c1a2e");
        assertThat(sinks.get(2)).containsEntry("port", 5010).containsEntry("volume", 0.4).containsEntry("delay", 250)
                .containsEntry("config_id", configId(PORCH, "sinks")).doesNotContainKeys("uuid", "protocol_type", "sip_contact_uri");
    }

    @Test
    void untouchedSectionsOfAPlainFileComeOutAsTheyWentIn() throws Exception {
        ConfigDocument doc = ConfigDocument.parse(Fixtures.SCREAMROUTER_YAML);
        apply(doc, Fixtures.source(SOURCE_UUID));
        String out = doc.dump();
        String routes = Fixtures.SCREAMROUTER_YAML.substring(0, Fixtures.SCREAMROUTER_YAML.indexOf("sinks:"));
        assertThat(out).startsWith(routes.replace("\n- [1.0, 0.0]", "\n- [1.0, 0.0]"));
        assertThat(out).contains(Fixtures.SCREAMROUTER_YAML.substring(Fixtures.SCREAMROUTER_YAML.indexOf("system_capture_devices:")));
    }

    @Test
    void aSyntaxErrorNamesLineAndColumn() {
        String bad = "sinks:\n- name: Kitchen\n  ip: 192.168.1.20: 4010\n";
        assertThatThrownBy(() -> ConfigDocument.parse(bad)).isInstanceOf(ConfigParseException.class)
                .hasMessageStartingWith("line 3, column 19: mapping values are not allowed here");
    }

    @Test
    void aFileThatIsNotScreamRouterShapedIsRefusedRatherThanRewritten() {
        assertThatThrownBy(() -> ConfigDocument.parse("- a\n- b\n")).hasMessageContaining("top level is a list");
        assertThatThrownBy(() -> ConfigDocument.parse("sinks:\n  Kitchen: {}\n")).hasMessageContaining("'sinks' is a mapping");
        assertThatThrownBy(() -> ConfigDocument.parse("sinks: []\nsinks: []\n")).hasMessageContaining("line 2, column 1")
                .hasMessageContaining("duplicate key sinks");
        assertThatThrownBy(() -> ConfigDocument.parse("sinks:\n- name: a\n  name: b\n")).hasMessageContaining("line 3, column 3")
                .hasMessageContaining("duplicate key name");
        assertThatThrownBy(() -> ConfigDocument.parse("sinks: !!python/object:screamrouter.Sink {}\n"))
                .isInstanceOf(ConfigParseException.class).hasMessageContaining("line 1");
    }
}
