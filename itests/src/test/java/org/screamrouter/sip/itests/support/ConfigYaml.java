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

    public static Optional<Map<String, String>> byUuid(String yaml, String section, String uuid) {
        return entries(yaml, section).stream().filter(e -> uuid.equals(e.get("uuid"))).findFirst();
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
