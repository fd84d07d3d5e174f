package org.screamrouter.sip.stack.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import org.screamrouter.sip.stack.Flow;

/**
 * The last final response to each request answered over UDP without a transaction, kept for the retransmission
 * window (64*T1 = 32 s, RFC 3261 17.2.2) so a retransmitted request gets the same answer instead of being
 * handled twice (a retransmitted REGISTER must not look like a replay). Over TCP and WebSocket a UAC does not
 * retransmit (Timer J is zero on reliable transports), so nothing is kept for them, nor for OPTIONS, which is answered
 * again ({@code RequestDispatcher.ANSWERED_AGAIN}). Bounded: past the limit nothing new is kept, which degrades to
 * handling retransmissions again, never to running out of memory.
 *
 * <p>Each response is kept as the datagram that was sent (about 400 bytes for a REGISTER's 200 OK, its Via already
 * carrying the flow's {@code received} and {@code rport}), and a retransmission is answered with those bytes as
 * they are: no parse, no encode (issue 15).
 *
 * <p>How it is kept (docs/performance.md, "Kept answers outside the collector's way"): every answer lives exactly one
 * window, 32 s, which is the worst lifetime for G1. As objects (a key string, a record, the datagram, a map node per
 * answer) they were copied from survivor space to survivor space at every young pause of those 32 s: at 10,000
 * REGISTERs a second, 30 MB copied per pause. So the answers are appended, in the order they are made, to a log of
 * 1 MB byte arrays, and found through an open-addressing index of two primitive arrays. Arrays of bytes and numbers
 * hold no references: G1 never copies the large ones nor scans them, and keeping an answer writes no reference
 * anywhere. Since every entry lives the same window, the oldest are at the log's tail: they are dropped from there (a
 * few at each new answer, and by {@link #expire} when the stack is idle), each removed from the index by backward
 * shifting, so that the index never fills with deleted slots. One lock: each call holds it for a copy of a few
 * hundred bytes and a probe or two.
 *
 * <p>The key is the peer's text (its branch and Via), so a peer can choose keys. Keys made to share a hash would make
 * one long probe run that every lookup near it walks (Java's hash of a string makes such keys easy: "Aa" and "BB").
 * So the hash is a polynomial evaluated modulo a prime at a point drawn at each start ({@link #hash}), and no entry is
 * placed more than {@link #MAX_PROBES} slots from its hash's slot: past that it is not kept (its retransmissions are
 * handled again), and no lookup reads further (docs/security.md).
 */
final class ResponseCache {
    /** A datagram kept: what was sent, its status code (for the counters) and when it is forgotten. */
    record Cached(byte[] datagram, int status, long expiresAtNanos) {}

    /**
     * The log's arrays: with G1's 1 MB regions (heaps under 2 GB) each is a humongous object, allocated in place and
     * never copied, that fills one region with its array header: 1 MB exactly would take two.
     */
    static final int CHUNK_BYTES = (1 << 20) - 64;
    /** The bytes the log may hold per entry of the limit, on average: a REGISTER's 200 OK and its key take about 550. */
    static final int BYTES_PER_ENTRY = 768;
    /** An entry: its length (0: the rest of the chunk is unused), key hash, expiry, status, key and datagram lengths. */
    private static final int HEADER = 4 + 4 + 8 + 4 + 4 + 4;
    /** How many entries past their time each new answer drops from the tail (more than the one it adds). */
    private static final int EXPIRE_PER_ADD = 4;
    /** The farthest an entry is placed from its hash's slot, and so the most slots a lookup reads. */
    static final int MAX_PROBES = 64;

    private final long windowNanos;
    private final int limit;
    private final int chunkBytes;
    /** The chunks of the log by their number modulo this array's length; null when not allocated. */
    private final byte[][] chunks;
    /** Index slots: the entry's address in the log plus one (0: empty), and its key's hash. */
    private final long[] slots;
    private final int[] hashes;
    private final int mask;
    /** Where the hash's polynomial is evaluated: drawn at each start, in 1 .. 2^61 - 2. */
    private final long point;
    /** Addresses in the log: absolute, only growing; chunk number = address / chunkBytes. */
    private long head;
    private long tail;
    private int count;

    ResponseCache(long windowNanos, int limit) {
        this(windowNanos, limit, CHUNK_BYTES, (long) limit * BYTES_PER_ENTRY);
    }

    /** With a chunk size and a total of bytes of its own (tests make the chunks small to cross them often). */
    ResponseCache(long windowNanos, int limit, int chunkBytes, long maxBytes) {
        this(windowNanos, limit, chunkBytes, maxBytes, new SecureRandom().nextLong());
    }

