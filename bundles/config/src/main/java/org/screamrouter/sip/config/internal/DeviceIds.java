package org.screamrouter.sip.config.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which config.yaml entry belongs to which SIP device: device UUID and list ({@code sinks}/{@code sources}) to the
 * entry's {@code config_id}, ScreamRouter's own stable key. config.yaml itself cannot hold the device UUID: pydantic
 * drops unknown keys whenever ScreamRouter saves. The map lives in a small text file next to config.yaml
 * ({@code config.yaml.sip-devices}), one line per entry: {@code <device uuid> <sinks|sources> <config_id>}, written
 * atomically. Confined to the component's executor.
 */
final class DeviceIds {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceIds.class);
    static final String SUFFIX = ".sip-devices";
    private static final String HEADER = "# Written by the ScreamRouter SIP server: which config.yaml entry (config_id) belongs to which\n"
            + "# SIP device (UUID). One line per entry: <device uuid> <sinks|sources> <config_id>\n";

    private final Path path;
    private final ConfigFileWriter writer;
    /** device uuid (compared ignoring case, kept as first seen) to section to config_id. */
    private final TreeMap<String, Map<String, String>> ids = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    /** The reverse of {@link #ids}: section to config_id to device uuid, so that {@link #deviceOf} is a lookup. */
    private final Map<String, Map<String, String>> devices = Map.of("sinks", new HashMap<>(), "sources", new HashMap<>());
    private boolean loaded;
    private boolean dirty;

    DeviceIds(Path path, ConfigFileWriter writer) {
        this.path = path;
        this.writer = writer;
    }

    /** The store of a config.yaml: next to it, named after it. */
    static Path beside(Path configFile) {
        return configFile.resolveSibling(configFile.getFileName() + SUFFIX);
    }

    Path path() {
        return path;
    }

    /** Reads the file the first time it is needed; a line that cannot be read is skipped with a warning. */
    void load() {
        if (loaded) {
            return;
        }
        loaded = true;
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            LOG.error("cannot read {} ({}): device entries are matched by their old uuid key and name only", path, e.toString());
            return;
        }
        int n = 0;
        for (String line : text.split("\\R")) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] parts = l.split("\\s+");
            if (parts.length != 3 || !(parts[1].equals("sinks") || parts[1].equals("sources"))) {
                LOG.warn("{} line {}: '{}' is not '<device uuid> <sinks|sources> <config_id>': skipped", path, n, l);
                continue;
            }
            put(parts[0], parts[1], parts[2]);
        }
    }

    Optional<String> configId(String uuid, String section) {
        load();
        return Optional.ofNullable(ids.getOrDefault(uuid, Map.of()).get(section));
    }

    /** The device an entry belongs to, by its config_id. */
    Optional<String> deviceOf(String configId, String section) {
        load();
        if (configId == null) {
            return Optional.empty();
        }
        Map<String, String> bySection = devices.get(section);
        return bySection == null ? Optional.empty() : Optional.ofNullable(bySection.get(configId));
    }

    void assign(String uuid, String section, String configId) {
        load();
        String before = put(uuid, section, configId);
        if (!configId.equals(before)) {
            dirty = true;
            LOG.debug("config.yaml: device {} is the {} entry with config_id {}", uuid, section.substring(0, section.length() - 1), configId);
        }
    }

    /** Sets one mapping in both directions; returns the config_id the device had in that section. */
    private String put(String uuid, String section, String configId) {
        Map<String, String> sections = ids.computeIfAbsent(uuid, k -> new TreeMap<>());
        String stored = ids.ceilingKey(uuid); // the spelling first seen: the map compares ignoring case
        String before = sections.put(section, configId);
        Map<String, String> reverse = devices.get(section);
        if (before != null && !before.equals(configId)) {
            reverse.remove(before, stored);
        }
        reverse.put(configId, stored);
        return before;
    }

    /** Drops the device's mappings (it was forgotten by the registrar and its entries removed). */
    void forget(String uuid) {
        load();
        String stored = ids.ceilingKey(uuid);
        if (stored == null || !stored.equalsIgnoreCase(uuid)) {
            return;
        }
        Map<String, String> sections = ids.remove(stored);
        sections.forEach((section, configId) -> devices.get(section).remove(configId, stored));
        dirty = true;
    }

    /** Every mapping: device uuid to section to config_id (a snapshot). */
    Map<String, Map<String, String>> all() {
        load();
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        ids.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        return Collections.unmodifiableMap(copy);
    }

    boolean dirty() {
        return dirty;
    }

    /** Writes the map if it changed since it was read or last saved. */
    void save() throws IOException {
        if (!dirty) {
            return;
        }
        StringBuilder s = new StringBuilder(HEADER);
        ids.forEach((uuid, sections) -> sections.forEach((section, id) -> s.append(uuid).append(' ').append(section).append(' ').append(id).append('\n')));
        writer.write(path, s.toString());
        dirty = false;
    }
}
