package org.screamrouter.sip.stack.internal.tls;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.List;

/** Key stores for tests, made with the stack's own certificate maker. */
public final class TestKeys {
    private TestKeys() {
    }

    /** Writes a PKCS12 key store with a new localhost certificate to {@code file}; returns its SHA-256 fingerprint. */
    public static String write(Path file, String password, Instant now) throws Exception {
        SelfSignedCertificate.Made made = SelfSignedCertificate.make(
                new LocalNames(List.of("localhost"), List.of(java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))), now,
                new SecureRandom());
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("test", made.key(), password.toCharArray(), new Certificate[] {made.certificate()});
        Path temp = Files.createTempFile(file.getParent(), "keys", ".tmp");
        try (OutputStream out = Files.newOutputStream(temp)) {
            store.store(out, password.toCharArray());
        }
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return Fingerprint.sha256(made.certificate());
    }

    /** The fingerprint of a certificate, as the stack writes it. */
    public static String fingerprint(java.security.cert.X509Certificate certificate) {
        return Fingerprint.sha256(certificate);
    }
}
