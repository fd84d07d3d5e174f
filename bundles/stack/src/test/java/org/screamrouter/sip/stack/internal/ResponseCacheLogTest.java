package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The response cache's log of byte arrays and its open-addressing index (ResponseCache) against a plain map of the
 * same answers: whatever the order of answers, lookups, expiries and times, a lookup finds exactly the last answer
 * kept for its key within its window. The chunks are made small so that entries cross chunk ends often, and in half
 * of the tries the hash's point is 1, under which keys made of the same seven-byte blocks in another order share a
 * hash, so that probe runs form and are shifted back as entries go.
 */
class ResponseCacheLogTest {
    private static final String X = "AAAAAAA";
    private static final String Y = "BBBBBBB";
    private static final String[] KEYS = {X + Y, Y + X, X + X + Y + Y, X + Y + X + Y, X + Y + Y + X, Y + X + X + Y,
        Y + Y + X + X, "k1", "k2", "k3", "udp:127.0.0.1:5999|z9hG4bK-é|127.0.0.1:5999|REGISTER", "k7", "k8", "k9"};
    private static final int CHUNK = 512;
    private static final int HEADER = 28;
    private static final long WINDOW = 1_000;

    private record Kept(byte[] datagram, int status, long expires) {}

    @Property(tries = 500)
    void aLookupFindsTheLastAnswerKeptForItsKeyWithinItsWindow(@ForAll long seed) {
        Random random = new Random(seed);
        ResponseCache cache = new ResponseCache(WINDOW, 64, CHUNK, 64L * CHUNK, random.nextBoolean() ? 1 : random.nextLong());
        Map<String, Kept> model = new HashMap<>();
        long now = random.nextInt(1_000_000) - 500_000L; // System.nanoTime may be negative
        for (int step = 0; step < 400; step++) {
            String key = KEYS[random.nextInt(KEYS.length)];
            switch (random.nextInt(6)) {
                case 0, 1 -> {
                    byte[] datagram = new byte[1 + random.nextInt(CHUNK)];
                    random.nextBytes(datagram);
                    int status = 200 + random.nextInt(500);
                    long at = now - random.nextInt(5); // threads may hand times slightly out of order
                    cache.remember(key, datagram, status, at);
                    if (HEADER + key.getBytes(StandardCharsets.UTF_8).length + datagram.length <= CHUNK) {
                        model.put(key, new Kept(datagram.clone(), status, at + WINDOW));
                    }
                }
                case 2, 3 -> {
                    ResponseCache.Cached found = cache.lookup(key, now);
                    Kept expected = model.get(key);
                    if (expected == null || expected.expires() - now < 0) {
                        assertThat(found).as("%s at %d", key, now).isNull();
                    } else {
                        assertThat(found).as("%s at %d", key, now).isNotNull();
                        assertThat(found.datagram()).isEqualTo(expected.datagram());
                        assertThat(found.status()).isEqualTo(expected.status());
                    }
                }
                case 4 -> cache.expire(now);
                default -> now += random.nextInt(400);
            }
        }
        now += WINDOW + 10;
        cache.expire(now);
        assertThat(cache.size()).isZero();
        assertThat(cache.chunksHeld()).as("arrays given back once every answer has expired").isZero();
    }

    @Test
    void aFullLogKeepsNothingNewLosesNothingKeptAndTakesAnswersAgainOnceTheOldestExpire() {
        // room for two chunks: 600-byte entries, one per 1,024-byte chunk
        ResponseCache cache = new ResponseCache(WINDOW, 100, 1_024, 2_048);
        byte[] datagram = new byte[560];
        cache.remember("a", datagram, 200, 0);
        cache.remember("b", datagram, 200, 10);
        cache.remember("c", datagram, 200, 20);
        assertThat(cache.lookup("a", 30)).isNotNull();
        assertThat(cache.lookup("b", 30)).isNotNull();
        assertThat(cache.lookup("c", 30)).as("past the bytes the log may hold").isNull();
        assertThat(cache.size()).isEqualTo(2);

        cache.remember("d", datagram, 200, WINDOW + 1); // "a" has expired: dropped before "d" is kept
        assertThat(cache.lookup("d", WINDOW + 2)).isNotNull();
        assertThat(cache.lookup("b", WINDOW + 2)).isNotNull();
        assertThat(cache.lookup("a", WINDOW + 2)).isNull();
        assertThat(cache.size()).isEqualTo(2);
    }

