package org.screamrouter.sip.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoncesTest {
    private static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");
    private static final Duration LIFE = Duration.ofSeconds(300);
    @TempDir
    Path dir;

    private Nonces nonces(byte fill) {
        byte[] key = new byte[Nonces.KEY_BYTES];
        java.util.Arrays.fill(key, fill);
        return new Nonces(key, new SecureRandom());
    }

    @Test
    void aNonceIsFreshWithinItsLifetimeAndExpiredAfter() {
        Nonces n = nonces((byte) 1);
        String nonce = n.create(T0, "example.com");
        assertThat(n.check(nonce, "example.com", T0.plusSeconds(300), LIFE).state()).isEqualTo(Nonces.State.FRESH);
        assertThat(n.check(nonce, "example.com", T0.plusSeconds(300), LIFE).issuedMillis()).isEqualTo(T0.toEpochMilli());
        assertThat(n.check(nonce, "example.com", T0.plusSeconds(301), LIFE).state()).isEqualTo(Nonces.State.EXPIRED);
        // from the future (clock stepped back): not accepted as fresh
        assertThat(n.check(nonce, "example.com", T0.minusSeconds(1), LIFE).state()).isEqualTo(Nonces.State.EXPIRED);
    }

    @Test
    void twoNoncesOfTheSameMillisecondDiffer() {
        Nonces n = nonces((byte) 1);
        assertThat(n.create(T0, "r")).isNotEqualTo(n.create(T0, "r"));
    }

    @Test
    void aTamperedTimeRandomOrMacIsForged() {
        Nonces n = nonces((byte) 1);
        byte[] bytes = Base64.getUrlDecoder().decode(n.create(T0, "example.com"));
        for (int i : new int[] {0, 7, 8, 19, 20, bytes.length - 1}) {
            byte[] copy = bytes.clone();
            copy[i] ^= 1;
            String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(copy);
            assertThat(n.check(forged, "example.com", T0, LIFE).state()).as("byte %d flipped", i).isEqualTo(Nonces.State.FORGED);
        }
    }

    @Test
    void anotherRealmAnotherKeyOrGarbageIsForged() {
        String nonce = nonces((byte) 1).create(T0, "example.com");
        assertThat(nonces((byte) 1).check(nonce, "example.org", T0, LIFE).state()).isEqualTo(Nonces.State.FORGED);
        assertThat(nonces((byte) 2).check(nonce, "example.com", T0, LIFE).state()).isEqualTo(Nonces.State.FORGED);
        assertThat(nonces((byte) 1).check("not base64 !", "example.com", T0, LIFE).state()).isEqualTo(Nonces.State.FORGED);
        assertThat(nonces((byte) 1).check("", "example.com", T0, LIFE).state()).isEqualTo(Nonces.State.FORGED);
        assertThat(nonces((byte) 1).check(nonce.substring(4), "example.com", T0, LIFE).state()).isEqualTo(Nonces.State.FORGED);
    }

    @Test
    void theKeyFileIsMadeOnceAndReadBackSoNoncesSurviveANewInstance() throws Exception {
        Path file = dir.resolve("sub/auth-nonce.key");
        byte[] first = Nonces.loadOrCreateKey(file, new SecureRandom());
        assertThat(Files.size(file)).isEqualTo(Nonces.KEY_BYTES);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        byte[] again = Nonces.loadOrCreateKey(file, new SecureRandom());
        assertThat(again).isEqualTo(first);
        String nonce = new Nonces(first, new SecureRandom()).create(T0, "r");
        assertThat(new Nonces(again, new SecureRandom()).check(nonce, "r", T0, LIFE).state()).isEqualTo(Nonces.State.FRESH);
    }
}
