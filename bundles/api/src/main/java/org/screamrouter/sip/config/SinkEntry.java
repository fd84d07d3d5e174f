package org.screamrouter.sip.config;

import java.util.Map;

/**
 * A {@code sinks:} entry of ScreamRouter's config.yaml, typed: the fields the SIP side reads, one way for every
 * bundle. ScreamRouter writes {@code config_id}; entries of SIP devices also carry {@code uuid}.
 *
 * @param name     the entry's {@code name}, how users and the Request-URI of a call name it
 * @param uuid     {@code uuid}, else {@code config_id}; null when it has neither
 * @param configId {@code config_id}, or null
 * @param enabled  {@code enabled}, true when absent (ScreamRouter's default)
 */
public record SinkEntry(String name, String uuid, String configId, boolean enabled) {
    /** From the entry's fields as {@link ConfigurationManager#sinks()} gives them. */
    public static SinkEntry of(Map<String, Object> fields) {
        String configId = text(fields.get("config_id"));
        String uuid = text(fields.get("uuid"));
        Object enabled = fields.get("enabled");
        return new SinkEntry(text(fields.get("name")), uuid != null ? uuid : configId, configId,
                !(enabled instanceof Boolean b) || b);
    }

    private static String text(Object o) {
        return o == null ? null : String.valueOf(o);
    }
}
