package org.screamrouter.sip.config.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The lookups of one list of config.yaml ({@code sinks} or {@code sources}), so that a device change costs the same
 * with ten entries or a hundred thousand: entries by {@code config_id}, by an old {@code uuid} key (ignoring case), and
 * by {@code name}, each in file order; and per base name the next {@code _N} suffix, so that a free name for
 * {@code sink_5f7c1a2e} is found without trying {@code _2}, {@code _3}, ... against the list.
 *
 * <p>Built once from the list as read; from then on every change of an indexed key goes through this class
 * ({@link ConfigDocument} is its only user). Removed entries leave the lookups at once and the YAML list at the next
 * {@link #compact()}, in one pass for all of them.
 */
final class SectionIndex {
    private final Map<String, List<EntryNode>> byConfigId = new HashMap<>();
    private final Map<String, List<EntryNode>> byUuidKey = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Map<String, List<EntryNode>> byName = new HashMap<>();
    /** Base name to the smallest suffix above every {@code <base>_<n>} name in the list. */
    private final Map<String, Integer> nextSuffix = new HashMap<>();
    private final Set<Node> removed = Collections.newSetFromMap(new IdentityHashMap<>());

    /** Indexes the entries of a list as read (or an empty index for a list not there yet). */
    static SectionIndex of(SequenceNode list) {
        SectionIndex index = new SectionIndex();
        if (list != null) {
            for (Node item : list.getValue()) {
                EntryNode e = EntryNode.of(item);
                if (e != null) {
                    index.add(e);
                }
            }
        }
        return index;
    }

    /** An entry appended to the list (or read from it). */
    void add(EntryNode e) {
        put(byConfigId, e.text("config_id"), e);
        put(byUuidKey, e.text("uuid"), e);
        String name = e.text("name");
        put(byName, name, e);
        if (name != null) {
            int us = name.lastIndexOf('_');
            if (us > 0 && us < name.length() - 1 && us >= name.length() - 10 && name.substring(us + 1).chars().allMatch(Character::isDigit)) {
                int n = Integer.parseInt(name.substring(us + 1));
                nextSuffix.merge(name.substring(0, us), n + 1, Math::max);
            }
        }
    }

    /** Takes an entry out of every lookup, its name free again; it leaves the YAML list at the next {@link #compact()}. */
    void remove(EntryNode e) {
        drop(byConfigId, e.text("config_id"), e);
        drop(byUuidKey, e.text("uuid"), e);
        drop(byName, e.text("name"), e);
        removed.add(e.node());
    }

    /** The entry's config_id is being set (adopted without one): call before the change, with the new value. */
    void configIdChanged(EntryNode e, String newId) {
        drop(byConfigId, e.text("config_id"), e);
        put(byConfigId, newId, e);
    }

    /** The entry's old {@code uuid} key is being removed: call before the change. */
    void uuidKeyRemoved(EntryNode e) {
        drop(byUuidKey, e.text("uuid"), e);
    }

    /** The first entry (file order) with this config_id, or {@code null}. */
    EntryNode byConfigId(String configId) {
        List<EntryNode> list = byConfigId.get(configId);
        return list == null ? null : list.get(0);
    }

    /** Entries whose old {@code uuid} key is this device's, ignoring case, in file order. */
    List<EntryNode> byUuidKey(String uuid) {
        return byUuidKey.getOrDefault(uuid, List.of());
    }

    /** Entries with this name, in file order. */
    List<EntryNode> byName(String name) {
        return byName.getOrDefault(name, List.of());
    }

    /**
     * The base name when no entry has it, else {@code <base>_<n>} with {@code n} above every suffix the list has used
     * for that base (a freed {@code _2} is not handed out again while a {@code _3} exists: names stay unique and
     * unambiguous for routes, at constant cost).
     */
    String freeName(String base) {
        if (!byName.containsKey(base)) {
            return base;
        }
        int n = nextSuffix.getOrDefault(base, 2);
        while (byName.containsKey(base + "_" + n)) { // only a name added since (a guard: add() moves nextSuffix past it)
            n++;
        }
        return base + "_" + n;
    }

    /** Removes the removed entries from the list, in one pass; returns whether any were there. */
    boolean compact(SequenceNode list) {
        if (removed.isEmpty() || list == null) {
            removed.clear();
            return false;
        }
        boolean gone = list.getValue().removeIf(removed::contains);
        removed.clear();
        return gone;
    }

    /** Whether a node of the list was removed and is waiting for {@link #compact}. */
    boolean isRemoved(MappingNode node) {
        return removed.contains(node);
    }

    private static void put(Map<String, List<EntryNode>> map, String key, EntryNode e) {
        if (key != null) {
            map.computeIfAbsent(key, k -> new ArrayList<>(1)).add(e);
        }
    }

    private static void drop(Map<String, List<EntryNode>> map, String key, EntryNode e) {
        if (key == null) {
            return;
        }
        List<EntryNode> list = map.get(key);
        if (list != null) {
            list.removeIf(x -> x.node() == e.node());
            if (list.isEmpty()) {
                map.remove(key);
            }
        }
    }
}
