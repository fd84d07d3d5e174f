package org.screamrouter.sip.sdp;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A bounded, seeded fuzz run (about a second): random bytes and byte-mutated corpus files through
 * every entry point. A failure prints the seed so it can be replayed.
 */
class FuzzTest {

    private static final long SEED = 0x5DEECE66DL;
    private static final int ROUNDS = 8_000;

    @Test
    void randomAndMutatedInputNeverThrowsUnchecked() {
        List<String> corpus = Corpus.files().stream().map(Corpus::text).toList();
        Random random = new Random(SEED);
        for (int i = 0; i < ROUNDS; i++) {
            String input;
            if (i % 4 == 0) {
                byte[] bytes = new byte[random.nextInt(300)];
                random.nextBytes(bytes);
                input = new String(bytes, StandardCharsets.ISO_8859_1);
            } else {
                input = NoUncheckedExceptionPropertiesTest.mutate(corpus.get(random.nextInt(corpus.size())), random);
            }
            try {
                NoUncheckedExceptionPropertiesTest.exercise(input);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("round " + i + " (seed " + SEED + ") failed on input:\n" + input, e);
            }
        }
    }
}
