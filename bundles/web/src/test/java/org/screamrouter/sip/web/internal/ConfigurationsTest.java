package org.screamrouter.sip.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.http.Json;

class ConfigurationsTest {
    @Test
    void aConfigurationSortedWithoutTheFrameworksKeysSecretsMaskedArraysAsArrays() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("service.pid", "org.screamrouter.sip.stack");
        p.put("felix.fileinstall.filename", "file:/opt/karaf/etc/org.screamrouter.sip.stack.cfg");
        p.put("udp.port", "5060");
        p.put("tls.keystore.password", "hunter2");
        p.put("tls.truststore.password", "");
        p.put("bind.address", "0.0.0.0");
        p.put("tcp.enabled", Boolean.TRUE);
        p.put("ice.servers", new String[] {"stun:10.0.0.1:3478", "turn:10.0.0.1:3478|alice|hunter3"});
        p.put("ports", new int[] {1, 2});
        p.put("sinks", List.of("kitchen:4010"));
        Map<String, Object> view = Configurations.view("org.screamrouter.sip.stack", p);
        assertThat(Json.write(view)).isEqualTo("{\"pid\":\"org.screamrouter.sip.stack\",\"file\":\"/opt/karaf/etc/org.screamrouter.sip.stack.cfg\","
                + "\"properties\":{\"bind.address\":\"0.0.0.0\",\"ice.servers\":[\"stun:10.0.0.1:3478\",\"turn:10.0.0.1:3478|alice|********\"],"
                + "\"ports\":[\"1\",\"2\"],\"sinks\":[\"kitchen:4010\"],\"tcp.enabled\":\"true\",\"tls.keystore.password\":\"********\","
                + "\"tls.truststore.password\":\"\",\"udp.port\":\"5060\"},"
                + "\"masked\":[\"ice.servers\",\"tls.keystore.password\",\"tls.truststore.password\"],"
                + "\"edit\":\"config:property-set -p org.screamrouter.sip.stack <key> <value>\"}");
        assertThat(Json.write(view)).doesNotContain("hunter");
    }

    @Test
    void withoutAFileItIsNull() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("service.pid", "org.apache.felix.http");
        p.put("org.osgi.service.http.port", 8181);
        assertThat(Configurations.view("org.apache.felix.http", p)).containsEntry("file", null).containsEntry("properties",
                Map.of("org.osgi.service.http.port", "8181")).containsEntry("masked", List.of());
    }

    @Test
    void whichPidsAreShown() {
        assertThat(Configurations.shown("org.screamrouter.sip.web")).isTrue();
        assertThat(Configurations.shown("org.screamrouter.sip.whep.relay")).isTrue();
        assertThat(Configurations.shown("org.apache.felix.http")).isTrue();
        assertThat(Configurations.shown("org.apache.karaf.shell")).isFalse();
        assertThat(Configurations.shown("org.ops4j.pax.logging")).isFalse();
    }
}
