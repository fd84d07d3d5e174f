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
 * kept for its key within its window. The chunks are made small so that entries cross chunk ends often, and the keys
 * include pairs with equal hashes ("Aa" and "BB"), so that probe runs form and are shifted back as entries go.
 */
class ResponseCacheLogTest {
    private static final String[] KEYS = {"Aa", "BB", "AaAa", "AaBB", "BBAa", "BBBB", "k1", "k2", "k3", "k4", "k5", "k6",
        "udp:127.0.0.1:5999|z9hG4bK-é|127.0.0.1:5999|REGISTER", "k7", "k8", "k9"};
    private static final int CHUNK = 512;
    private static final int HEADER = 28;
    private static final long WINDOW = 1_000;

    private record Kept(byte[] datagram, int status, long expires) {}

    @Property(tries = 500)
    void aLookupFindsTheLastAnswerKeptForItsKeyWithinItsWindow(@ForAll long seed) {
        Random random = new Random(seed);
        ResponseCache cache = new ResponseCache(WINDOW, 64, CHUNK, 64L * CHUNK, random.nextLong());
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
     * lookup near it walks, as long as the peer likes. Under the multiplier 31 (the one of Java's string hash, known to
     * the peer here) the 1,024 keys made of ten "Aa" or "BB" blocks all share a hash; at most MAX_PROBES of them are
     * kept, the others are not (their retransmissions are handled again), and other keys are kept and found as usual.
     */
    @Test
    void keysMadeToShareAHashFillOneProbeRunAtMost() {
        ResponseCache cache = new ResponseCache(WINDOW, 10_000, ResponseCache.CHUNK_BYTES, 10_000L * ResponseCache.BYTES_PER_ENTRY, 31);
        List<String> colliding = new ArrayList<>();
        for (int bits = 0; bits < 1 << 10; bits++) {
            StringBuilder key = new StringBuilder();
            for (int block = 0; block < 10; block++) {
                key.append((bits >> block & 1) == 0 ? "Aa" : "BB");
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
