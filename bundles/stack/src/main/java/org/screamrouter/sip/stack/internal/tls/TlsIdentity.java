package org.screamrouter.sip.stack.internal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Locale;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.screamrouter.sip.stack.TlsStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate and key the stack's TLS listening points present, and what they trust: loaded from the configured
 * key store, or, without one, generated once for this machine ({@link SelfSignedCertificate}) and kept in
 * {@value #GENERATED_KEYSTORE} (mode 0600) beside {@value #GENERATED_CERTIFICATE} (its PEM, for users to trust). The key
 * store file is watched ({@link #poll}): a replaced file is loaded and its key used from the next handshake on,
 * through the {@link SwappableKeyManager} handed out once; an expired generated certificate is made anew.
 *
 * <p>A key store that is missing, unreadable, of a wrong password, without a key or expired leaves TLS off, with
 * one log line saying why; a broken replacement of a working one is refused and the old certificate stays.
 */
public final class TlsIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(TlsIdentity.class);
    static final String GENERATED_KEYSTORE = "sip-tls.p12";
    static final String GENERATED_CERTIFICATE = "sip-tls.crt";
    /**
     * The generated key store's password. The file is readable by its owner only; a password kept beside it would be
     * exactly as readable, so it protects nothing more than a fixed, documented one (docs/tls.md).
     */
    static final String GENERATED_PASSWORD = "screamrouter-sip";
    private static final String ALIAS = "sip";

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final SwappableKeyManager keyManager = new SwappableKeyManager(null);

    private TlsSettings settings;
    private Loaded loaded;
    private String problem;
    private FileStamp stamp;
    private TrustManager[] serverTrust;
    private TrustManager[] clientTrust;

    /** What was loaded: the chosen key and chain, and the file it came from. */
    private record Loaded(PrivateKey key, X509Certificate[] chain, Path file, boolean generated) {
        X509Certificate certificate() {
            return chain[0];
        }
    }

    /** A file's modification time and size, to notice its replacement. */
    private record FileStamp(long modified, long size, Object key) {
        static FileStamp of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new FileStamp(a.lastModifiedTime().toMillis(), a.size(), a.fileKey());
            } catch (IOException e) {
                return null;
            }
        }
    }

    /** What a {@link #poll} found. */
    public enum Change {
        /** Nothing to do. */
        NONE,
        /** New key material is in use for new handshakes; bound listening points stay. */
        REPLACED,
        /** There was no usable certificate and now there is: the TLS listening points can be bound. */
        READY
    }

    public TlsIdentity(Clock clock) {
        this.clock = clock;
    }

    /**
     * Takes these settings; when they differ from the ones in use, loads (or generates) the certificate and trust anew.
     *
     * @return whether the settings changed (TLS listening points are then bound again)
     */
    public synchronized boolean configure(TlsSettings next) {
        if (next.equals(settings)) {
            return false;
        }
        settings = next;
        loaded = null;
        stamp = null;
        problem = null;
        try {
            serverTrust = trust(next, false);
            clientTrust = trust(next, true);
        } catch (IOException | GeneralSecurityException e) {
            fail("TLS off: cannot load the trust store " + next.truststore() + ": " + reason(e));
            return true;
        }
        Loaded l = next.keystore().isEmpty() ? generated(next.generatedFolder()) : fromKeyStore(next);
        if (l != null) {
            use(l);
        }
        return true;
    }

    /**
     * Checks the key store file for a replacement (and a generated certificate for its expiry); called every few
     * seconds.
     */
    public synchronized Change poll() {
        if (settings == null) {
            return Change.NONE;
        }
        boolean usable = loaded != null;
        Path file = settings.keystore().isEmpty() ? settings.generatedFolder().resolve(GENERATED_KEYSTORE) : Path.of(settings.keystore());
        FileStamp now = FileStamp.of(file);
        boolean expired = usable && loaded.generated() && !loaded.certificate().getNotAfter().toInstant().isAfter(clock.instant());
        if (!expired && java.util.Objects.equals(now, stamp)) {
            return Change.NONE;
        }
        stamp = now;
        if (now == null && usable && !expired) {
            return Change.NONE; // being replaced, or deleted: the loaded certificate stays in use
        }
        Loaded l;
        if (settings.keystore().isEmpty()) {
            if (expired) {
                LOG.info("the generated TLS certificate has expired: making a new one");
            }
            l = generated(settings.generatedFolder());
        } else {
            l = fromKeyStore(settings);
        }
        if (l == null) {
            if (usable) {
                LOG.error("TLS: the replaced key store {} is not used ({}); still presenting {}", file, problem,
                        Fingerprint.sha256(loaded.certificate()));
            }
            return Change.NONE;
        }
        if (usable && Arrays.equals(l.chain(), loaded.chain())) {
            return Change.NONE;
        }
        use(l);
        return usable ? Change.REPLACED : Change.READY;
    }

    /** Whether a certificate is loaded (TLS listening points can be bound). */
    public synchronized boolean ready() {
        return loaded != null;
    }

    /** The key manager the TLS contexts use, for every key material to come. */
    public KeyManager keyManager() {
        return keyManager;
    }

    /** Trust for client certificates (mutual TLS): the trust store, or the JDK's. */
    public synchronized TrustManager[] serverTrust() {
        return serverTrust;
    }

    /** Trust for servers this stack connects to: the pinned fingerprint, the trust store, or the JDK's. */
    public synchronized TrustManager[] clientTrust() {
        return clientTrust;
    }

    public synchronized TlsStatus status() {
        if (loaded == null) {
            return settings == null ? TlsStatus.NONE : new TlsStatus(null, null, false, null, problem);
        }
        return new TlsStatus(Fingerprint.sha256(loaded.certificate()), loaded.file().toString(), loaded.generated(),
                loaded.certificate().getNotAfter().toInstant(), problem);
    }

    private void use(Loaded l) {
        try {
            // an in-memory store only, to hand the key to the key manager factory: JKS protects the key without a key
            // derivation, where PKCS12 would derive one to store it and again to read it (about 70 ms of a start)
            KeyStore store = KeyStore.getInstance("JKS");
            store.load(null, null);
            char[] password = GENERATED_PASSWORD.toCharArray();
            store.setKeyEntry(ALIAS, l.key(), password, l.chain());
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            X509ExtendedKeyManager manager = Arrays.stream(factory.getKeyManagers())
                    .filter(X509ExtendedKeyManager.class::isInstance).map(X509ExtendedKeyManager.class::cast)
                    .findFirst().orElseThrow(() -> new GeneralSecurityException("no X.509 key manager"));
            keyManager.swap(manager);
        } catch (IOException | GeneralSecurityException e) {
            fail("TLS off: the key from " + l.file() + " cannot be used: " + reason(e));
            return;
        }
        loaded = l;
        problem = null;
        stamp = FileStamp.of(l.file());
        X509Certificate c = l.certificate();
        LOG.info("TLS certificate {} from {}: SHA-256 {}, valid until {}", c.getSubjectX500Principal().getName(), l.file(),
                Fingerprint.sha256(c), c.getNotAfter().toInstant());
    }

    private Loaded fromKeyStore(TlsSettings s) {
        Path file = Path.of(s.keystore());
        stamp = FileStamp.of(file);
        try {
            KeyStore store = load(file, s.keystoreType(), s.keystorePassword());
            char[] password = s.keystorePassword().toCharArray();
            String alias = s.keyAlias().isEmpty() ? firstKeyAlias(store) : s.keyAlias();
            if (alias == null) {
                fail("TLS off: the key store " + file + " holds no private key");
                return null;
            }
            if (!store.isKeyEntry(alias)) {
                fail("TLS off: the key store " + file + " has no key entry " + alias + " (tls.key.alias)");
                return null;
            }
            Key key = store.getKey(alias, password);
            Certificate[] chain = store.getCertificateChain(alias);
            if (!(key instanceof PrivateKey privateKey) || chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
                fail("TLS off: the entry " + alias + " of " + file + " is not a private key with an X.509 certificate");
                return null;
            }
            X509Certificate[] x509 = Arrays.stream(chain).map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
            Instant now = clock.instant();
            if (!x509[0].getNotAfter().toInstant().isAfter(now)) {
                fail("TLS off: the certificate in " + file + " expired on " + x509[0].getNotAfter().toInstant());
                return null;
            }
            if (x509[0].getNotBefore().toInstant().isAfter(now)) {
                fail("TLS off: the certificate in " + file + " is valid only from " + x509[0].getNotBefore().toInstant());
                return null;
            }
            return new Loaded(privateKey, x509, file, false);
        } catch (IOException | GeneralSecurityException | ClassCastException e) {
            fail("TLS off: cannot load the key store " + file + ": " + reason(e));
            return null;
        }
    }

    /** The generated certificate of {@code folder}, made anew when missing, unreadable or expired. */
    private Loaded generated(Path folder) {
        Path file = folder.resolve(GENERATED_KEYSTORE);
        if (Files.exists(file)) {
            try {
                KeyStore store = load(file, "PKCS12", GENERATED_PASSWORD);
                Key key = store.getKey(ALIAS, GENERATED_PASSWORD.toCharArray());
                Certificate[] chain = store.getCertificateChain(ALIAS);
                if (key instanceof PrivateKey privateKey && chain != null && chain.length > 0 && chain[0] instanceof X509Certificate c
                        && c.getNotAfter().toInstant().isAfter(clock.instant())) {
                    stamp = FileStamp.of(file);
                    return new Loaded(privateKey, new X509Certificate[] {c}, file, true);
                }
                LOG.info("TLS: {} is expired or holds no key: making a new certificate", file);
            } catch (IOException | GeneralSecurityException e) {
                LOG.warn("TLS: {} cannot be read ({}): making a new certificate", file, reason(e));
            }
        }
        try {
            SelfSignedCertificate.Made made = SelfSignedCertificate.make(LocalNames.ofThisMachine(), clock.instant(), random);
            write(folder, made);
            stamp = FileStamp.of(file);
            LOG.info("TLS: generated a self-signed certificate in {} (trust {} in clients)", file, folder.resolve(GENERATED_CERTIFICATE));
            return new Loaded(made.key(), new X509Certificate[] {made.certificate()}, file, true);
        } catch (IOException | GeneralSecurityException e) {
            fail("TLS off: cannot generate a certificate in " + folder + ": " + reason(e));
            return null;
        }
    }

    /** Writes the key store (owner only) and the certificate's PEM, each through a temporary file and a rename. */
    private void write(Path folder, SelfSignedCertificate.Made made) throws IOException, GeneralSecurityException {
        Files.createDirectories(folder);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(ALIAS, made.key(), GENERATED_PASSWORD.toCharArray(), new Certificate[] {made.certificate()});
        Path keys = ownerOnlyTempFile(folder);
        try (OutputStream out = Files.newOutputStream(keys)) {
            store.store(out, GENERATED_PASSWORD.toCharArray());
        }
        Path pem = Files.createTempFile(folder, ".sip-tls", ".tmp");
        Files.writeString(pem, SelfSignedCertificate.pem(made.certificate()), StandardCharsets.US_ASCII);
        try {
            // a certificate is public: readable by all, for the users who import it into their phones and browsers
            Files.setPosixFilePermissions(pem, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            // other systems: as created
        }
        move(pem, folder.resolve(GENERATED_CERTIFICATE));
        move(keys, folder.resolve(GENERATED_KEYSTORE));
    }

    private static Path ownerOnlyTempFile(Path folder) throws IOException {
        try {
            return Files.createTempFile(folder, ".sip-tls", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createTempFile(folder, ".sip-tls", ".tmp");
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static KeyStore load(Path file, String type, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type.isEmpty() ? typeOf(file) : type);
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    /** PKCS12 for .p12 and .pfx, JKS for .jks, otherwise the JDK's default type. */
    static String typeOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".p12") || name.endsWith(".pfx")) return "PKCS12";
        if (name.endsWith(".jks")) return "JKS";
        return KeyStore.getDefaultType();
    }

    private static String firstKeyAlias(KeyStore store) throws GeneralSecurityException {
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) return alias;
        }
        return null;
    }

    private static TrustManager[] trust(TlsSettings s, boolean client) throws IOException, GeneralSecurityException {
        if (client && !s.pinnedFingerprint().isEmpty()) {
            return new TrustManager[] {new PinnedTrustManager(s.pinnedFingerprint())};
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(s.truststore().isEmpty() ? null : load(Path.of(s.truststore()), "", s.truststorePassword()));
        return factory.getTrustManagers();
    }

    private void fail(String why) {
        problem = why;
        LOG.error(why);
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            if (t.getCause() instanceof UnrecoverableKeyException) {
                return "wrong password";
            }
            t = t.getCause();
        }
        if (e instanceof UnrecoverableKeyException || t instanceof UnrecoverableKeyException) {
            return "wrong password";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "not readable";
        }
        if (e instanceof java.io.EOFException || e.getMessage() == null) {
            return "not a key store of this type (" + e + ")";
        }
        return e.getMessage();
    }
}