    /**
     * A peer chooses its keys (branch and Via): keys made to share one hash would form one probe run that every
     * lookup near it walks, as long as the peer likes. Under the point 1 (known to the peer here) the hash is the sum
     * of the key's seven-byte blocks, so the 1,024 keys made of ten pairs of blocks, each XY or YX, all share a hash; at
     * most MAX_PROBES of them are kept, the others are not (their retransmissions are handled again), and other keys are
     * kept and found as usual.
     */
    @Test
    void keysMadeToShareAHashFillOneProbeRunAtMost() {
        ResponseCache cache = new ResponseCache(WINDOW, 10_000, ResponseCache.CHUNK_BYTES, 10_000L * ResponseCache.BYTES_PER_ENTRY, 1);
        List<String> colliding = new ArrayList<>();
        for (int bits = 0; bits < 1 << 10; bits++) {
            StringBuilder key = new StringBuilder();
            for (int block = 0; block < 10; block++) {
                key.append((bits >> block & 1) == 0 ? X + Y : Y + X);
            }
            colliding.add(key.toString());
        }
        for (String key : colliding) {
            cache.remember(key, new byte[] {1}, 200, 0);
        }
        assertThat(cache.size()).isLessThanOrEqualTo(ResponseCache.MAX_PROBES);
        assertThat(colliding.stream().filter(k -> cache.lookup(k, 1) != null).count()).isEqualTo(cache.size());

        String honest = "udp:127.0.0.1:5999|z9hG4bK-honest|127.0.0.1:5999|REGISTER";
        cache.remember(honest, new byte[] {2}, 200, 0);
        assertThat(cache.lookup(honest, 1).datagram()).containsExactly(2);
    }

    /**
     * Without knowing the key, a peer can still make keys that share a hash when the hash is a polynomial modulo 2^64:
     * the Thue-Morse string of length 2^11 ("a" for each 0, "b" for each 1) and its complement differ by a multiple of
     * (1 - x)(1 - x^2)(1 - x^4)...(1 - x^1024) times ("b" - "a"), which is a multiple of 2^64 for every odd x. Keys made
     * of seven such blocks, each the string or its complement, would then be 128 keys with one hash, whatever the key
     * drawn at the start, and only the first 64 kept. Under a hash modulo a prime they share no more than chance does.
     */
    @Test
    void keysThatCollideForEveryMultiplierModulo2To64AreAllKept() {
        StringBuilder thueMorse = new StringBuilder();
        StringBuilder complement = new StringBuilder();
        for (int i = 0; i < 1 << 11; i++) {
            boolean odd = Integer.bitCount(i) % 2 == 1;
            thueMorse.append(odd ? 'b' : 'a');
            complement.append(odd ? 'a' : 'b');
        }
        List<String> keys = new ArrayList<>();
        for (int bits = 0; bits < 1 << 7; bits++) {
            StringBuilder key = new StringBuilder("udp:127.0.0.1:5999|z9hG4bK");
            for (int block = 0; block < 7; block++) {
                key.append((bits >> block & 1) == 0 ? thueMorse : complement);
            }
            keys.add(key.append("|127.0.0.1:5999|REGISTER").toString());
        }
        for (int start = 0; start < 4; start++) { // four keys drawn as at four starts
            ResponseCache cache = new ResponseCache(WINDOW, 1_000, ResponseCache.CHUNK_BYTES, 8L * ResponseCache.CHUNK_BYTES);
            for (String key : keys) {
                cache.remember(key, new byte[] {1}, 200, 0);
            }
            assertThat(cache.size()).as("keys kept after start %d", start).isEqualTo(keys.size());
            assertThat(keys).allMatch(k -> cache.lookup(k, 1) != null);
        }
    }

    @Test
    void theEntryLimitHoldsWhateverTheBytes() {
        ResponseCache cache = new ResponseCache(WINDOW, 3);
        for (int i = 0; i < 10; i++) {
            cache.remember("k" + i, new byte[10], 200, i);
        }
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.lookup("k2", 10)).isNotNull();
        assertThat(cache.lookup("k3", 10)).isNull();
        cache.remember("k0", new byte[] {7}, 200, 11); // a key already kept may be replaced at the limit
        assertThat(cache.lookup("k0", 12).datagram()).containsExactly(7);
    }
}
