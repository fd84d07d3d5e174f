package org.screamrouter.sip.config.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.screamrouter.sip.config.SinkEntry;

/**
 * The sinks by name, uuid and config_id, ignoring case, for {@code ConfigurationManager.sinkEntry} (a call's target).
 * Made with the sinks view at each write from the keys the document keeps for every entry (no entry is parsed); a
 * lookup parses only the entries whose key matches, and keeps one only if its fields say the same. Before it, a call's
 * target was looked for in every entry, each parsed: 0.2 s of CPU per INVITE with 20,000 ScreamRouter devices, 0.8 s
 * with 100,000, for an INVITE naming nothing too (issue 15, bench/lookup-bench.sh).
 *
 * <p>Per key kind, the entries' keys (references to the strings the document holds) and an open-addressing table of
 * positions hashed by the folded key: about 50 bytes per entry ({@code ConfigMemoryTest}: 1,094 bytes retained per
 * device with it, 1,041 without), where hash maps of boxed positions took about 160.
 */
final class SinkLookup {
    private static final int NAME = 0;
    private static final int UUID = 1;
    private static final int CONFIG_ID = 2;
    /** Per kind, the key of the entry at each position of the view, or null. */
    private final String[][] keys;
    /** Per kind, position + 1 of an entry with a key, at the slot its folded key hashes to (linear probing); 0: empty. */
    private final int[][] slots;
    private final int mask;

    /** For at most {@code entries} entries. */
    SinkLookup(int entries) {
        int size = Integer.highestOneBit(Math.max(2, entries) * 2 - 1) << 1; // at most half full
        keys = new String[3][entries];
        slots = new int[3][size];
        mask = size - 1;
    }

    /** The entry at {@code position} of the view has these keys (each may be null); positions come in file order. */
    void add(int position, String name, String uuid, String configId) {
        put(NAME, position, name);
        put(UUID, position, uuid);
        put(CONFIG_ID, position, configId);
    }

    private void put(int kind, int position, String key) {
        if (key == null) return;
        keys[kind][position] = key;
        int at = hash(key);
        while (slots[kind][at] != 0) at = (at + 1) & mask;
        slots[kind][at] = position + 1;
    }

    /** The sink {@code target} names, by {@code ConfigurationManager.sinkEntry}'s rule; {@code entries} reads a position. */
    Optional<SinkEntry> find(String target, IntFunction<SinkEntry> entries) {
        if (target == null) return Optional.empty();
        Map<Integer, SinkEntry> read = new HashMap<>(4); // each entry found parsed once, whichever steps look at it
        IntFunction<SinkEntry> once = p -> read.computeIfAbsent(p, entries::apply);
        int hash = hash(target);
        Optional<SinkEntry> found = first(NAME, target, hash, once, e -> target.equals(e.name()));
        if (found.isEmpty()) found = first(NAME, target, hash, once, e -> target.equalsIgnoreCase(e.name()));
        if (found.isEmpty()) found = first(UUID, target, hash, once, e -> target.equalsIgnoreCase(e.uuid()));
        if (found.isEmpty()) found = first(CONFIG_ID, target, hash, once, e -> target.equalsIgnoreCase(e.configId()));
        return found;
    }

    /** The first entry in file order whose key of this kind is {@code target} ignoring case and that {@code matches}. */
    private Optional<SinkEntry> first(int kind, String target, int hash, IntFunction<SinkEntry> entries, Predicate<SinkEntry> matches) {
        int[] candidates = new int[0];
        for (int at = hash; slots[kind][at] != 0; at = (at + 1) & mask) {
            int position = slots[kind][at] - 1;
            if (keys[kind][position].equalsIgnoreCase(target)) {
                candidates = Arrays.copyOf(candidates, candidates.length + 1);
                candidates[candidates.length - 1] = position;
            }
        }
        Arrays.sort(candidates);
        for (int position : candidates) {
            SinkEntry e = entries.apply(position);
            if (matches.test(e)) return Optional.of(e);
        }
        return Optional.empty();
    }

    /** The slot of a key: two keys share it when {@link String#equalsIgnoreCase} holds. */
    private int hash(String key) {
        int h = fold(key).hashCode();
        return (h ^ (h >>> 16)) & mask;
    }

    /**
     * The string two strings share exactly when {@link String#equalsIgnoreCase} holds (it compares each character's
     * upper case, then that one's lower case); the string itself when it is folded already, as generated names and ids
     * are.
     */
    private static String fold(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.toLowerCase(Character.toUpperCase(c)) != c) {
                char[] out = s.toCharArray();
                for (int j = i; j < out.length; j++) out[j] = Character.toLowerCase(Character.toUpperCase(out[j]));
                return new String(out);
            }
        }
        return s;
    }
}
