package org.screamrouter.sip.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.stack.TlsStatus;

class HttpsPropertiesTest {
    private static final TlsStatus GENERATED = new TlsStatus("AB:CD", "/opt/karaf/etc/sip-tls.p12", true, Instant.EPOCH, null);

    @Test
    void theGeneratedKeyStoreIsServedWithItsDocumentedPasswordOnTheConsolesPort() {
        Map<String, Object> p = HttpsProperties.of(GENERATED, Map.of("tls.keystore.password", "not this one"), 8443);
        assertEquals("true", p.get(HttpsProperties.ENABLE));
        assertEquals("8443", p.get(HttpsProperties.PORT));
        assertEquals("/opt/karaf/etc/sip-tls.p12", p.get(HttpsProperties.KEYSTORE));
        assertEquals("PKCS12", p.get(HttpsProperties.KEYSTORE_TYPE));
        assertEquals("screamrouter-sip", p.get(HttpsProperties.KEYSTORE_PASSWORD));
        assertEquals("screamrouter-sip", p.get(HttpsProperties.KEY_PASSWORD));
        assertEquals("TLSv1.3,TLSv1.2", p.get(HttpsProperties.PROTOCOLS));
        assertEquals("AB:CD", p.get(HttpsProperties.FINGERPRINT));
        assertEquals(HttpsProperties.keys().size(), p.size());
    }

    @Test
    void aKeyStoreOfTheUsersOwnTakesThePasswordAndTypeFromTheStacksConfiguration() {
        TlsStatus own = new TlsStatus("01:02", "/srv/keys/router.JKS", false, Instant.EPOCH, null);
        Map<String, Object> p = HttpsProperties.of(own, Map.of("tls.keystore.password", " s3cret "), 9443);
        assertEquals("s3cret", p.get(HttpsProperties.KEYSTORE_PASSWORD));
        assertEquals("JKS", p.get(HttpsProperties.KEYSTORE_TYPE));
        assertEquals("PKCS12", HttpsProperties.of(new TlsStatus("01:02", "/srv/keys/router.pfx", false, null, null), Map.of(), 9443)
                .get(HttpsProperties.KEYSTORE_TYPE));
        assertEquals("JKS", HttpsProperties.of(new TlsStatus("01:02", "/srv/keys/router.p12", false, null, null),
                Map.of("tls.keystore.type", "JKS"), 9443).get(HttpsProperties.KEYSTORE_TYPE));
    }

    @Test
    void withoutACertificateThereIsNothingToServe() {
        assertNull(HttpsProperties.of(null, Map.of(), 8443));
        assertNull(HttpsProperties.of(TlsStatus.NONE, Map.of(), 8443));
        assertNull(HttpsProperties.of(new TlsStatus(null, "/x.p12", false, null, "TLS off: wrong password"), Map.of(), 8443));
    }

    @Test
    void theCipherRuleIsTheStacksAeadAndForwardSecrecyOnly() {
        String[] patterns = HttpsProperties.TLS_SUITES.split(",");
        java.util.function.Predicate<String> allowed = s -> java.util.Arrays.stream(patterns).anyMatch(s::matches);
        for (String ok : new String[] {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"}) {
            assertTrue(allowed.test(ok), ok);
        }
        for (String no : new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"}) {
            assertFalse(allowed.test(no), no);
        }
    }

    @Test
    void holdsComparesAsTextAndForeignHttpsIsRecognised() {
        Map<String, Object> wanted = HttpsProperties.of(GENERATED, Map.of(), 8443);
        Map<String, Object> current = new HashMap<>(wanted);
        current.put(HttpsProperties.PORT, 8443);
        current.put("org.osgi.service.http.port", "8181");
        assertTrue(HttpsProperties.holds(current, wanted));
        current.put(HttpsProperties.FINGERPRINT, "EF:01");
        assertFalse(HttpsProperties.holds(current, wanted), "a replaced certificate is a change");
        assertFalse(HttpsProperties.foreign(current));
        assertTrue(HttpsProperties.foreign(Map.of(HttpsProperties.ENABLE, "true", HttpsProperties.KEYSTORE, "/mine.jks")));
        assertFalse(HttpsProperties.foreign(Map.of(HttpsProperties.ENABLE, "false")));
    }
}
