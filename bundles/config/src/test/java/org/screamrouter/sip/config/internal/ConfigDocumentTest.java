package org.screamrouter.sip.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.screamrouter.sip.config.internal.Fixtures.SINK_UUID;
import static org.screamrouter.sip.config.internal.Fixtures.SOURCE_UUID;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.sdp.DeviceRole;
import org.screamrouter.sip.registrar.Device;

class ConfigDocumentTest {

    private static PendingChange registration(Device d) {
        return PendingChange.registration(SipEntry.of(d).orElseThrow(), d.online());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> section(ConfigDocument doc, String name) {
        return (List<Map<String, Object>>) doc.root().get(name);
    }

    /** What the file would hold after a write: dump and read back. */
    private static ConfigDocument roundTrip(ConfigDocument doc) throws ConfigParseException {
        return ConfigDocument.parse(doc.dump());
    }

    @Test
    void firstSinkRegistrationAddsANamedSinkWithItsRtpEndpointAndFormat() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        assertThat(doc.apply(registration(Fixtures.sink(SINK_UUID, 5004)))).isTrue();

        Map<String, Object> sink = section(roundTrip(doc), "sinks").get(0);
        assertThat(sink).containsExactly(
                Map.entry("name", "sink_5f7c1a2e"),
                Map.entry("ip", "192.168.1.50"), // the SDP connection address: where its audio goes
                Map.entry("port", 5004),
                Map.entry("protocol", "rtp"),
                Map.entry("sample_rate", 48000),
                Map.entry("channels", 2),
                Map.entry("bit_depth", 16),
                Map.entry("uuid", SINK_UUID),
                Map.entry("protocol_type", "sip"),
                Map.entry("sip_contact_uri", "sip:" + SINK_UUID + "@192.168.1.51:5062;transport=udp"),
                Map.entry("enabled", true));
        assertThat(doc.root()).doesNotContainKey("sources");
    }

