package org.screamrouter.sip.config.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The items of one list of config.yaml ({@code sinks} or {@code sources}) and their lookups, so that a device change
 * costs the same with ten entries or a hundred thousand: entries by {@code config_id}, by an old {@code uuid} key
 * (ignoring case), and by {@code name}, each in file order; and per base name the next {@code _N} suffix, so that a
 * free name for {@code sink_5f7c1a2e} is found without trying {@code _2}, {@code _3}, ... against the list.
 *
 * <p>Built once from the list as read; from then on every change of an indexed key goes through this class
 * ({@link ConfigDocument} is its only user). Removed entries leave the lookups at once and the list at the next
 * {@link #compact()}, in one pass for all of them. A lookup holds its one entry itself, a list only for a key that
 * several entries share (an index entry per device is what costs here).
 */
final class SectionIndex {
    private final List<StoredEntry> items = new ArrayList<>();
    private final Map<String, Object> byConfigId = new HashMap<>();
    private final Map<String, Object> byUuidKey = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Map<String, Object> byName = new HashMap<>();
    /** Base name to the smallest suffix above every {@code <base>_<n>} name in the list. */
    private final Map<String, Integer> nextSuffix = new HashMap<>();
    private boolean removed;

    /** The items in file order (removed ones included until {@link #compact()}); the caller does not change it. */
    List<StoredEntry> items() {
        return items;
    }

    /** An item appended to the list (or read from it); an entry is indexed. */
    void add(StoredEntry e) {
        items.add(e);
        if (!e.entry()) {
            return;
        }
        put(byConfigId, e.configId(), e);
        put(byUuidKey, e.uuidKey(), e);
        String name = e.name();
        put(byName, name, e);
        if (name != null) {
            int us = name.lastIndexOf('_');
            if (us > 0 && us < name.length() - 1 && us >= name.length() - 10 && name.substring(us + 1).chars().allMatch(Character::isDigit)) {
                int n = Integer.parseInt(name.substring(us + 1));
                nextSuffix.merge(name.substring(0, us), n + 1, Math::max);
            }
        }
    }

    /** Takes an entry out of every lookup, its name free again; it leaves the list at the next {@link #compact()}. */
    void remove(StoredEntry e) {
        drop(byConfigId, e.configId(), e);
        drop(byUuidKey, e.uuidKey(), e);
        drop(byName, e.name(), e);
        e.remove();
        removed = true;
    }

    /** The entry's config_id is being set (adopted without one). */
    void configIdChanged(StoredEntry e, String newId) {
        drop(byConfigId, e.configId(), e);
        e.configId(newId);
        put(byConfigId, newId, e);
    }

    /** The entry's old {@code uuid} key is being removed. */
    void uuidKeyRemoved(StoredEntry e) {
        drop(byUuidKey, e.uuidKey(), e);
        e.uuidKey(null);
    }

    /** The first entry (file order) with this config_id, or {@code null}. */
    StoredEntry byConfigId(String configId) {
        List<StoredEntry> list = get(byConfigId, configId);
        return list.isEmpty() ? null : list.get(0);
    }

    /** Entries whose old {@code uuid} key is this device's, ignoring case, in file order. */
    List<StoredEntry> byUuidKey(String uuid) {
        return get(byUuidKey, uuid);
    }

    /** Entries with this name, in file order. */
    List<StoredEntry> byName(String name) {
        return get(byName, name);
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

    /** Removes the removed entries from the list, in one pass. */
    void compact() {
        if (removed) {
            items.removeIf(StoredEntry::removed);
            removed = false;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<StoredEntry> get(Map<String, Object> map, String key) {
        Object v = key == null ? null : map.get(key);
        return v == null ? List.of() : v instanceof StoredEntry e ? List.of(e) : (List<StoredEntry>) v;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> map, String key, StoredEntry e) {
        if (key == null) {
            return;
        }
        Object v = map.get(key);
        if (v == null) {
            map.put(key, e);
        } else if (v instanceof StoredEntry one) {
            List<StoredEntry> list = new ArrayList<>(2);
            list.add(one);
            list.add(e);
            map.put(key, list);
        } else {
            ((List<StoredEntry>) v).add(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void drop(Map<String, Object> map, String key, StoredEntry e) {
        if (key == null) {
            return;
        }
        Object v = map.get(key);
        if (v == e) {
            map.remove(key);
        } else if (v instanceof List<?> l) {
            List<StoredEntry> list = (List<StoredEntry>) l;
            list.removeIf(x -> x == e);
            if (list.isEmpty()) {
                map.remove(key);
            } else if (list.size() == 1) {
                map.put(key, list.get(0));
            }
        }
    }
}
