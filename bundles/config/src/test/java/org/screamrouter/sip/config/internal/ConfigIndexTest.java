package org.screamrouter.sip.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.sdp.DeviceRole;

/**
 * Issue 15: the lookups that replaced the scans (SectionIndex, DeviceIds' reverse map) and the kept entry texts
 * (ChunkedDump) give what the scans and a whole dump gave, through collisions, hand edits, renames and removals.
 */
class ConfigIndexTest {
    @TempDir
    Path dir;

    private DeviceIds ids;

    @BeforeEach
    void ids() {
        ids = new DeviceIds(dir.resolve("config.yaml.sip-devices"), new AtomicFileWriter());
    }

    /** Device i: UUIDs that share their first 8 characters, as sipp's do, so that every name collides. */
    static String uuid(int i) {
        return String.format(Locale.ROOT, "00000000-0000-4000-8000-%012d", i);
    }

    static PendingChange sink(int i, int port, boolean online) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("ip", "10.0." + (i >> 8 & 255) + "." + (i & 255));
        f.put("port", port);
        f.put("protocol", "rtp");
        f.put("sample_rate", 48000);
        f.put("channels", 2);
        return PendingChange.registration(new SipEntry(uuid(i), DeviceRole.SINK, f), online);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> sinks(String text) {
        return (List<Map<String, Object>>) Fixtures.load(text).get("sinks");
    }

    private static List<Object> names(String text) {
        return sinks(text).stream().map(m -> m.get("name")).toList();
    }

    @Test
    void namesStayUniqueWhenEveryUuidSharesItsFirst8CharactersAndAfterAHandMadeSuffix() throws Exception {
        // a user's entry already uses _7: the server's suffixes go above it, never onto it
        ConfigDocument doc = ConfigDocument.parse("sinks:\n- name: sink_00000000_7\n  ip: 192.168.1.9\n");
        for (int i = 0; i < 300; i++) {
            assertThat(doc.apply(sink(i, 5000 + i, true), ids)).isTrue();
        }
        List<Object> names = names(doc.dump());
        assertThat(names).hasSize(301).doesNotHaveDuplicates();
        assertThat(names.subList(0, 4)).containsExactly("sink_00000000_7", "sink_00000000", "sink_00000000_8", "sink_00000000_9");
        assertThat(names.get(300)).isEqualTo("sink_00000000_306");
    }

    @Test
    void removalFreesTheNameAndTheIdsAndTheEntryLeavesTheList() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        doc.apply(sink(0, 5000, true), ids);
        doc.apply(sink(1, 5001, true), ids);
        String firstId = ids.configId(uuid(0), "sinks").orElseThrow();
        assertThat(ids.deviceOf(firstId, "sinks")).contains(uuid(0));

        assertThat(doc.apply(PendingChange.removal(uuid(0)), ids)).isTrue();
        assertThat(ids.configId(uuid(0), "sinks")).isEmpty();
        assertThat(ids.deviceOf(firstId, "sinks")).as("the reverse map forgets too").isEmpty();
        assertThat(names(doc.dump())).containsExactly("sink_00000000_2");

