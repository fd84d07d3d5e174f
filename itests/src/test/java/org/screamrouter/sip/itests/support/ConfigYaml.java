package org.screamrouter.sip.itests.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads ScreamRouter's config.yaml as the ConfigurationManager writes it (block style, docs/config-yaml.md): the
 * scalar fields of each entry of {@code sinks} / {@code sources}. Deliberately not the server's own YAML code, so
 * the two cannot agree by sharing a bug; nested mappings (equalizer) are skipped.
 */
public final class ConfigYaml {
    private ConfigYaml() {
    }

    /** The file the running Karaf's ConfigurationManager writes by default. */
    public static Path inKarafData() {
        return Path.of(System.getProperty("karaf.data"), "screamrouter", "config.yaml");
    }

    public static String read(Path file) throws IOException {
        return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /** The entries of one top-level list, each as its scalar key/value pairs (quotes removed). */
    public static List<Map<String, String>> entries(String yaml, String section) {
        List<Map<String, String>> out = new ArrayList<>();
        boolean inSection = false;
        Map<String, String> current = null;
        int keyIndent = -1;
        for (String line : yaml.split("\\R")) {
            if (line.isBlank() || line.trim().startsWith("#")) continue;
            boolean topLevel = !line.startsWith(" ") && !line.startsWith("-");
            if (topLevel) {
                inSection = line.startsWith(section + ":");
                current = null;
                continue;
            }
            if (!inSection) continue;
            String stripped = line.stripLeading();
            int indent = line.length() - stripped.length();
            if (stripped.startsWith("- ")) {
                current = new LinkedHashMap<>();
                out.add(current);
                keyIndent = indent + 2;
                put(current, stripped.substring(2));
            } else if (current != null && indent == keyIndent) {
                put(current, stripped);
            }
        }
        return out;
    }

    /**
     * A device's entry in the Karaf data's config.yaml text: config.yaml holds no device UUID (ScreamRouter's pydantic
     * models would drop it), so the UUID is looked up in the server's map next to the file ({@code
     * config.yaml.sip-devices}: {@code <uuid> <sinks|sources> <config_id>} per line) and the entry found by config_id.
     */
    public static Optional<Map<String, String>> byUuid(String yaml, String section, String uuid) {
        return configId(inKarafData(), section, uuid)
                .flatMap(id -> entries(yaml, section).stream().filter(e -> id.equals(e.get("config_id"))).findFirst());
    }

    /** The config_id the server's map gives a device's entry in one list of the file. */
    public static Optional<String> configId(Path configFile, String section, String uuid) {
        Path map = configFile.resolveSibling(configFile.getFileName() + ".sip-devices");
        String text;
        try {
            text = read(map);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (String line : text.split("\\R")) {
            String[] parts = line.strip().split("\\s+");
            if (parts.length == 3 && !parts[0].startsWith("#") && parts[0].equalsIgnoreCase(uuid) && parts[1].equals(section)) {
                return Optional.of(parts[2]);
            }
        }
        return Optional.empty();
    }

    private static void put(Map<String, String> entry, String keyValue) {
        int colon = keyValue.indexOf(':');
        if (colon < 0) return;
        String key = keyValue.substring(0, colon).trim();
        String value = keyValue.substring(colon + 1).trim();
        if (value.length() >= 2 && (value.startsWith("'") && value.endsWith("'") || value.startsWith("\"") && value.endsWith("\""))) {
            value = value.substring(1, value.length() - 1);
        }
        entry.put(key, value);
    }
}
