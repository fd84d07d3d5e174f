package org.screamrouter.sip.stack.internal.tls;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the stack's TLS certificate and trust come from.
 *
 * @param keystore           PKCS12 or JKS file with the server's key and certificate; empty to use a generated one
 * @param keystorePassword   its password (also the key's)
 * @param keystoreType       PKCS12 or JKS; empty to go by the file's extension
 * @param keyAlias           the entry to use; empty for the first key entry
 * @param truststore         certificates trusted for client certificates (mutual TLS) and, on a client, servers;
 *                           empty for the JDK's own
 * @param truststorePassword its password
 * @param clientAuth         {@code none}, {@code want} or {@code need}: whether the server asks clients for a certificate
 * @param generatedFolder    where a generated certificate is kept ({@value TlsIdentity#GENERATED_KEYSTORE},
 *                           {@value TlsIdentity#GENERATED_CERTIFICATE})
 * @param pinnedFingerprint  a client's only trusted server certificate (SHA-256, see {@link Fingerprint}); empty for none
 */
public record TlsSettings(String keystore, String keystorePassword, String keystoreType, String keyAlias,
                          String truststore, String truststorePassword, String clientAuth, Path generatedFolder,
                          String pinnedFingerprint) {
    public TlsSettings {
        keystore = trim(keystore);
        keystorePassword = keystorePassword == null ? "" : keystorePassword;
        keystoreType = trim(keystoreType);
        keyAlias = trim(keyAlias);
        truststore = trim(truststore);
        truststorePassword = truststorePassword == null ? "" : truststorePassword;
        clientAuth = trim(clientAuth).toLowerCase(Locale.ROOT);
        if (clientAuth.isEmpty()) {
            clientAuth = "none";
        }
        if (!clientAuth.equals("none") && !clientAuth.equals("want") && !clientAuth.equals("need")) {
            throw new IllegalArgumentException("tls.client.auth is none, want or need: " + clientAuth);
        }
        Objects.requireNonNull(generatedFolder, "generatedFolder");
        pinnedFingerprint = trim(pinnedFingerprint);
        if (!pinnedFingerprint.isEmpty()) {
            pinnedFingerprint = Fingerprint.normalize(pinnedFingerprint);
        }
    }

    /** A generated certificate in {@code folder}, no client certificates, the JDK's trust. */
    public static TlsSettings generatedIn(Path folder) {
        return new TlsSettings("", "", "", "", "", "", "none", folder, "");
    }

    /** These settings, trusting only the server certificate of this SHA-256 fingerprint when connecting. */
    public TlsSettings pinning(String fingerprint) {
        return new TlsSettings(keystore, keystorePassword, keystoreType, keyAlias, truststore, truststorePassword, clientAuth,
                generatedFolder, fingerprint);
    }

    /** JAIN-SIP's {@code TLS_CLIENT_AUTH_TYPE} for {@link #clientAuth}. */
    public String jainSipClientAuth() {
        return switch (clientAuth) {
            case "want" -> "Want";
            case "need" -> "Enabled";
            default -> "Disabled";
        };
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }
}
