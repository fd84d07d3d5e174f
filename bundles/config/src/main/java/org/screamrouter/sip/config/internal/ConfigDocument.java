package org.screamrouter.sip.config.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * One reading of ScreamRouter's config.yaml as plain YAML mappings (docs/config-yaml.md: ScreamRouter itself accepts plain
 * mappings per entry), changed in place by {@link #apply}. Mappings keep their key order ({@link LinkedHashMap}), so a
 * dump lists every foreign section, entry and key where it was; comments do not survive a load.
 *
 * <p>Loading is SnakeYAML's safe constructor: plain YAML types only, no Java or Python object tags (a file with such a
 * tag is refused, and so never overwritten). Duplicate keys are refused too: a rewrite would silently drop one.
 */
final class ConfigDocument {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigDocument.class);

    private final Map<String, Object> root;

    private ConfigDocument(Map<String, Object> root) {
        this.root = root;
    }

    /** Reads a config.yaml text; an empty text is an empty configuration. */
    static ConfigDocument parse(String text) throws ConfigParseException {
        Object loaded;
        try {
            loaded = new Yaml(new SafeConstructor(loaderOptions())).load(text);
        } catch (MarkedYAMLException e) {
            throw new ConfigParseException(describe(e), e);
        } catch (YAMLException e) {
            throw new ConfigParseException(e.getMessage(), e);
        }
        if (loaded == null) {
            return new ConfigDocument(new LinkedHashMap<>());
        }
        if (!(loaded instanceof Map<?, ?> map)) {
            throw new ConfigParseException("the top level is a " + typeName(loaded) + ", not a mapping of sinks, sources, routes, ...", null);
        }
        for (Object key : map.keySet()) {
            if (!(key instanceof String)) {
                throw new ConfigParseException("top-level key " + key + " is not a string", null);
            }
        }
        for (String section : List.of("sinks", "sources")) {
            Object list = map.get(section);
            if (list != null && !(list instanceof List<?>)) {
                throw new ConfigParseException("'" + section + "' is a " + typeName(list) + ", not a list", null);
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) map;
        return new ConfigDocument(root);
    }

    String dump() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setSplitLines(false);
        options.setAllowUnicode(true);
        return new Yaml(new SafeConstructor(loaderOptions()), new Representer(options), options).dump(root);
    }

    /** The whole configuration (live: changes show in the next dump). */
    Map<String, Object> root() {
        return root;
    }

    /**
     * Applies a device change. Only owned keys are written; a new entry also gets its name. Returns whether anything
     * changed, so that a change that brings nothing new (a keep-alive, an UPDATED of unowned details) writes nothing.
     */
    boolean apply(PendingChange change) {
        if (change.entry() == null) {
            boolean changed = false;
            for (String section : List.of("sinks", "sources")) {
                for (Map<String, Object> e : entries(section, change.uuid())) {
                    changed |= put(e, "enabled", change.enabled(), section);
                }
            }
            if (changed) {
                LOG.info("config.yaml: device {} disabled (offline)", change.uuid());
            }
            return changed;
        }
        SipEntry sip = change.entry();
        boolean changed = false;
        List<Map<String, Object>> found = entries(sip.section(), sip.uuid());
        if (found.isEmpty()) {
            Map<String, Object> created = new LinkedHashMap<>();
            String name = freeName(sip.section(), sip.baseName());
            created.put("name", name);
            created.putAll(sip.owned());
            created.put("enabled", change.enabled());
            section(sip.section()).add(created);
            LOG.info("config.yaml: device {} added to {} as {}{}", sip.uuid(), sip.section(), name,
                    change.enabled() ? "" : " (disabled: offline)");
            changed = true;
        } else {
            for (Map<String, Object> e : found) {
                for (Map.Entry<String, Object> f : sip.owned().entrySet()) {
                    changed |= put(e, f.getKey(), f.getValue(), sip.section());
                }
                changed |= put(e, "enabled", change.enabled(), sip.section());
            }
            if (changed) {
                LOG.info("config.yaml: device {} updated in {} ({})", sip.uuid(), sip.section(),
                        change.enabled() ? "enabled" : "disabled");
            }
        }
        // a device that now declares the other role no longer plays the old one: its old entry is disabled, kept
        String other = sip.section().equals("sinks") ? "sources" : "sinks";
        for (Map<String, Object> e : entries(other, sip.uuid())) {
            if (put(e, "enabled", false, other)) {
                LOG.info("config.yaml: device {} is no longer in {}: that entry is disabled", sip.uuid(), other);
                changed = true;
            }
        }
        return changed;
    }

    /** Every entry of {@code sinks} and {@code sources} that carries a uuid, by uuid (first one wins), as a snapshot. */
    Map<String, Map<String, Object>> entriesByUuid() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (String section : List.of("sinks", "sources")) {
            Object list = root.get(section);
            if (list instanceof List<?> items) {
                for (Object item : items) {
                    if (item instanceof Map<?, ?> m && m.get("uuid") != null) {
                        out.putIfAbsent(String.valueOf(m.get("uuid")), snapshot(m));
                    }
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Every entry of {@code sinks}, in file order, as snapshots. */
    List<Map<String, Object>> sinks() {
        List<Map<String, Object>> out = new ArrayList<>();
        if (root.get("sinks") instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> m) {
                    out.add(snapshot(m));
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static Map<String, Object> snapshot(Map<?, ?> m) {
        Map<String, Object> copy = new LinkedHashMap<>();
        m.forEach((k, v) -> copy.put(String.valueOf(k), v));
        return Collections.unmodifiableMap(copy);
    }

    private boolean put(Map<String, Object> entry, String key, Object value, String section) {
        if (entry.containsKey(key) && Objects.equals(entry.get(key), value)) {
            return false;
        }
        entry.put(key, value);
        LOG.debug("config.yaml: {} {} {} = {}", section, entry.get("name"), key, value);
        return true;
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> entries(String section, String uuid) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (root.get(section) instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> m && m.get("uuid") != null && String.valueOf(m.get("uuid")).equalsIgnoreCase(uuid)) {
                    out.add((Map<String, Object>) m);
                }
            }
        }
        return out;
    }

    /** The section's list, created (at the end of the file) when the file has none or an empty {@code sinks:}. */
    @SuppressWarnings("unchecked")
    private List<Object> section(String section) {
        Object list = root.get(section);
        if (list == null) {
            list = new ArrayList<>();
            root.put(section, list);
        }
        return (List<Object>) list;
    }

    /** The base name, or with {@code _2}, {@code _3}, ... when an entry of the section already has it (routes name entries). */
    private String freeName(String section, String base) {
        Set<String> taken = new HashSet<>();
        if (root.get(section) instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> m && m.get("name") != null) {
                    taken.add(String.valueOf(m.get("name")));
                }
            }
        }
        String name = base;
        for (int i = 2; taken.contains(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        // PyYAML writes anchors for shared objects; the default of 50 is meant for untrusted input
        options.setMaxAliasesForCollections(1000);
        return options;
    }

    /** "line 3, column 12: mapping values are not allowed here (while scanning ...)", 1-based as editors count. */
    static String describe(MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        StringBuilder s = new StringBuilder();
        if (mark != null) {
            s.append("line ").append(mark.getLine() + 1).append(", column ").append(mark.getColumn() + 1).append(": ");
        }
        s.append(e.getProblem() != null ? e.getProblem() : e.getMessage());
        if (e.getContext() != null) {
            s.append(" (").append(e.getContext());
            Mark context = e.getContextMark();
            if (context != null && mark != context) {
                s.append(" at line ").append(context.getLine() + 1).append(", column ").append(context.getColumn() + 1);
            }
            s.append(')');
        }
        return s.toString();
    }

    private static String typeName(Object o) {
        return o instanceof List<?> ? "list" : o instanceof Map<?, ?> ? "mapping" : "scalar";
    }
}
