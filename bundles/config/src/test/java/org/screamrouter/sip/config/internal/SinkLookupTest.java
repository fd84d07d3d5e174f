package org.screamrouter.sip.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.config.ConfigFileStatus;
import org.screamrouter.sip.config.ConfigurationManager;
import org.screamrouter.sip.config.SinkEntry;
import org.screamrouter.sip.registrar.Device;

/** A call's target looked up among config.yaml's sinks: by keys kept with the view, the same answer as reading them all. */
class SinkLookupTest {
    @TempDir
    Path dir;

    @Test
    void aTargetNoEntryHasParsesNoEntry() {
        SinkLookup lookup = new SinkLookup(5_000);
        for (int i = 0; i < 5_000; i++) lookup.add(i, "sink_" + i, ConfigIndexTest.uuid(i), "id-" + i);
        AtomicInteger parsed = new AtomicInteger();
        java.util.function.IntFunction<SinkEntry> entries = i -> {
            parsed.incrementAndGet();
            return new SinkEntry("sink_" + i, ConfigIndexTest.uuid(i), "id-" + i, true);
        };
        assertThat(lookup.find("nobody", entries)).isEmpty();
        assertThat(parsed).as("entries parsed for a target nobody has").hasValue(0);
        assertThat(lookup.find("SINK_4321", entries)).map(SinkEntry::name).contains("sink_4321");
        assertThat(lookup.find("ID-17", entries)).map(SinkEntry::name).contains("sink_17");
        assertThat(parsed).hasValue(2);
    }

    /**
     * Names made to share {@code String.hashCode} ("az" and "b[" have one hash, so every string of twelve such pairs
     * shares it with 4,095 others, also after case folding): with that hash they formed one run of 4,096 occupied
     * slots, which every lookup of a name with that hash walked (a lookup per INVITE; names come from whoever
     * registers). The keyed hash scatters them as it scatters any names.
     */
    @Test
    void namesMadeToShareStringsHashDoNotShareASlot() {
        int n = 4096;
        SinkLookup lookup = new SinkLookup(n);
        java.util.Set<Integer> hashes = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            StringBuilder name = new StringBuilder();
            for (int bit = 0; bit < 12; bit++) name.append((i >> bit & 1) == 0 ? "az" : "b[");
            hashes.add(name.toString().hashCode());
            lookup.add(i, name.toString(), null, null);
        }
        assertThat(hashes).as("the names share one String.hashCode").hasSize(1);
        assertThat(lookup.longestRun()).as("the longest run of slots a lookup may walk, of %d names", n).isLessThan(64);
        String absent = "c<" + "az".repeat(11); // "c<" shares the hash of "az" too: not a name in the table
        assertThat(absent.hashCode()).isIn(hashes);
        AtomicInteger parsed = new AtomicInteger();
        assertThat(lookup.find(absent, i -> {
            parsed.incrementAndGet();
            return null;
        })).isEmpty();
        assertThat(parsed).hasValue(0);
    }

    @Test
    void theLookupAnswersAsReadingEverySinkWould() throws Exception {
        Path path = dir.resolve("config.yaml");
        ConfigFile file = new ConfigFile(path, new AtomicFileWriter(), java.time.Clock.systemUTC());
        List<PendingChange> devices = new ArrayList<>();
        for (int i = 0; i < 300; i++) devices.add(ConfigIndexTest.sink(i, 5000 + i, i % 3 != 0));
        assertThat(file.apply(devices)).isEqualTo(ConfigFile.Outcome.DONE);
        // the user's own sinks, written by hand: names that differ in case only, an own uuid, a config_id that is
        // another entry's name, one without a name
        String text = Files.readString(path).replace("sinks:\n", "sinks:\n"
                + "- name: Kitchen\n  ip: 192.168.1.10\n  config_id: 11111111-AAAA\n"
                + "- name: kitchen\n  ip: 192.168.1.11\n  enabled: false\n"
                + "- name: Porch\n  ip: 192.168.1.12\n  uuid: 5F7C1A2E-9B7D\n"
                + "- name: Garage\n  ip: 192.168.1.13\n  config_id: porch\n"
                + "- ip: 192.168.1.14\n  config_id: nameless\n");
        Files.writeString(path, text);
        Files.setLastModifiedTime(path, FileTime.from(Instant.now().minusSeconds(5)));
        assertThat(file.apply(List.of(ConfigIndexTest.sink(300, 5300, true)))).isEqualTo(ConfigFile.Outcome.DONE);

        ConfigurationManager everySink = new ConfigurationManager() { // the interface's own rule, reading every entry
            @Override public void handleSipRegistration(Device device) { }
            @Override public void handleSipDeviceOffline(String uuid) { }
            @Override public Optional<Map<String, Object>> getSipConfigForDevice(String uuid) { return Optional.empty(); }
            @Override public List<Map<String, Object>> sinks() { return file.sinks(); }
            @Override public ConfigFileStatus status() { throw new UnsupportedOperationException(); }
        };
        List<String> targets = new ArrayList<>(List.of("Kitchen", "kitchen", "KITCHEN", "11111111-aaaa", "5f7c1a2e-9b7d", "porch",
                "PORCH", "Garage", "nameless", "NAMELESS", "nobody", "", "sink_00000000", "SINK_00000000_2"));
        for (int i = 0; i <= 300; i += 37) {
            targets.add(ConfigIndexTest.uuid(i));
            targets.add(ConfigIndexTest.uuid(i).toUpperCase(java.util.Locale.ROOT));
        }
        for (Map<String, Object> s : file.sinks()) {
            if (s.get("config_id") != null) targets.add(String.valueOf(s.get("config_id")).toUpperCase(java.util.Locale.ROOT));
        }
        int found = 0;
        for (String target : targets) {
            Optional<SinkEntry> expected = everySink.sinkEntry(target);
            assertThat(file.sinkEntry(target)).as(target).isEqualTo(expected);
            if (expected.isPresent()) found++;
        }
        assertThat(found).as("targets that name a sink").isGreaterThan(targets.size() / 2);
        assertThat(file.sinkEntry("kitchen")).map(SinkEntry::enabled).contains(false);
        assertThat(file.sinkEntry("PORCH")).map(SinkEntry::name).contains("Porch");
    }
}
