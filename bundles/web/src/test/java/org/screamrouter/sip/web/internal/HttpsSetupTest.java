package org.screamrouter.sip.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipStackStatus;
import org.screamrouter.sip.stack.TlsStatus;
import org.screamrouter.sip.testsupport.Configs;

/** What HttpsSetup writes into Felix HTTP's configuration, with Configuration Admin as a map (a collaborator). */
class HttpsSetupTest {
    private static final TlsStatus CERT = new TlsStatus("AB:CD", "/karaf/etc/sip-tls.p12", true, Instant.EPOCH, null);

    /** Felix HTTP's configuration and every update made to it. */
    private final Hashtable<String, Object> http = new Hashtable<>(Map.of("org.osgi.service.http.port", "8181"));
    private final List<Dictionary<String, Object>> updates = new ArrayList<>();
    private final HttpsSetup setup = new HttpsSetup();

    HttpsSetupTest() {
        Configuration configuration = (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Configuration.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getProperties" -> new Hashtable<>(http);
                    case "update" -> {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> d = (Dictionary<String, Object>) a[0];
                        updates.add(d);
                        http.clear();
                        for (String k : java.util.Collections.list(d.keys())) http.put(k, d.get(k));
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        setup.configAdmin = (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ConfigurationAdmin.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getConfiguration" -> configuration;
                    case "listConfigurations" -> null;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        setup.settings = Configs.of(WebConfig.class, Map.of());
    }

    private static SipStackStatus stack(TlsStatus tls) {
        return new SipStackStatus() {
            @Override public List<ListeningPoint> listeningPoints() { return List.of(); }
            @Override public SortedSet<String> servedMethods() { return new TreeSet<>(); }
            @Override public Map<String, Long> counters() { return Map.of(); }
            @Override public TlsStatus tls() { return tls; }
        };
    }

    @Test
    void theStacksCertificateIsWrittenOnceAndNotAgainWhileItIsTheSame() {
        setup.stack = stack(CERT);
        setup.check();
        setup.check();
        assertThat(updates).hasSize(1);
        assertThat(http).containsEntry(HttpsProperties.ENABLE, "true").containsEntry(HttpsProperties.FINGERPRINT, "AB:CD")
                .containsEntry("org.osgi.service.http.port", "8181");
    }

    @Test
    void aStackThatIsAwayForAnUpdateLeavesHttpsAsItIs() {
        setup.stack = stack(CERT);
        setup.check();
        setup.stack = null;   // the stack bundle being updated
        setup.check();
        setup.stack = stack(TlsStatus.NONE);
        setup.check();
        setup.stack = stack(CERT);
        setup.check();
        assertThat(updates).as("one write: no Jetty restart around the stack's update").hasSize(1);
    }

    @Test
    void aReplacedCertificateIsWrittenAgainAndSwitchingOffTakesOurSettingsOut() {
        setup.stack = stack(CERT);
        setup.check();
        setup.stack = stack(new TlsStatus("EF:01", "/karaf/etc/sip-tls.p12", true, Instant.EPOCH, null));
        setup.check();
        assertThat(updates).hasSize(2);
        assertThat(http).containsEntry(HttpsProperties.FINGERPRINT, "EF:01");
        setup.settings = Configs.of(WebConfig.class, Map.of("https_enabled", false));
        setup.check();
        assertThat(http).containsEntry(HttpsProperties.ENABLE, "false").doesNotContainKey(HttpsProperties.FINGERPRINT)
                .doesNotContainKey(HttpsProperties.KEYSTORE_PASSWORD).containsEntry("org.osgi.service.http.port", "8181");
    }

    @Test
    void httpsSettingsOfSomeoneElseAreLeftAlone() {
        http.put(HttpsProperties.ENABLE, "true");
        http.put(HttpsProperties.KEYSTORE, "/srv/own.jks");
        setup.stack = stack(CERT);
        setup.check();
        assertThat(updates).isEmpty();
    }
}
