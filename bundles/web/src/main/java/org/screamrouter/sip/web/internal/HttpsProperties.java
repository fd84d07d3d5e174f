package org.screamrouter.sip.web.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.screamrouter.sip.stack.TlsStatus;

/**
 * The properties of Felix HTTP's configuration ({@code org.apache.felix.http}) that serve HTTPS with the SIP stack's
 * certificate (docs/web.md, "HTTPS"): the key store the stack loaded, its type and password as the stack's own
 * configuration gives them, TLS 1.3 and 1.2 only. The fingerprint is written too, so that a replaced certificate
 * changes the configuration and Felix HTTP restarts Jetty with it.
 */
final class HttpsProperties {
    static final String ENABLE = "org.apache.felix.https.enable";
    static final String PORT = "org.osgi.service.http.port.secure";
    static final String KEYSTORE = "org.apache.felix.https.keystore";
    static final String KEYSTORE_TYPE = "org.apache.felix.https.keystore.type";
    static final String KEYSTORE_PASSWORD = "org.apache.felix.https.keystore.password";
    static final String KEY_PASSWORD = "org.apache.felix.https.keystore.key.password";
    static final String PROTOCOLS = "org.apache.felix.https.jetty.protocols.included";
    static final String SUITES = "org.apache.felix.https.jetty.ciphersuites.included";
    /** Ours: marks the HTTPS settings as written by the console, and changes with the certificate. */
    static final String FINGERPRINT = "screamrouter.https.fingerprint";
    static final String TLS_PROTOCOLS = "TLSv1.3,TLSv1.2";
    /**
     * The stack's rule for cipher suites (docs/tls.md), as Jetty's patterns: TLS 1.3's AEAD suites, and for TLS 1.2
     * only ECDHE with AES-GCM or ChaCha20-Poly1305 (no RSA key exchange, no CBC, no SHA-1).
     */
    static final String TLS_SUITES = "^TLS_AES_(128_GCM_SHA256|256_GCM_SHA384)$,^TLS_CHACHA20_POLY1305_SHA256$,"
            + "^TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$";
    /** The generated key store's password: fixed and documented (docs/tls.md). */
    static final String GENERATED_PASSWORD = "screamrouter-sip";

    private HttpsProperties() {
    }

    /**
     * The HTTPS properties for this certificate, or null when there is none to serve.
     *
     * @param stackConfig the stack's configuration ({@code org.screamrouter.sip.stack}), for the password and type of a
     *                    key store of the user's own
     */
    static Map<String, Object> of(TlsStatus tls, Map<String, ?> stackConfig, int port) {
        if (tls == null || tls.fingerprint() == null || tls.source() == null) {
            return null;
        }
        String password = tls.generated() ? GENERATED_PASSWORD : text(stackConfig, "tls.keystore.password");
        String type = tls.generated() ? "PKCS12" : text(stackConfig, "tls.keystore.type");
        if (type.isEmpty()) {
            type = tls.source().toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12";
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(ENABLE, "true");
        p.put(PORT, Integer.toString(port));
        p.put(KEYSTORE, tls.source());
        p.put(KEYSTORE_TYPE, type);
        p.put(KEYSTORE_PASSWORD, password);
        p.put(KEY_PASSWORD, password);
        p.put(PROTOCOLS, TLS_PROTOCOLS);
        p.put(SUITES, TLS_SUITES);
        p.put(FINGERPRINT, tls.fingerprint());
        return p;
    }

    /** Every key {@link #of} writes. */
    static List<String> keys() {
        return List.of(ENABLE, PORT, KEYSTORE, KEYSTORE_TYPE, KEYSTORE_PASSWORD, KEY_PASSWORD, PROTOCOLS, SUITES, FINGERPRINT);
    }

    /** Whether {@code current} already holds every one of {@code wanted} (as text). */
    static boolean holds(Map<String, ?> current, Map<String, Object> wanted) {
        return wanted.entrySet().stream().allMatch(e -> current.get(e.getKey()) != null
                && String.valueOf(current.get(e.getKey())).equals(String.valueOf(e.getValue())));
    }

    /** Whether HTTPS is on in {@code current} by someone else's settings (not ours): those are left alone. */
    static boolean foreign(Map<String, ?> current) {
        return "true".equalsIgnoreCase(String.valueOf(current.get(ENABLE))) && !current.containsKey(FINGERPRINT);
    }

    private static String text(Map<String, ?> config, String key) {
        Object v = config == null ? null : config.get(key);
        return v == null ? "" : v.toString().trim();
    }
}
