package org.screamrouter.sip.audio.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A configured sink input: {@code name:port} or {@code name:port:toneHz}. The name is everything before the last
 * port field, so names may hold colons only when the port follows.
 */
record SinkSpec(String sinkId, int port, double toneFrequency) {

    /** Parses the configured entries; a bad entry fails the whole list with the entry named. */
    static Map<String, SinkSpec> parse(String[] entries, double defaultTone) {
        Map<String, SinkSpec> sinks = new LinkedHashMap<>();
        for (String raw : flatten(entries)) {
            String e = raw.trim();
            if (e.isEmpty()) continue;
            List<String> parts = new ArrayList<>(List.of(e.split(":")));
            try {
                double tone = defaultTone;
                if (parts.size() >= 3 && parts.get(parts.size() - 1).matches("\\d+(\\.\\d+)?")
                        && parts.get(parts.size() - 2).matches("\\d+")) {
                    tone = Double.parseDouble(parts.remove(parts.size() - 1));
                }
                if (parts.size() < 2) throw new IllegalArgumentException("no port");
                int port = Integer.parseInt(parts.remove(parts.size() - 1));
                if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port);
                String name = String.join(":", parts).trim();
                if (name.isEmpty()) throw new IllegalArgumentException("no sink name");
                if (!(tone > 0 && tone < Mix.RATE / 2.0)) throw new IllegalArgumentException("tone " + tone + " Hz");
                if (sinks.put(name, new SinkSpec(name, port, tone)) != null) throw new IllegalArgumentException("sink listed twice");
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("sinks entry '" + e + "': " + ex.getMessage(), ex);
            }
        }
        return sinks;
    }

    /** Entries as given, each also split at commas (a .cfg file gives one comma-separated string). */
    static List<String> flatten(String[] entries) {
        List<String> out = new ArrayList<>();
        for (String e : entries == null ? new String[0] : entries) {
            for (String part : e.split(",")) {
                if (!part.isBlank()) out.add(part.trim());
            }
        }
        return out;
    }
}
