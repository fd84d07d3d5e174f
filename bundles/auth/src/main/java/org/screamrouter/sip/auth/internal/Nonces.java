package org.screamrouter.sip.auth.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless digest nonces (RFC 7616 3.3 leaves the format to the server): base64url of the issue time in
 * milliseconds (8 bytes), 12 random bytes and the first 16 bytes of HMAC-SHA256(key, time ‖ random ‖ realm).
 * The server remembers nothing to check one: the MAC proves it issued the nonce for this realm, the time says
 * whether it has expired. The key lives in a file beside the registrar's store, so nonces stay valid across a
 * hot swap of the bundle.
 */
final class Nonces {
    static final int KEY_BYTES = 32;
    private static final int TIME = 8;
    private static final int RANDOM = 12;
    private static final int MAC = 16;
    private static final int LENGTH = TIME + RANDOM + MAC;

    /** What a nonce turned out to be. */
    enum State { FRESH, EXPIRED, FORGED }

    record Check(State state, long issuedMillis) {}

    private final SecretKeySpec key;
    private final SecureRandom random;

    Nonces(byte[] key, SecureRandom random) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.random = random;
    }

    String create(Instant now, String realm) {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.putLong(now.toEpochMilli());
        byte[] r = new byte[RANDOM];
        random.nextBytes(r);
        b.put(r);
        b.put(mac(b.array(), realm));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /** Whether this server issued the nonce for this realm, and if so whether it is older than the lifetime. */
    Check check(String nonce, String realm, Instant now, Duration lifetime) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return new Check(State.FORGED, 0);
        }
        if (bytes.length != LENGTH) return new Check(State.FORGED, 0);
        byte[] given = new byte[MAC];
        System.arraycopy(bytes, TIME + RANDOM, given, 0, MAC);
        if (!MessageDigest.isEqual(mac(bytes, realm), given)) return new Check(State.FORGED, 0);
        long issued = ByteBuffer.wrap(bytes).getLong();
        long age = now.toEpochMilli() - issued;
        // a nonce from the future (clock stepped back) is treated as expired: the client just gets a new one
        boolean fresh = age >= 0 && age <= lifetime.toMillis();
        return new Check(fresh ? State.FRESH : State.EXPIRED, issued);
    }

    private byte[] mac(byte[] nonceBytes, String realm) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(nonceBytes, 0, TIME + RANDOM);
            mac.update(realm.getBytes(StandardCharsets.UTF_8));
            byte[] full = mac.doFinal();
            byte[] out = new byte[MAC];
            System.arraycopy(full, 0, out, 0, MAC);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /**
     * The MAC key from its file; a new random key written there (owner read/write only, through a temporary
     * file forced to disk and a rename) when the file is missing or not a key.
     */
    static byte[] loadOrCreateKey(Path file, SecureRandom random) throws IOException {
        if (Files.isRegularFile(file)) {
            byte[] key = Files.readAllBytes(file);
            if (key.length == KEY_BYTES) return key;
        }
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(tmp);
        }
        DurableFiles.replace(tmp, key, file);
        return key;
    }
}
