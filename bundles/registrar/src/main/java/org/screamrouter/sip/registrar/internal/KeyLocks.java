package org.screamrouter.sip.registrar.internal;

/**
 * A fixed set of locks shared by the keys of a map: the writers of one key hold its lock, so they never interleave,
 * while readers read the concurrent map without one. Unlike {@code ConcurrentHashMap.compute}, a writer that changes
 * a value in place writes nothing to the map: compute stores the value back even when it is the same, and each such
 * store into an old map marks a card that G1's next young pause scans (docs/registrar-state.md, "Refreshes in place").
 */
final class KeyLocks {
    private final Object[] locks;

    /** @param count the number of locks, a power of two */
    KeyLocks(int count) {
        if (Integer.bitCount(count) != 1) throw new IllegalArgumentException("not a power of two: " + count);
        locks = new Object[count];
        for (int i = 0; i < count; i++) {
            locks[i] = new Object();
        }
    }

    /** The lock of this key. */
    Object of(Object key) {
        int h = key.hashCode();
        return locks[(h ^ (h >>> 16)) & (locks.length - 1)];
    }
}
