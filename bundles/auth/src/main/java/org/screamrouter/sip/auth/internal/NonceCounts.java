package org.screamrouter.sip.auth.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The highest nonce count seen per nonce (RFC 7616 3.4: a count not greater than the last is a replay). Bounded:
 * entries go when their nonce expires, and past {@code capacity} the entry used first is dropped. A nonce
 * without an entry is accepted only if it was issued after every dropped one and after the table was made (the {@code floor}); otherwise
 * it may be a replay of a forgotten nonce and is refused (the client is sent a fresh nonce with
 * {@code stale=true}). The floor starts at the time this table is made, so after a hot swap (empty table) a
 * nonce issued by the previous revision is re-challenged once instead of being open to replay.
 */
final class NonceCounts {
    enum Verdict { ACCEPTED, REPLAYED, FORGOTTEN }

    private record Entry(long issuedMillis, long count) {}

    private final int capacity;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private long floorMillis;
    private long lastPurgeMillis;

    NonceCounts(int capacity, long startMillis) {
        this.capacity = capacity;
        this.floorMillis = startMillis;
        this.lastPurgeMillis = startMillis;
    }

    /** Records the use of count {@code nc} of a valid nonce, unless it is a replay or of a forgotten nonce. */
    synchronized Verdict use(String nonce, long issuedMillis, long nc, long nowMillis, long lifetimeMillis) {
        if (nowMillis - lastPurgeMillis >= 1000 || entries.size() >= capacity) {
            purge(nowMillis, lifetimeMillis);
        }
        Entry e = entries.get(nonce);
        if (e == null) {
            if (issuedMillis < floorMillis) return Verdict.FORGOTTEN;
            while (entries.size() >= capacity) {
                Iterator<Map.Entry<String, Entry>> first = entries.entrySet().iterator();
                floorMillis = Math.max(floorMillis, first.next().getValue().issuedMillis() + 1);
                first.remove();
                if (issuedMillis < floorMillis) return Verdict.FORGOTTEN;
            }
            entries.put(nonce, new Entry(issuedMillis, nc));
            return Verdict.ACCEPTED;
        }
        if (nc <= e.count()) return Verdict.REPLAYED;
        entries.put(nonce, new Entry(e.issuedMillis(), nc));
        return Verdict.ACCEPTED;
    }

    synchronized int size() {
        return entries.size();
    }

    private void purge(long nowMillis, long lifetimeMillis) {
        lastPurgeMillis = nowMillis;
        // an expired nonce is refused before it gets here, so its entry is no longer needed
        entries.values().removeIf(e -> nowMillis - e.issuedMillis() > lifetimeMillis);
    }
}
