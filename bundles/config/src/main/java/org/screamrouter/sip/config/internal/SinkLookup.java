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
    /** Where this table's hash polynomial is evaluated: drawn at random, in 1 .. 2^61 - 2 ({@link #hash}). */
    private final long point;

    /** For at most {@code entries} entries. */
    SinkLookup(int entries) {
        java.security.SecureRandom random = new java.security.SecureRandom();
        long p;
        do {
            p = random.nextLong() >>> 3;
        } while (p == 0 || p >= PRIME);
        point = p;
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

    /**
     * The slot of a key: two keys share it when {@link String#equalsIgnoreCase} holds. A keyed hash, not
     * {@link String#hashCode}: device names, uuids and config_ids come from whoever registers, and String's hash is
     * public and linear, so 2^k keys with one hash are easy to make ("az" and "b[" share one; any string of k such pairs
     * shares it with 2^k others), each such key making every lookup of that hash walk all of them. The folded key's
     * characters are the coefficients of a polynomial evaluated modulo the prime 2^61 - 1 at a point drawn for each
     * table: two different keys of at most n characters share a value for at most n of the 2^61 points, so whoever does
     * not know the point cannot aim keys at one slot.
     */
    private int hash(String key) {
        String folded = fold(key);
        long h = 0;
        for (int i = 0; i < folded.length(); i++) {
            long a = h + folded.charAt(i) + 1;
            h = multiplyMod(a >= PRIME ? a - PRIME : a, point);
        }
        return (int) (h ^ (h >>> 29) ^ (h >>> 47)) & mask;
    }

    private static final long PRIME = (1L << 61) - 1;

    /** a * b modulo 2^61 - 1 (a result of 2^61 - 1 stands for 0), for a and b below 2^61. */
    private static long multiplyMod(long a, long b) {
        long low = a * b;
        long high = Math.multiplyHigh(a, b);
        long r = (low & PRIME) + ((low >>> 61) | (high << 3)); // below 2^62
        return (r & PRIME) + (r >>> 61);
    }

    /** The longest run of occupied slots in the names' table: what one lookup may have to walk (tests). */
    int longestRun() {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < 2 * slots[NAME].length; i++) { // twice round: a run may wrap
            run = slots[NAME][i & mask] != 0 ? run + 1 : 0;
            longest = Math.max(longest, Math.min(run, slots[NAME].length));
        }
        return longest;
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
