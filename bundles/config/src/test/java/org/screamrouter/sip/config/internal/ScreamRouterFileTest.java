package org.screamrouter.sip.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.screamrouter.sip.config.internal.Fixtures.SINK_UUID;
import static org.screamrouter.sip.config.internal.Fixtures.SOURCE_UUID;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.registrar.Device;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A config.yaml as ScreamRouter saves it (src/test/resources/screamrouter/screamrouter-config.yaml, made by
 * make_fixture.py with PyYAML's yaml.dump): pickled pydantic models, !!set fields-sets, ipaddress objects, an anchor.
 */
class ScreamRouterFileTest {
    static final Path RESOURCES = Path.of("src/test/resources/screamrouter");

    @TempDir
    Path dir;

    private DeviceIds ids;
    private String fixture;

    @BeforeEach
    void setUp() throws Exception {
        ids = new DeviceIds(dir.resolve("config.yaml.sip-devices"), new AtomicFileWriter());
        fixture = Files.readString(RESOURCES.resolve("screamrouter-config.yaml"));
    }

    private boolean apply(ConfigDocument doc, Device d) {
        return doc.apply(PendingChange.registration(SipEntry.of(d).orElseThrow(), d.online()), ids);
    }

    /** The text of one top-level section: from its key to the next top-level key. */
    static String sectionText(String yaml, String key) {
        int start = yaml.startsWith(key + ":") ? 0 : yaml.indexOf("\n" + key + ":") + 1;
        int end = start;
        do {
            end = yaml.indexOf('\n', end) + 1;
        } while (end > 0 && end < yaml.length() && (yaml.charAt(end) == ' ' || yaml.charAt(end) == '-'));
        return yaml.substring(start, end <= 0 ? yaml.length() : end);
    }

    @Test
    void aFileScreamRouterWroteIsReadWithoutInstantiatingAndWrittenBackByteForByte() throws Exception {
        ConfigDocument doc = ConfigDocument.parse(fixture);
        assertThat(doc.pickled()).isTrue();
        assertThat(doc.dump()).isEqualTo(fixture);
        assertThat(doc.sinks(ids)).extracting(m -> m.get("name")).containsExactly("Kitchen", "Patio RTP", "All Rooms");
        assertThat(doc.sinks(ids).get(1)).containsEntry("ip", "192.168.1.30").containsEntry("port", 40000); // an IPv4Address
    }

    @Test
    void aRemovedDeviceLeavesAScreamRouterFileAsItWasBeforeTheDeviceCame() throws Exception {
        // issue 13 item 4: a device the registrar forgot (DeviceEvents.REMOVED) takes its pickled entry with it
        ConfigDocument doc = ConfigDocument.parse(fixture);
        assertThat(apply(doc, Fixtures.sink(SINK_UUID, 5004))).isTrue();
        ConfigDocument read = ConfigDocument.parse(doc.dump());
        assertThat(read.apply(PendingChange.removal(SINK_UUID), ids)).isTrue();
        assertThat(read.dump()).isEqualTo(fixture);
        assertThat(ids.all()).doesNotContainKey(SINK_UUID);
        assertThat(read.apply(PendingChange.removal(SINK_UUID), ids)).as("nothing left to remove").isFalse();
    }

    @Test
    void devicesAreAddedUpdatedAndDisabledAsPickledModelsAndEverythingElseStaysByteForByte() throws Exception {
        ConfigDocument doc = ConfigDocument.parse(fixture);
        assertThat(apply(doc, Fixtures.sink(SINK_UUID, 5004))).isTrue();
        assertThat(apply(doc, Fixtures.source(SOURCE_UUID))).isTrue();
        ConfigDocument read = ConfigDocument.parse(doc.dump());
        assertThat(apply(read, Fixtures.sink(SINK_UUID, 6000))).isTrue(); // updated
        assertThat(read.apply(PendingChange.offline(SOURCE_UUID), ids)).isTrue(); // disabled
        String out = read.dump();

        for (String untouched : List.of("routes", "system_capture_devices", "system_playback_devices")) {
            assertThat(sectionText(out, untouched)).as(untouched).isEqualTo(sectionText(fixture, untouched));
        }
        // ScreamRouter's own entries come first, unchanged; the devices' entries follow
        assertThat(sectionText(out, "sinks")).startsWith(sectionText(fixture, "sinks"));
        assertThat(sectionText(out, "sources")).startsWith(sectionText(fixture, "sources"));

        ConfigDocument again = ConfigDocument.parse(out);
        Map<String, Object> sink = again.entriesByUuid(ids).get(SINK_UUID);
        assertThat(sink).containsEntry("name", "sink_5f7c1a2e").containsEntry("ip", "192.168.1.51").containsEntry("port", 6000)
                .containsEntry("protocol", "rtp").containsEntry("bit_depth", 16).containsEntry("channel_layout", "stereo")
                .containsEntry("enabled", true).containsEntry("config_id", ids.configId(SINK_UUID, "sinks").orElseThrow())
                .containsEntry("enable_mp3", true).containsEntry("is_temporary", false).containsKey("equalizer");
        Map<String, Object> source = again.entriesByUuid(ids).get(SOURCE_UUID);
        assertThat(source).containsEntry("ip", "10.0.0.8").containsEntry("enabled", false).containsEntry("vnc_ip", "")
                .doesNotContainKeys("port", "protocol");

        // the models as PyYAML writes them: every field in __dict__, what was passed in the fields-set
        MappingNode model = (MappingNode) ((SequenceNode) YamlNodes.get((MappingNode) YamlNodes.compose(out), "sinks")).getValue().get(3);
        assertThat(model.getTag().getValue()).isEqualTo("tag:yaml.org,2002:python/object:" + PydanticEntries.MODULE + ".SinkDescription");
        assertThat(YamlNodes.index(model).keySet()).containsExactly("__dict__", "__pydantic_extra__", "__pydantic_fields_set__", "__pydantic_private__");
        MappingNode kitchen = (MappingNode) ((SequenceNode) YamlNodes.get((MappingNode) YamlNodes.compose(fixture), "sinks")).getValue().get(0);
        assertThat(YamlNodes.index((MappingNode) YamlNodes.get(model, "__dict__")).keySet())
                .containsExactlyElementsOf(YamlNodes.index((MappingNode) YamlNodes.get(kitchen, "__dict__")).keySet());
        assertThat(YamlNodes.index((MappingNode) YamlNodes.get(model, "__pydantic_fields_set__")).keySet())
                .containsExactly("bit_depth", "channel_layout", "channels", "config_id", "enabled", "ip", "name", "port", "protocol", "sample_rate");
        assertThat(out).contains("    ip: !!python/object/apply:ipaddress.IPv4Address\n    - 167772168\n"); // a source's IPvAnyAddress
    }

    @Test
    void aRewriteByScreamRouterThatReordersAndRenamesGivesNoDuplicateAndLosesNoDevice() throws Exception {
        ConfigDocument doc = ConfigDocument.parse(fixture);
        apply(doc, Fixtures.sink(SINK_UUID, 5004));
        apply(doc, Fixtures.sink(SOURCE_UUID, 5006));
        // ScreamRouter saves its own view: the user renamed one sink, the list comes out in another order
        MappingNode root = (MappingNode) YamlNodes.compose(doc.dump().replace("name: sink_5f7c1a2e", "name: Bathroom"));
        Collections.reverse(((SequenceNode) YamlNodes.get(root, "sinks")).getValue());
        ConfigDocument rewritten = ConfigDocument.parse(YamlNodes.dump(root));

        assertThat(apply(rewritten, Fixtures.sink(SINK_UUID, 7000))).isTrue();
        assertThat(apply(rewritten, Fixtures.sink(SOURCE_UUID, 5006))).isFalse();
        List<Map<String, Object>> sinks = rewritten.sinks(ids);
        assertThat(sinks).hasSize(5).extracting(m -> m.get("name"))
                .containsExactlyInAnyOrder("Kitchen", "Patio RTP", "All Rooms", "Bathroom", "sink_c0ffee11");
        assertThat(rewritten.entriesByUuid(ids).get(SINK_UUID)).containsEntry("name", "Bathroom").containsEntry("port", 7000);
        assertThat(Set.copyOf(sinks.stream().map(m -> m.get("config_id")).toList())).hasSize(5);
    }
}