        doc.apply(sink(2, 5002, true), ids); // same 8 characters: the base name is free again
        assertThat(names(doc.dump())).containsExactly("sink_00000000_2", "sink_00000000");
        assertThat(doc.apply(PendingChange.removal(uuid(0)), ids)).as("nothing left of it").isFalse();
    }

    @Test
    void anEntryRenamedByHandKeepsItsConfigIdAndIsUpdatedNotDuplicated() throws Exception {
        ConfigDocument doc = ConfigDocument.parse("");
        doc.apply(sink(0, 5000, true), ids);
        doc.apply(sink(1, 5001, true), ids);
        String id = ids.configId(uuid(0), "sinks").orElseThrow();

        ConfigDocument edited = ConfigDocument.parse(doc.dump().replace("name: sink_00000000\n", "name: Kitchen\n"));
        assertThat(edited.apply(sink(0, 6000, false), ids)).isTrue();
        assertThat(edited.apply(sink(3, 5003, true), ids)).isTrue(); // the base name is free: Kitchen holds that entry now
        List<Map<String, Object>> sinks = sinks(edited.dump());
        assertThat(sinks).extracting(m -> m.get("name")).containsExactly("Kitchen", "sink_00000000_2", "sink_00000000");
        assertThat(sinks.get(0)).containsEntry("config_id", id).containsEntry("port", 6000).containsEntry("enabled", false);
        assertThat(edited.entriesByUuid(ids).get(uuid(0))).containsEntry("name", "Kitchen").containsEntry("uuid", uuid(0));
    }

    @Test
    void deviceIdsReverseMapFollowsAssignReassignForgetAndALoadedFile() throws Exception {
        ids.assign("AbCd0000-0000-4000-8000-000000000001", "sinks", "id-1");
        ids.assign("abcd0000-0000-4000-8000-000000000001", "sources", "id-2");
        assertThat(ids.deviceOf("id-1", "sinks")).contains("AbCd0000-0000-4000-8000-000000000001");
        assertThat(ids.deviceOf("id-2", "sources")).as("the spelling first seen").contains("AbCd0000-0000-4000-8000-000000000001");
        assertThat(ids.deviceOf("id-1", "sources")).as("per list").isEmpty();
        ids.assign("abcd0000-0000-4000-8000-000000000001", "sinks", "id-3");
        assertThat(ids.deviceOf("id-1", "sinks")).isEmpty();
        assertThat(ids.deviceOf("id-3", "sinks")).isPresent();
        ids.save();

        DeviceIds loaded = new DeviceIds(ids.path(), new AtomicFileWriter());
        assertThat(loaded.deviceOf("id-3", "sinks")).contains("AbCd0000-0000-4000-8000-000000000001");
        assertThat(loaded.deviceOf("id-2", "sources")).isPresent();
        loaded.forget("ABCD0000-0000-4000-8000-000000000001");
        assertThat(loaded.deviceOf("id-3", "sinks")).isEmpty();
        assertThat(loaded.deviceOf("id-2", "sources")).isEmpty();
        assertThat(loaded.all()).isEmpty();
    }

    @Test
    void theIndexIsRightAfterAMergeWithAHandEditOfTheRunningFile() throws Exception {
        Path path = dir.resolve("config.yaml");
        ConfigFile file = new ConfigFile(path, new AtomicFileWriter(), java.time.Clock.systemUTC());
        List<PendingChange> first = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            first.add(sink(i, 5000 + i, true));
        }
        assertThat(file.apply(first)).isEqualTo(ConfigFile.Outcome.DONE);
        DeviceIds mapped = file.ids();
        String id3 = mapped.configId(uuid(3), "sinks").orElseThrow();
        String id7 = mapped.configId(uuid(7), "sinks").orElseThrow();

        // by hand, while the server runs: device 3's entry renamed, device 7's deleted, a user's entry with the next
        // name the server would give, and a section of the user's own
        String text = Files.readString(path);
        String seven = "- name: sink_00000000_8\n";
        int at = text.indexOf(seven);
        int end = text.indexOf("\n- ", at + 1);
        text = text.substring(0, at) + text.substring(end + 1);
        text = text.replace("name: sink_00000000_4\n", "name: Porch\n")
                .replace("sinks:\n", "sinks:\n- name: sink_00000000_51\n  ip: 192.168.1.99\n") + "mine:\n  note: kept\n";
        Files.writeString(path, text);
        Files.setLastModifiedTime(path, FileTime.from(Instant.now().minusSeconds(5)));

        assertThat(file.apply(List.of(sink(3, 6003, true), sink(7, 6007, true), sink(50, 5050, true))))
                .isEqualTo(ConfigFile.Outcome.DONE);
        String merged = Files.readString(path);
        List<Map<String, Object>> sinks = sinks(merged);
        assertThat(sinks).extracting(m -> m.get("name")).doesNotHaveDuplicates().contains("Porch", "sink_00000000_51");
        assertThat(Fixtures.load(merged)).containsEntry("mine", Map.of("note", "kept"));
        assertThat(Fixtures.byConfigId(Fixtures.load(merged), "sinks", id3)).containsEntry("name", "Porch").containsEntry("port", 6003);
        assertThat(Fixtures.byConfigId(Fixtures.load(merged), "sinks", id7)).as("written again with the same config_id")
                .containsEntry("port", 6007);
        assertThat(file.entries()).hasSize(51);
        Set<Object> configIds = new HashSet<>();
        sinks.forEach(s -> configIds.add(s.get("config_id")));
        assertThat(configIds).hasSize(sinks.size()); // the user's entry has none: null counted once

        // the kept document answers the next change as a fresh read of the file would
        assertThat(file.apply(List.of(sink(3, 7003, false), PendingChange.removal(uuid(10))))).isEqualTo(ConfigFile.Outcome.DONE);
        String again = Files.readString(path);
        ConfigDocument reread = ConfigDocument.parse(again);
        assertThat(reread.dump()).isEqualTo(again);
        assertThat(Fixtures.byConfigId(Fixtures.load(again), "sinks", id3)).containsEntry("port", 7003).containsEntry("enabled", false);
        assertThat(file.entries()).hasSize(50).doesNotContainKey(uuid(10));
    }

    @Test
    void theKeptEntryTextsGiveWhatAWholeDumpGivesThroughCreatesUpdatesRemovalsAndOddScalars() throws Exception {
        String odd = """
                sinks:
                - name: 'true'
                  ip: "192.168.1.2"
                  port: '5004'
                  volume: 0.5
                  note: a text with spaces that is long enough to be folded at eighty columns by the emitter, or not
                  empty: ''
                  nothing:
                  tilde: ~
                  v6: fe80::1
                  colon: 'a: b'
                  hash: x #not a comment
                  dash: -x
                  yes: no
                  unicode: Küche
                  multi: "a\\nb"
                  flow: [1, 2]
                  map: {a: 1}
                  tagged: !!str 5
                  1: one
                - {name: flowy, ip: 10.0.0.1}
                - just a scalar item
                - name: plain
                  ip: 10.0.0.2
                  port: 4010
                  enabled: true
                  config_id: 0b6d2c1e-7e61-4c55-9d63-3f9e1c3b2a10
                sources: []
                routes:
                - name: r
                  sink: plain
                """;
        ConfigDocument doc = ConfigDocument.parse(odd);
        assertThat(doc.dump()).isEqualTo(doc.dumpWhole());
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 20; i++) {
                doc.apply(sink(i, 5000 + i + round, i % 3 != round), ids);
            }
            doc.apply(PendingChange.removal(uuid(round * 5)), ids);
            doc.apply(PendingChange.offline(uuid(round * 5 + 1)), ids);
            assertThat(doc.dump()).as("round %d", round).isEqualTo(doc.dumpWhole());
        }
        assertThat(ConfigDocument.parse(doc.dump()).dump()).isEqualTo(doc.dump());

        // ScreamRouter's own form (pickled models) without its anchors, and the plain fixture without its routes
        String pickled = new String(getClass().getResourceAsStream("/screamrouter/screamrouter-config.yaml").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        for (String text : List.of(pickled, Fixtures.SCREAMROUTER_YAML.substring(Fixtures.SCREAMROUTER_YAML.indexOf("sinks:")))) {
            ConfigDocument d = ConfigDocument.parse(text);
            d.dump();
            d.apply(sink(1, 5001, true), ids);
            d.apply(PendingChange.offline(uuid(1)), ids);
            assertThat(d.dump()).isEqualTo(d.dumpWhole());
        }
    }

    @Test
    void anEditRightAfterTheServersWriteIsNotTakenForTheServersOwn() throws Exception {
        // ScreamRouter rewrites the file in place between the server's rename and its look at the result
        Path path = dir.resolve("config.yaml");
        ConfigFileWriter editedRightAfter = (target, content) -> {
            new AtomicFileWriter().write(target, content);
            if (target.equals(path)) {
                Files.writeString(target, content.replace("  enabled: true\n", "  enabled: true\n  volume: 0.3\n"));
            }
        };
        ConfigFile file = new ConfigFile(path, editedRightAfter, java.time.Clock.systemUTC());
        assertThat(file.apply(List.of(sink(0, 5000, true)))).isEqualTo(ConfigFile.Outcome.DONE);
        assertThat(file.changedOnDisk()).as("the poll must read it").isTrue();
        file.read();
        assertThat(file.entries().get(uuid(0))).containsEntry("volume", 0.3);
        assertThat(file.changedOnDisk()).isFalse();
    }
}