    /** With a hash key of its own (tests make keys collide under a known one; 1 .. 2^61 - 2 is the point itself). */
    ResponseCache(long windowNanos, int limit, int chunkBytes, long maxBytes, long hashKey) {
        this.point = Math.floorMod(hashKey - 1, PRIME - 1) + 1;
        this.windowNanos = windowNanos;
        this.limit = limit;
        this.chunkBytes = chunkBytes;
        this.chunks = new byte[(int) Math.max(2, (maxBytes + chunkBytes - 1) / chunkBytes)][];
        int capacity = Integer.highestOneBit(Math.max(4, limit * 2 - 1)) << 1; // a power of two, at least twice the limit
        this.slots = new long[capacity];
        this.hashes = new int[capacity];
        this.mask = capacity - 1;
    }

    /**
     * The flow the request came on (transport, source address and port) and the transaction key of RFC 3261
     * 17.2.3: branch, sent-by and method (ACK and CANCEL are not cached). Branch and sent-by are what the sender
     * chose: without the flow, a second UA sending the same branch and Via would be handed the first UA's
     * answer (issue 13 item 8). A genuine retransmission comes from the same flow.
     */
    static String key(Request request, Flow flow) {
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
        CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        if (via == null || cseq == null || callId == null) {
            return null;
        }
        String branch = via.getBranch();
        StringBuilder key = new StringBuilder(128).append(flow).append('|');
        if (branch != null && branch.startsWith("z9hG4bK")) {
            key.append(branch).append('|').append(via.getHost()).append(':').append(via.getPort());
        } else {
            // RFC 2543 clients: no magic cookie, so match on dialog identifiers and sequence
            key.append(callId.getCallId()).append('|').append(cseq.getSeqNumber());
        }
        return key.append('|').append(request.getMethod()).toString();
    }

    /** The datagram kept under this key (a copy), or null. */
    Cached lookup(String key, long nowNanos) {
        if (key == null) {
            return null;
        }
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int hash = hash(k);
        synchronized (this) {
            int slot = find(k, hash);
            if (slot < 0) {
                return null;
            }
            long at = slots[slot] - 1;
            byte[] chunk = chunk(at);
            int o = offset(at);
            long expires = readLong(chunk, o + 8);
            if (expires - nowNanos < 0) {
                return null;
            }
            int keyLength = readInt(chunk, o + 20);
            int datagramLength = readInt(chunk, o + 24);
            int from = o + HEADER + keyLength;
            return new Cached(Arrays.copyOfRange(chunk, from, from + datagramLength), readInt(chunk, o + 16), expires);
        }
    }

    /** Keeps the datagram sent as the final answer ({@code status} >= 200) to the request of this key. */
    void remember(String key, byte[] datagram, int status, long nowNanos) {
        if (key == null || status < 200) {
            return;
        }
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int hash = hash(k);
        int length = HEADER + k.length + datagram.length;
        if (length > chunkBytes) {
            return;
        }
        synchronized (this) {
            dropExpired(nowNanos, EXPIRE_PER_ADD);
            int existing = find(k, hash);
            int free = existing >= 0 ? existing : freeSlot(hash);
            if (free < 0 || existing < 0 && count >= limit) {
                return;
            }
            long at = room(length);
            if (at < 0) {
                return;
            }
            byte[] chunk = chunk(at);
            int o = offset(at);
            writeInt(chunk, o, length);
            writeInt(chunk, o + 4, hash);
            writeLong(chunk, o + 8, nowNanos + windowNanos);
            writeInt(chunk, o + 16, status);
            writeInt(chunk, o + 20, k.length);
            writeInt(chunk, o + 24, datagram.length);
            System.arraycopy(k, 0, chunk, o + HEADER, k.length);
            System.arraycopy(datagram, 0, chunk, o + HEADER + k.length, datagram.length);
            head = at + length;
            // a newer answer for a key takes its slot; the older entry stays in the log, unindexed, until its time
            slots[free] = at + 1;
            if (existing < 0) {
                hashes[free] = hash;
                count++;
            }
        }
    }

    /** Forgets every answer past its window, and gives back the log's arrays they held. */
    void expire(long nowNanos) {
        synchronized (this) {
            dropExpired(nowNanos, Integer.MAX_VALUE);
        }
    }

    int size() {
        synchronized (this) {
            return count;
        }
    }

    /** How many of the log's arrays are held (for the tests: none once every answer has expired). */
    int chunksHeld() {
        synchronized (this) {
            return (int) Arrays.stream(chunks).filter(c -> c != null).count();
        }
    }

    /**
     * The address where an entry of this length goes: at the head, or at the start of the next chunk when it does not
     * fit in the head's; -1 when the log holds its most bytes.
     */
    private long room(int length) {
        long at = head;
        int o = offset(at);
        if (o != 0 && o + length > chunkBytes) {
            at += chunkBytes - o; // a chunk is new when it is taken, so the rest of this one reads as length 0
        }
        boolean empty = tail == head;
        long number = at / chunkBytes;
        if (!empty && number - tail / chunkBytes >= chunks.length) {
            return -1;
        }
        int index = (int) (number % chunks.length);
        if (chunks[index] == null) {
            chunks[index] = new byte[chunkBytes];
        }
        if (empty) {
            tail = at;
        }
        return at;
    }

