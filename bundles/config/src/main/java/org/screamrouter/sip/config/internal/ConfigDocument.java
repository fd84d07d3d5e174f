package org.screamrouter.sip.config.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * One reading of ScreamRouter's config.yaml, changed in place by {@link #apply}. Every section, entry, key, tag and
 * scalar the server does not own is written back as it was read (as {@link YamlNodes#dump} writes the tree), including
 * ScreamRouter's pickled pydantic models ({@code !!python/object:...}), which are never instantiated. Entries are
 * {@link EntryNode}s, plain or pickled; new ones take the form the file already has.
 *
 * <p>What is kept: the document's skeleton as a YAML node tree (every top-level section but the items of
 * {@code sinks:} and {@code sources:}, which are few and small), and those items as {@link StoredEntry}s: the text the
 * dump writes for each plus its index keys. An entry is parsed ({@link EntryCodec}) only while a change works on it
 * and written back to text when the change is done; the views parse an entry when it is read. A node tree per entry
 * cost about 1.6 KB and a snapshot map about 0.8 KB, per device (docs/performance.md, "Memory per device").
 *
 * <p>A device's entry is found by its {@code config_id} through {@link DeviceIds}; an entry not yet in that map is
 * adopted when it carries the device's {@code uuid} key (written by earlier versions) or, failing that, has the name
 * the server gives the device ({@code sink_5f7c1a2e}) and belongs to no other device.
 *
 * <p>Cost: each list is indexed once when the document is read ({@link SectionIndex}); a device change then costs the
 * same whatever the number of entries (no scan of a list, of names or of the id map): it parses and writes the text of
 * the entries it touches. Confined to one thread at a time; the views it hands out are immutable.
 */
final class ConfigDocument {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigDocument.class);
    private static final List<String> SECTIONS = List.of("sinks", "sources");

    /** The document without the items of its sections (their list nodes are there, empty). */
    private final MappingNode root;
    /** Whether the file is in ScreamRouter's own form: it does not change while the document lives. */
    private final boolean pickled;
    private final Map<String, SectionIndex> index = new HashMap<>();
    private final EntryCodec codec = new EntryCodec();
    private final ChunkedDump text = new ChunkedDump(codec);
    /** A node is in the tree twice (anchors): then the skeleton is dumped whole by SnakeYAML, which writes the anchors. */
    private final boolean shared;
    /** The entries the change being applied opened: made text again when it is done. */
    private final List<StoredEntry> opened = new ArrayList<>();

    private ConfigDocument(MappingNode root) throws ConfigParseException {
        this.root = root;
        this.pickled = anyPickled(root);
        Set<Node> twice = YamlNodes.sharedNodes(root);
        this.shared = !twice.isEmpty();
        for (String section : SECTIONS) {
            SectionIndex entries = new SectionIndex();
            index.put(section, entries);
            if (!(YamlNodes.get(root, section) instanceof SequenceNode list)) {
                continue;
            }
            if (twice.contains(list)) {
                throw new ConfigParseException(YamlNodes.at(list.getStartMark()) + "'" + section
                        + "' is a list that is also elsewhere in the file (an anchor or alias): the server cannot keep its entries apart", null);
            }
            for (Node item : list.getValue()) {
                EntryNode e = EntryNode.of(item);
                if (e == null || shared && YamlNodes.holdsAny(item, twice)) {
                    entries.add(StoredEntry.pinned(item, e));
                } else {
                    entries.add(StoredEntry.text(codec.text(item), e));
                }
            }
            list.getValue().clear();
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
        return text.dump(root, sectionItems(), shared);
    }

    /** The whole tree dumped by SnakeYAML, as {@link #dump()} must write it (tests compare both). */
    String dumpWhole() {
        compact();
        return text.dumpWhole(root, sectionItems());
    }

    /** The items of each section by its list node in the skeleton. */
    private Map<Node, List<StoredEntry>> sectionItems() {
        Map<Node, List<StoredEntry>> out = new IdentityHashMap<>();
        for (String section : SECTIONS) {
            if (YamlNodes.get(root, section) instanceof SequenceNode list) {
                out.put(list, index.get(section).items());
            }
        }
        return out;
    }

    /** How many entries are held as node trees now (pinned ones; none between changes otherwise). Tests. */
    int entriesHeldAsNodes() {
        int n = 0;
        for (SectionIndex s : index.values()) {
            for (StoredEntry e : s.items()) {
                n += e.node() != null ? 1 : 0;
            }
        }
        return n;
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
        try {
            return applyOpen(change, ids, log);
        } finally {
            settle();
        }
    }

    private boolean applyOpen(PendingChange change, DeviceIds ids, ActivityLog log) {
        if (change.removed()) {
            return remove(change.uuid(), ids, log);
        }
        if (change.entry() == null) {
            boolean changed = false;
            for (String section : SECTIONS) {
                StoredEntry e = find(section, change.uuid(), null, ids, log);
                if (e != null) {
                    changed |= strip(e, section) | set(e, "enabled", change.enabled());
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
        StoredEntry e = find(section, sip.uuid(), sip.role(), ids, log);
        if (e == null) {
            create(sip, change.enabled(), ids, log);
            changed = true;
        } else {
            changed = strip(e, section);
            for (Map.Entry<String, Object> f : sip.owned().entrySet()) {
                changed |= set(e, f.getKey(), f.getValue());
            }
            changed |= set(e, "enabled", change.enabled());
            if (changed) {
                log.record("updated", "config.yaml: device {} updated in {} as {} ({})", sip.uuid(), section, e,
                        change.enabled() ? "enabled" : "disabled");
            }
        }
        // a device that now declares the other role no longer plays the old one: its old entry is disabled, kept
        String other = section.equals("sinks") ? "sources" : "sinks";
        StoredEntry old = find(other, sip.uuid(), null, ids, log);
        if (old != null && (strip(old, other) | set(old, "enabled", false))) {
            log.record("moved to the other list", "config.yaml: device {} is no longer in {}: that entry ({}) is disabled",
                    sip.uuid(), other, old);
            changed = true;
        }
        return changed;
    }

    /** The entry as a node tree, for a change to work on: parsed from its text, made text again by {@link #settle}. */
    private EntryNode open(StoredEntry e) {
        if (e.node() == null) {
            e.open(codec.parseConfined(e.text()));
            opened.add(e);
        }
        return EntryNode.of(e.node());
    }

    /** Sets a field of the entry (see {@link EntryNode#set}); returns whether it changed. */
    private boolean set(StoredEntry e, String key, Object value) {
        boolean changed = open(e).set(key, value);
        if (changed) {
            e.changed();
        }
        return changed;
    }

    /** The change is done: every entry it opened is text again (made again only for those it changed). */
    private void settle() {
        for (StoredEntry e : opened) {
            if (!e.removed()) {
                e.settle(e.isChanged() ? codec.text(e.node()) : null);
            }
        }
        opened.clear();
    }

    /** Removes the device's entries from both sections and its id mappings; returns whether the file changed. */
    private boolean remove(String uuid, DeviceIds ids, ActivityLog log) {
        boolean changed = false;
        for (String section : SECTIONS) {
            StoredEntry e = find(section, uuid, null, ids, log);
            if (e != null) {
                index.get(section).remove(e);
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
        list.setFlowStyle(DumperOptions.FlowStyle.BLOCK);
        entries.add(StoredEntry.text(codec.text(node), EntryNode.of(node)));
        ids.assign(sip.uuid(), section, configId);
        log.record("added", "config.yaml: device {} added to {} as {} (config_id {}){}", sip.uuid(), section, name, configId,
                enabled ? "" : ", disabled: offline");
    }

    /**
     * The device's entry in a section: the one with its mapped config_id, else one to adopt (with the device's old
     * {@code uuid} key or, when {@code role} is given, the server's name for it), or {@code null}. Lookups only.
     */
    private StoredEntry find(String section, String uuid, DeviceRole role, DeviceIds ids, ActivityLog log) {
        SectionIndex entries = index.get(section);
        Optional<String> mapped = ids.configId(uuid, section);
        if (mapped.isPresent()) {
            StoredEntry e = entries.byConfigId(mapped.get());
            if (e != null) {
                return e;
            }
        }
        StoredEntry adopt = null;
        String how = null;
        for (StoredEntry e : entries.byUuidKey(uuid)) {
            if (free(e, uuid, section, ids)) {
                adopt = e;
                how = "its uuid key";
                break;
            }
        }
        if (adopt == null && role != null) {
            for (StoredEntry e : entries.byName(SipEntry.baseName(role, uuid))) {
                if (e.uuidKey() == null && free(e, uuid, section, ids)) {
                    adopt = e;
                    how = "its name";
                    break;
                }
            }
        }
        if (adopt == null) {
            return null;
        }
        String configId = adopt.configId();
        if (configId == null || configId.isBlank()) {
            configId = UUID.randomUUID().toString();
            entries.configIdChanged(adopt, configId);
            set(adopt, "config_id", configId);
        }
        ids.assign(uuid, section, configId);
        log.record("adopted", "config.yaml: the {} entry {} is device {}'s, found by {}", section, adopt, uuid, how);
        return adopt;
    }

    /** An entry no other device owns. */
    private static boolean free(StoredEntry e, String uuid, String section, DeviceIds ids) {
        return ids.deviceOf(e.configId(), section).map(uuid::equalsIgnoreCase).orElse(true);
    }

    /** Removes the keys earlier versions wrote (pydantic drops them anyway). */
    private boolean strip(StoredEntry e, String section) {
        if (e.uuidKey() == null && !mayHoldLegacyKeys(e)) {
            return false;
        }
        EntryNode fields = open(e);
        if (fields.field("uuid") != null) {
            index.get(section).uuidKeyRemoved(e);
        }
        boolean changed = false;
        for (String key : SipEntry.LEGACY_KEYS) {
            changed |= fields.remove(key);
        }
        if (changed) {
            e.changed();
        }
        return changed;
    }

    /** Whether the entry's text may hold a key of {@link SipEntry#LEGACY_KEYS} (a cheap look before parsing it). */
    private static boolean mayHoldLegacyKeys(StoredEntry e) {
        String t = e.text();
        if (t == null) {
            return true;
        }
        for (String key : SipEntry.LEGACY_KEYS) {
            if (t.contains(key)) {
                return true;
            }
        }
        return false;
    }

    // views

    /** Every entry of {@code sinks}, in file order, read when asked for; a device's entry also names it ({@code uuid}). */
    List<Map<String, Object>> sinks(DeviceIds ids) {
        compact();
        List<StoredEntry> items = index.get("sinks").items();
        List<Object> data = new ArrayList<>(items.size());
        List<String> devices = new ArrayList<>(items.size());
        SinkLookup lookup = new SinkLookup(items.size());
        for (StoredEntry e : items) {
            if (e.entry()) {
                String device = device(e, "sinks", ids);
                // the keys SinkEntry reads from the entry's fields: its own uuid, else the device's, else config_id
                String uuid = e.uuidKey() != null ? e.uuidKey() : device != null ? device : e.configId();
                lookup.add(data.size(), e.name(), uuid, e.configId());
                data.add(viewData(e, device));
                devices.add(device);
            }
        }
        return new EntryViews.ListView(codec, data.toArray(), devices.toArray(new String[0]), lookup);
    }

    /**
     * Every device's entry by device uuid, read when asked for, with the device's {@code uuid}; a device with an entry
     * in both lists (it changed role) shows the enabled one, else the first.
     */
    Map<String, Map<String, Object>> entriesByUuid(DeviceIds ids) {
        compact();
        java.util.TreeMap<String, Object> out = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String section : SECTIONS) {
            for (StoredEntry e : index.get(section).items()) {
                String device = e.entry() ? device(e, section, ids) : null;
                if (device == null) {
                    continue;
                }
                Object now = viewData(e, device);
                Object before = out.get(device);
                if (before == null) {
                    out.put(device, now);
                } else if (Boolean.FALSE.equals(EntryViews.values(codec, before, device).get("enabled"))
                        && !Boolean.FALSE.equals(EntryViews.values(codec, now, device).get("enabled"))) {
                    out.put(device, now);
                }
            }
        }
        return new EntryViews.MapView(codec, out);
    }

    /** What a view keeps of an entry: its text (immutable), or for a pinned one its fields now. */
    private Object viewData(StoredEntry e, String device) {
        return e.text() != null ? e.text() : EntryViews.values(codec, e.node(), device);
    }

    /** The device an entry belongs to: by the id map, else by an old {@code uuid} key; {@code null} for the user's entries. */
    private static String device(StoredEntry e, String section, DeviceIds ids) {
        return ids.deviceOf(e.configId(), section).orElse(e.uuidKey());
    }

    /** Takes the removed entries out of their lists, one pass per list. */
    private void compact() {
        for (String section : SECTIONS) {
            index.get(section).compact();
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
