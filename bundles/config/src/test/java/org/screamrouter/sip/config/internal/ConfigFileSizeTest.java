package org.screamrouter.sip.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Issue 13 item 4: SnakeYAML reads at most 3 MB (code points) by default. A config.yaml the server itself grew past that
 * could no longer be read, and so no device change was ever written again.
 */
class ConfigFileSizeTest {
    private static final int DEVICES = 16_000;

    @TempDir
    Path dir;

    @Test
    void aFileLargerThanSnakeYamlsDefaultLimitThatTheServerWroteIsReadAndWrittenAgain() throws Exception {
        Path path = dir.resolve("config.yaml");
        // what the server writes for DEVICES sinks, each entry made as the server makes it, dumped by the server's own
        // serializer (one merge of them all would take minutes: a merge looks each device up among the entries)
        List<Node> sinks = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            ConfigDocument one = ConfigDocument.parse("");
            one.apply(sinkChange(new UUID(0x5f7c1a2e_0000_4000L, 0x8000_0000_0000_0000L | i).toString(), 5004),
                    new DeviceIds(dir.resolve("scratch.sip-devices"), new AtomicFileWriter()));
            sinks.add(((SequenceNode) YamlNodes.get((MappingNode) YamlNodes.compose(one.dump()), "sinks")).getValue().get(0));
        }
        MappingNode root = (MappingNode) YamlNodes.compose("sinks: []\n");
        root.getValue().set(0, new org.yaml.snakeyaml.nodes.NodeTuple(root.getValue().get(0).getKeyNode(), YamlNodes.sequence(Tag.SEQ, sinks)));
        new AtomicFileWriter().write(path, YamlNodes.dump(root));
        long size = Files.size(path);
        assertThat(size).as("the file the server wrote").isGreaterThan(3L * 1024 * 1024);

        ConfigFile file = new ConfigFile(path, new AtomicFileWriter(),
                // the file was written just now, not by this ConfigFile: seen from past its settle time, it is not "being written"
                Clock.offset(Clock.systemUTC(), ConfigFile.SETTLE.multipliedBy(4)));
        String late = "1a7e0000-0000-4000-8000-000000000001";
        assertThat(file.apply(List.of(sinkChange(late, 5006)))).as("error: %s", file.error()).isEqualTo(ConfigFile.Outcome.DONE);
        assertThat(file.error()).isNull();
        assertThat(file.entries()).containsKey(late);
        long grown = Files.size(path);
        assertThat(grown).isGreaterThan(size);

        String later = "1a7e0000-0000-4000-8000-000000000002";
        assertThat(file.apply(List.of(sinkChange(later, 5008)))).as("error: %s", file.error()).isEqualTo(ConfigFile.Outcome.DONE);
        assertThat(Files.size(path)).isGreaterThan(grown);
        Node written = YamlNodes.get((MappingNode) YamlNodes.compose(Files.readString(path)), "sinks");
        assertThat(((SequenceNode) written).getValue()).hasSize(DEVICES + 2);
    }

    private static PendingChange sinkChange(String uuid, int port) {
        return PendingChange.registration(SipEntry.of(Fixtures.sink(uuid, port)).orElseThrow(), true);
    }
}