    /**
     * Drops up to {@code most} entries whose time has passed from the tail (entries are in the order they were made),
     * giving back each chunk the tail leaves. An empty log starts again at a chunk boundary, with no chunk held.
     */
    private void dropExpired(long nowNanos, int most) {
        for (int dropped = 0; tail < head && dropped < most; ) {
            byte[] chunk = chunk(tail);
            int o = offset(tail);
            int length = o + 4 <= chunkBytes ? readInt(chunk, o) : 0;
            if (length == 0) { // the rest of this chunk is unused
                release(tail);
                tail += chunkBytes - o;
                continue;
            }
            if (readLong(chunk, o + 8) - nowNanos >= 0) {
                return;
            }
            unindex(tail, readInt(chunk, o + 4));
            tail += length;
            dropped++;
            if (offset(tail) == 0) {
                release(tail - 1);
            }
        }
        if (tail == head && offset(head) != 0) {
            release(head);
            head += chunkBytes - offset(head);
            tail = head;
        }
    }

    private void release(long address) {
        chunks[(int) ((address / chunkBytes) % chunks.length)] = null;
    }

    /** Removes the index slot of the entry at this address, if it is still the indexed one for its key. */
    private void unindex(long address, int hash) {
        int slot = hash & mask;
        for (int probe = 0; probe < MAX_PROBES && slots[slot] != 0; probe++) {
            if (slots[slot] == address + 1) {
                count--;
                shiftBack(slot);
                return;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** An empty slot at most {@link #MAX_PROBES} from this hash's, or -1. */
    private int freeSlot(int hash) {
        int slot = hash & mask;
        for (int probe = 0; probe < MAX_PROBES; probe++) {
            if (slots[slot] == 0) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /** Linear probing's deletion: later slots of the same run move back so that no lookup stops at the hole. */
    private void shiftBack(int hole) {
        int next = hole;
        while (true) {
            slots[hole] = 0;
            while (true) {
                next = (next + 1) & mask;
                if (slots[next] == 0) {
                    return;
                }
                int home = hashes[next] & mask;
                // the entry at next may fill the hole unless its home lies cyclically in (hole, next]
                boolean staysPut = hole <= next ? hole < home && home <= next : hole < home || home <= next;
                if (!staysPut) {
                    break;
                }
            }
            slots[hole] = slots[next];
            hashes[hole] = hashes[next];
            hole = next;
        }
    }

    /** The slot indexing this key, or -1 (an entry is never more than {@link #MAX_PROBES} from its hash's slot). */
    private int find(byte[] key, int hash) {
        int slot = hash & mask;
        for (int probe = 0; probe < MAX_PROBES && slots[slot] != 0; probe++) {
            if (hashes[slot] == hash && keyAt(slots[slot] - 1, key)) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private boolean keyAt(long address, byte[] key) {
        byte[] chunk = chunk(address);
        int o = offset(address);
        return readInt(chunk, o + 20) == key.length && Arrays.equals(chunk, o + HEADER, o + HEADER + key.length, key, 0, key.length);
    }

    private byte[] chunk(long address) {
        return chunks[(int) ((address / chunkBytes) % chunks.length)];
    }

    private int offset(long address) {
        return (int) (address % chunkBytes);
    }

    private static final long PRIME = (1L << 61) - 1;

    /**
     * The key's bytes, seven to a coefficient (the last zero-padded) after its length, are the coefficients of a
     * polynomial evaluated modulo the prime 2^61 - 1 at the secret point, then mixed (the finalizer of MurmurHash3's
     * 64-bit variant, a bijection). Two different keys of at most 7n bytes give one value at no more than n + 1 of the
     * 2^61 - 2 points, so keys cannot be aimed at one slot without the point. Not modulo 2^64 with an odd multiplier,
     * as before: there the Thue-Morse string of 2,048 bytes and its complement share a value for every multiplier.
     */
    private int hash(byte[] key) {
        long h = key.length;
        for (int i = 0; i < key.length; i += 7) {
            long coefficient = 0;
            for (int j = i; j < i + 7; j++) {
                coefficient = coefficient << 8 | (j < key.length ? key[j] & 0xff : 0);
            }
            long sum = h + coefficient; // below 2^62
            h = multiplyMod(sum >= PRIME ? sum - PRIME : sum, point);
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h;
    }

    /** a * b modulo 2^61 - 1 (a result of 2^61 - 1 stands for 0), for a and b below 2^61. */
    private static long multiplyMod(long a, long b) {
        long low = a * b;
        long high = Math.multiplyHigh(a, b);
        long r = (low & PRIME) + ((low >>> 61) | (high << 3)); // below 2^62
        return (r & PRIME) + (r >>> 61);
    }

    private static int readInt(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | b[o + 3] & 0xff;
    }

    private static long readLong(byte[] b, int o) {
        return (long) readInt(b, o) << 32 | readInt(b, o + 4) & 0xffffffffL;
    }

    private static void writeInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    private static void writeLong(byte[] b, int o, long v) {
        writeInt(b, o, (int) (v >>> 32));
        writeInt(b, o + 4, (int) v);
    }
}