    @Test
    void sinksListsEveryDeclaredSinkInFileOrderWithOrWithoutUuid() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("sinks:\n- name: kitchen\n  ip: 192.168.1.9\n  enabled: false\n"
                + "- {name: office, uuid: abc}\nsources:\n- name: tv\n");
        assertThat(doc.sinks()).extracting(m -> m.get("name")).containsExactly("kitchen", "office");
        assertThat(doc.sinks().get(0)).containsEntry("enabled", false);
        assertThat(ConfigDocument.parse("").sinks()).isEmpty();
    }

    @Test
    void firstSourceRegistrationAddsANamedSourceAtItsSignallingAddressWithoutPort() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("sinks: []\n");
        doc.apply(registration(Fixtures.source(SOURCE_UUID)));

        ConfigDocument read = roundTrip(doc);
        assertThat(section(read, "sinks")).isEmpty();
        Map<String, Object> source = section(read, "sources").get(0);
        assertThat(source).containsEntry("name", "source_c0ffee11")
                .containsEntry("ip", "10.0.0.8") // where its REGISTER came from: ScreamRouter knows sources by address
                .containsEntry("protocol", "rtp") // no supported-protocols attribute, plain RTP/AVP audio
                .containsEntry("sample_rate", 48000).containsEntry("channels", 2).containsEntry("bit_depth", 16)
                .containsEntry("uuid", SOURCE_UUID).containsEntry("protocol_type", "sip").containsEntry("enabled", true)
                .doesNotContainKey("port");
    }

    @Test
    void bitDepthComesOnlyFromLinearPcmAndRatesScreamRouterRefusesAreLeftToItsDefault() throws Exception {
        String l24 = Fixtures.sinkSdp(SINK_UUID, 5004).replace("L16/48000/2", "L24/96000/6");
        String opus = Fixtures.sinkSdp(SOURCE_UUID, 5006).replace("L16/48000/2", "opus/48000/2");
        String pcmu = Fixtures.sinkSdp("0000aaaa-0000-0000-0000-000000000000", 5008).replace("96 97", "0 96 97");
        ConfigDocument doc = ConfigDocument.parse("");
        doc.apply(registration(Fixtures.device(SINK_UUID, l24, "192.168.1.51", true)));
        doc.apply(registration(Fixtures.device(SOURCE_UUID, opus, "192.168.1.52", true)));
        doc.apply(registration(Fixtures.device("0000aaaa-0000-0000-0000-000000000000", pcmu, "192.168.1.53", true)));

        List<Map<String, Object>> sinks = section(roundTrip(doc), "sinks");
        assertThat(sinks.get(0)).containsEntry("bit_depth", 24).containsEntry("sample_rate", 96000).containsEntry("channels", 6);
        assertThat(sinks.get(1)).doesNotContainKey("bit_depth").containsEntry("sample_rate", 48000);
        assertThat(sinks.get(2)).doesNotContainKeys("bit_depth", "sample_rate").containsEntry("channels", 1); // PCMU 8 kHz
    }

    @Test
    void secondRegistrationUpdatesInPlaceKeepingNameAndUserSetFields() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        doc.apply(registration(Fixtures.sink(SINK_UUID, 5004)));
        Map<String, Object> entry = section(doc, "sinks").get(0);
        entry.put("name", "Bathroom");
        entry.put("volume", 0.35);
        entry.put("delay", 180);
        entry.put("equalizer", Map.of("b1", 1.4, "b18", 0.6, "normalization_enabled", true));
        ConfigDocument edited = roundTrip(doc);

        Device moved = Fixtures.device(SINK_UUID, Fixtures.sinkSdp(SINK_UUID, 6000).replace("192.168.1.50", "192.168.1.77"),
                "192.168.1.78", true);
        assertThat(edited.apply(registration(moved))).isTrue();

        List<Map<String, Object>> sinks = section(roundTrip(edited), "sinks");
        assertThat(sinks).hasSize(1);
        assertThat(sinks.get(0)).containsEntry("name", "Bathroom").containsEntry("volume", 0.35).containsEntry("delay", 180)
                .containsEntry("equalizer", Map.of("b1", 1.4, "b18", 0.6, "normalization_enabled", true))
                .containsEntry("ip", "192.168.1.77").containsEntry("port", 6000)
                .containsEntry("sip_contact_uri", "sip:" + SINK_UUID + "@192.168.1.78:5062;transport=udp");
    }

    @Test
    void offlineDisablesKeepingDetailsAndOnlineAgainEnables() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        doc.apply(registration(Fixtures.sink(SINK_UUID, 5004)));
        Map<String, Object> online = Map.copyOf(section(roundTrip(doc), "sinks").get(0));

        assertThat(doc.apply(PendingChange.offline(SINK_UUID))).isTrue();
        Map<String, Object> offline = section(roundTrip(doc), "sinks").get(0);
        assertThat(offline).containsEntry("enabled", false);
        offline.remove("enabled");
        assertThat(offline).isEqualTo(without(online, "enabled"));

        assertThat(doc.apply(registration(Fixtures.sink(SINK_UUID, 5004)))).isTrue();
        assertThat(section(roundTrip(doc), "sinks").get(0)).isEqualTo(online);
    }

    @Test
    void aRegistrationThatBringsNothingNewChangesNothing() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        doc.apply(registration(Fixtures.sink(SINK_UUID, 5004)));
        ConfigDocument read = roundTrip(doc);
        // a keep-alive: only last seen and expiry moved
        Device later = Fixtures.device(SINK_UUID, Fixtures.sinkSdp(SINK_UUID, 5004), "192.168.1.51", true, Fixtures.T0.plusSeconds(300));
        assertThat(read.apply(registration(later))).isFalse();
        assertThat(read.apply(PendingChange.offline("ffffffff-0000-0000-0000-000000000000"))).isFalse();
    }

    @Test
    void anOfflineRegistrationCreatesTheEntryDisabled() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        Device offline = Fixtures.device(SINK_UUID, Fixtures.sinkSdp(SINK_UUID, 5004), "192.168.1.51", false);
        PendingChange change = PendingChange.offline(SINK_UUID).after(registration(Fixtures.sink(SINK_UUID, 5004)));
        doc.apply(change);
        assertThat(section(doc, "sinks").get(0)).containsEntry("enabled", false).containsEntry("port", 5004);
        ConfigDocument other = ConfigDocument.parse("");
        other.apply(registration(offline));
        assertThat(section(other, "sinks").get(0)).containsEntry("enabled", false);
    }

    @Test
    void aDeviceWithoutRoleIsASinkUnlessItsAudioIsSendOnly() {
        SipEntry noSdp = SipEntry.of(Fixtures.device(SINK_UUID, null, "192.168.1.51", true)).orElseThrow();
        assertThat(noSdp.role()).isEqualTo(DeviceRole.SINK);
        assertThat(noSdp.owned()).containsEntry("ip", "192.168.1.51").containsEntry("protocol_type", "sip").doesNotContainKey("port");
        String noRole = Fixtures.sinkSdp(SINK_UUID, 5004).replace("a=x-screamrouter-role:sink\r\n", "");
        assertThat(SipEntry.of(Fixtures.device(SINK_UUID, noRole, "192.168.1.51", true)).orElseThrow().owned()).containsEntry("port", 5004);
        String sendOnly = Fixtures.sourceSdp(SOURCE_UUID).replace("a=x-screamrouter-role:source\r\n", "");
        assertThat(SipEntry.of(Fixtures.device(SOURCE_UUID, sendOnly, "192.168.1.52", true)).orElseThrow().role())
                .as("a send-only device without a role").isEqualTo(DeviceRole.SOURCE);
    }

    @Test
    void aTakenNameGetsASuffixSoRoutesStayUnambiguous() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("sinks:\n- name: sink_5f7c1a2e\n  ip: 192.168.1.9\n");
        doc.apply(registration(Fixtures.sink(SINK_UUID, 5004)));
        assertThat(section(doc, "sinks")).extracting(m -> m.get("name")).containsExactly("sink_5f7c1a2e", "sink_5f7c1a2e_2");
    }

    @Test
    void aDeviceThatChangesRoleHasItsOldEntryDisabledAndANewOneAdded() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        doc.apply(registration(Fixtures.sink(SINK_UUID, 5004)));
        doc.apply(registration(Fixtures.source(SINK_UUID)));
        assertThat(section(doc, "sinks").get(0)).containsEntry("enabled", false);
        assertThat(section(doc, "sources").get(0)).containsEntry("name", "source_5f7c1a2e").containsEntry("enabled", true);
    }

    @Test
    void everyForeignSectionEntryAndKeySurvivesAMergeWithTheSameMeaning() throws Exception {
        Map<String, Object> before = Fixtures.load(Fixtures.SCREAMROUTER_YAML);
        ConfigDocument doc = ConfigDocument.parse(Fixtures.SCREAMROUTER_YAML);
        doc.apply(registration(Fixtures.sink(SINK_UUID, 5004)));
        doc.apply(registration(Fixtures.source(SOURCE_UUID)));
        // the tuned SIP sink already in the file comes back with a new port
        String porch = "aaaa0000-1111-2222-3333-444455556666";
        doc.apply(registration(Fixtures.sink(porch, 5010)));
        Map<String, Object> after = Fixtures.load(doc.dump());

        assertThat(Fixtures.foreignParts(after, List.of(SINK_UUID, SOURCE_UUID)))
                .isEqualTo(Fixtures.foreignParts(before, List.of()));
        assertThat(after.keySet()).containsExactly("routes", "sinks", "sources", "system_capture_devices", "system_playback_devices");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> sinks = (List<Map<String, Object>>) after.get("sinks");
        assertThat(sinks).extracting(m -> m.get("name")).containsExactly("Kitchen", "All Rooms", "Porch speaker", "sink_5f7c1a2e");
        assertThat(sinks.get(2)).containsEntry("port", 5010).containsEntry("volume", 0.4).containsEntry("delay", 250);
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
        assertThatThrownBy(() -> ConfigDocument.parse("sinks: !!python/object:screamrouter.Sink {}\n"))
                .isInstanceOf(ConfigParseException.class).hasMessageContaining("line 1");
    }

    private static Map<String, Object> without(Map<String, Object> m, String key) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>(m);
        copy.remove(key);
        return copy;
    }
}
