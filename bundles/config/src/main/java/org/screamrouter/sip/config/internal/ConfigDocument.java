package org.screamrouter.sip.config.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.UUID;
import org.screamrouter.sip.sdp.DeviceRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One reading of ScreamRouter's config.yaml, changed in place by {@link #apply}. It is kept as a YAML node tree
 * ({@link YamlNodes}): every section, entry, key, tag and scalar the server does not own is written back as it was
 * read, including ScreamRouter's pickled pydantic models ({@code !!python/object:...}), which are never
 * instantiated. Entries are {@link EntryNode}s, plain or pickled; new ones take the form the file already has.
 *
 * <p>A device's entry is found by its {@code config_id} through {@link DeviceIds}; an entry not yet in that map is
 * adopted when it carries the device's {@code uuid} key (written by earlier versions) or, failing that, has the name
 * the server gives the device ({@code sink_5f7c1a2e}) and belongs to no other device.
 *
 * <p>Cost: each list is indexed once when the document is read ({@link SectionIndex}); a device change then costs the
 * same whatever the number of entries (no scan of a list, of names or of the id map). Snapshots of entries for the
 * views are kept per entry and made again only for entries a change touched. Confined to one thread at a time.
 */
final class ConfigDocument {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigDocument.class);
    private static final List<String> SECTIONS = List.of("sinks", "sources");

    private final MappingNode root;
    /** Whether the file is in ScreamRouter's own form: it does not change while the document lives. */
    private final boolean pickled;
    private final Map<String, SectionIndex> index = new HashMap<>();
    /** Plain snapshots of entries for the views, by entry node; dropped for an entry a change touches. */
    private final Map<Node, Snapshot> snapshots = new IdentityHashMap<>();
    /** The text of every entry as last written, made again only for entries a change touched. */
    private final ChunkedDump text = new ChunkedDump();
    /** A node is in the tree twice (anchors): then the whole tree is dumped by SnakeYAML, which writes the anchors. */
    private final boolean shared;

    /** What the views need of an entry: its ids (to find its device) and its fields with the device's uuid. */
    private record Snapshot(String configId, String uuidKey, String device, Map<String, Object> fields) {}

    private ConfigDocument(MappingNode root) {
        this.root = root;
        this.pickled = anyPickled(root);
        this.shared = YamlNodes.shared(root);
        for (String section : SECTIONS) {
            index.put(section, SectionIndex.of(YamlNodes.get(root, section) instanceof SequenceNode list ? list : null));
        }
    }

    /** Reads a config.yaml text; an empty text is an empty configuration. */
    static ConfigDocument parse(String text) throws ConfigParseException {
        Node node = YamlNodes.compose(text);
        if (node == null) {
            return new ConfigDocument(new MappingNode(Tag.MAP, new ArrayList<>(), DumperOptions.FlowStyle.BLOCK));
        }
        if (!(node instanceof MappingNode map) || !Tag.MAP.equals(node.getTag())) {
            throw new ConfigParseException(YamlNodes.at(node.getStartMark()) + "the top level is a " + typeName(node)
                    + ", not a mapping of sinks, sources, routes, ...", null);
        }
        for (NodeTuple t : map.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode)) {
                throw new ConfigParseException(YamlNodes.at(t.getKeyNode().getStartMark()) + "a top-level key is not a string", null);
            }
        }
        for (String section : SECTIONS) {
            Node list = YamlNodes.get(map, section);
            if (list != null && !(list instanceof SequenceNode) && !isNull(list)) {
                throw new ConfigParseException(YamlNodes.at(list.getStartMark()) + "'" + section + "' is a " + typeName(list) + ", not a list", null);
            }
        }
        return new ConfigDocument(map);
    }

    String dump() {
        compact();
        return text.dump(root, shared);
    }

    /** The whole tree dumped by SnakeYAML, as {@link #dump()} must write it (tests compare both). */
    String dumpWhole() {
        compact();
        return YamlNodes.dump(root);
    }

    /**
     * Whether the file is in ScreamRouter's own form (it saved it: entries are pickled pydantic models). New entries
     * then are pickled models too, so that the file stays one form.
     */
    boolean pickled() {
        return pickled;
    }

    private static boolean anyPickled(MappingNode root) {
        for (NodeTuple t : root.getValue()) {
            if (t.getValueNode() instanceof SequenceNode s && s.getValue().stream().anyMatch(YamlNodes::isPythonObject)) {
                return true;
            }
        }
        return false;
    }

    /** {@link #apply(PendingChange, DeviceIds, ActivityLog)} with every line at INFO (tests and tools: a few changes). */
    boolean apply(PendingChange change, DeviceIds ids) {
        return apply(change, ids, new ActivityLog(LOG, "config.yaml", java.time.Duration.ofDays(1), Integer.MAX_VALUE,
                java.time.Clock.systemUTC()));
    }

    /**
     * Applies a device change. Only owned fields are written; a new entry also gets its name and config_id. Returns
     * whether the file changed, so that a change that brings nothing new (a keep-alive, an UPDATED of details the
     * file does not hold) writes nothing; the id map may change either way. Each change is logged through {@code log}.
     */
    boolean apply(PendingChange change, DeviceIds ids, ActivityLog log) {
        if (change.removed()) {
            return remove(change.uuid(), ids, log);
        }
        if (change.entry() == null) {
            boolean changed = false;
            for (String section : SECTIONS) {
                EntryNode e = find(section, change.uuid(), null, ids, log);
                if (e != null) {
                    changed |= strip(e, section) | e.set("enabled", change.enabled());
                }
            }
            if (changed) {
                log.record("disabled", "config.yaml: device {} disabled (offline)", change.uuid());
            }
            return changed;
        }
        SipEntry sip = change.entry();
        String section = sip.section();
        boolean changed;
        EntryNode e = find(section, sip.uuid(), sip.role(), ids, log);
        if (e == null) {
            create(sip, change.enabled(), ids, log);
            changed = true;
        } else {
            changed = strip(e, section);
            for (Map.Entry<String, Object> f : sip.owned().entrySet()) {
                changed |= e.set(f.getKey(), f.getValue());
            }
            changed |= e.set("enabled", change.enabled());
            if (changed) {
                log.record("updated", "config.yaml: device {} updated in {} as {} ({})", sip.uuid(), section, e,
                        change.enabled() ? "enabled" : "disabled");
            }
        }
        // a device that now declares the other role no longer plays the old one: its old entry is disabled, kept
        String other = section.equals("sinks") ? "sources" : "sinks";
        EntryNode old = find(other, sip.uuid(), null, ids, log);
        if (old != null && (strip(old, other) | old.set("enabled", false))) {
            log.record("moved to the other list", "config.yaml: device {} is no longer in {}: that entry ({}) is disabled",
                    sip.uuid(), other, old);
            changed = true;
        }
        return changed;
    }

    /** Removes the device's entries from both sections and its id mappings; returns whether the file changed. */
    private boolean remove(String uuid, DeviceIds ids, ActivityLog log) {
        boolean changed = false;
        for (String section : SECTIONS) {
            EntryNode e = find(section, uuid, null, ids, log);
            if (e != null) {
                index.get(section).remove(e);
                touch(e);
                log.record("removed", "config.yaml: device {} removed from {} ({}): the registrar forgot it", uuid, section, e);
                changed = true;
            }
        }
        ids.forget(uuid);
        return changed;
    }

    private void create(SipEntry sip, boolean enabled, DeviceIds ids, ActivityLog log) {
        String section = sip.section();
        String configId = ids.configId(sip.uuid(), section).orElseGet(() -> UUID.randomUUID().toString());
        SectionIndex entries = index.get(section);
        String name = entries.freeName(sip.baseName());
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", name);
        fields.putAll(sip.owned());
        fields.put("enabled", enabled);
        fields.put("config_id", configId);
        Node node;
        if (pickled) {
            node = PydanticEntries.create(section, fields).node();
        } else {
            List<NodeTuple> tuples = new ArrayList<>();
            fields.forEach((k, v) -> tuples.add(new NodeTuple(YamlNodes.scalar(k), YamlNodes.scalar(v))));
            node = YamlNodes.mapping(Tag.MAP, tuples);
        }
        SequenceNode list = section(section);
        list.getValue().add(node);
        list.setFlowStyle(DumperOptions.FlowStyle.BLOCK);
        entries.add(EntryNode.of(node));
        ids.assign(sip.uuid(), section, configId);
        log.record("added", "config.yaml: device {} added to {} as {} (config_id {}){}", sip.uuid(), section, name, configId,
                enabled ? "" : ", disabled: offline");
    }

    /**
     * The device's entry in a section: the one with its mapped config_id, else one to adopt (with the device's old
     * {@code uuid} key or, when {@code role} is given, the server's name for it), or {@code null}. Lookups only.
     */
    private EntryNode find(String section, String uuid, DeviceRole role, DeviceIds ids, ActivityLog log) {
        SectionIndex entries = index.get(section);
        Optional<String> mapped = ids.configId(uuid, section);
        if (mapped.isPresent()) {
            EntryNode e = entries.byConfigId(mapped.get());
            if (e != null) {
                touch(e); // the caller may change it
                return e;
            }
        }
        EntryNode adopt = null;
        String how = null;
        for (EntryNode e : entries.byUuidKey(uuid)) {
            if (free(e, uuid, section, ids)) {
                adopt = e;
                how = "its uuid key";
                break;
            }
        }
        if (adopt == null && role != null) {
            for (EntryNode e : entries.byName(SipEntry.baseName(role, uuid))) {
                if (e.text("uuid") == null && free(e, uuid, section, ids)) {
                    adopt = e;
                    how = "its name";
                    break;
                }
            }
        }
        if (adopt == null) {
            return null;
        }
        touch(adopt);
        String configId = adopt.text("config_id");
        if (configId == null || configId.isBlank()) {
            configId = UUID.randomUUID().toString();
            entries.configIdChanged(adopt, configId);
            adopt.set("config_id", configId);
        }
        ids.assign(uuid, section, configId);
        log.record("adopted", "config.yaml: the {} entry {} is device {}'s, found by {}", section, adopt, uuid, how);
        return adopt;
    }

    /** The entry may change: its snapshot and its text are made again when next needed. */
    private void touch(EntryNode e) {
        snapshots.remove(e.node());
        text.forget(e.node());
    }

    /** An entry no other device owns. */
    private static boolean free(EntryNode e, String uuid, String section, DeviceIds ids) {
        return ids.deviceOf(e.text("config_id"), section).map(uuid::equalsIgnoreCase).orElse(true);
    }

    /** Removes the keys earlier versions wrote (pydantic drops them anyway). */
    private boolean strip(EntryNode e, String section) {
        if (e.field("uuid") != null) {
            index.get(section).uuidKeyRemoved(e);
        }
        boolean changed = false;
        for (String key : SipEntry.LEGACY_KEYS) {
            changed |= e.remove(key);
        }
        return changed;
    }

    // views

    /** Every entry of {@code sinks}, in file order, as plain snapshots; a device's entry also names it ({@code uuid}). */
    List<Map<String, Object>> sinks(DeviceIds ids) {
        compact();
        List<Map<String, Object>> out = new ArrayList<>();
        for (EntryNode e : entries("sinks")) {
            out.add(snapshot(e, device(e, "sinks", ids)));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Every device's entry by device uuid, as a plain snapshot with the device's {@code uuid}; a device with an entry
     * in both lists (it changed role) shows the enabled one, else the first.
     */
    Map<String, Map<String, Object>> entriesByUuid(DeviceIds ids) {
        compact();
        Map<String, Map<String, Object>> out = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String section : SECTIONS) {
            for (EntryNode e : entries(section)) {
                String device = device(e, section, ids);
                if (device == null) {
                    continue;
                }
                Map<String, Object> now = snapshot(e, device);
                Map<String, Object> before = out.get(device);
                if (before == null || Boolean.FALSE.equals(before.get("enabled")) && !Boolean.FALSE.equals(now.get("enabled"))) {
                    out.put(device, now);
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** The device an entry belongs to: by the id map, else by an old {@code uuid} key; {@code null} for the user's entries. */
    private String device(EntryNode e, String section, DeviceIds ids) {
        Snapshot kept = snapshots.get(e.node());
        String configId = kept != null ? kept.configId() : e.text("config_id");
        String uuidKey = kept != null ? kept.uuidKey() : e.text("uuid");
        return ids.deviceOf(configId, section).orElse(uuidKey);
    }

    private Map<String, Object> snapshot(EntryNode e, String device) {
        Snapshot kept = snapshots.get(e.node());
        if (kept != null && Objects.equals(kept.device(), device)) {
            return kept.fields();
        }
        Map<String, Object> copy = e.values();
        if (copy == null) {
            copy = new LinkedHashMap<>();
            if (NodeView.of(e.node()) instanceof Map<?, ?> fields) {
                for (Map.Entry<?, ?> f : fields.entrySet()) {
                    copy.put(String.valueOf(f.getKey()), f.getValue());
                }
            }
        }
        if (device != null) {
            copy.putIfAbsent("uuid", device);
        }
        Map<String, Object> made = Collections.unmodifiableMap(copy);
        snapshots.put(e.node(), new Snapshot(e.text("config_id"), e.text("uuid"), device, made));
        return made;
    }

    private List<EntryNode> entries(String section) {
        List<EntryNode> out = new ArrayList<>();
        if (YamlNodes.get(root, section) instanceof SequenceNode list) {
            for (Node item : list.getValue()) {
                EntryNode e = EntryNode.of(item);
                if (e != null) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** Takes the removed entries out of their lists, one pass per list. */
    private void compact() {
        for (String section : SECTIONS) {
            index.get(section).compact(YamlNodes.get(root, section) instanceof SequenceNode list ? list : null);
        }
    }

    /** The section's list, created when the file has none (or {@code sinks:} with nothing, which reads as null). */
    private SequenceNode section(String section) {
        if (YamlNodes.get(root, section) instanceof SequenceNode list) {
            return list;
        }
        SequenceNode list = YamlNodes.sequence(Tag.SEQ, List.of());
        YamlNodes.put(root, section, list);
        return list;
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    private static String typeName(Node node) {
        return node instanceof SequenceNode ? "list" : node instanceof MappingNode ? "mapping" : "scalar";
    }
}
