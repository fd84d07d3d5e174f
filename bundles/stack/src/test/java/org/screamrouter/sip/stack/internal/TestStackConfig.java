package org.screamrouter.sip.stack.internal;

import java.util.HashMap;
import java.util.Map;
import org.screamrouter.sip.testsupport.Configs;

/**
 * A {@link StackConfig} as SCR would pass it: the metatype defaults, then the test's values. Tests bind to loopback,
 * use small tuning, leave tls and wss off, and lift the per-source request rate (they are many peers from one address); a new attribute
 * needs no change here.
 */
final class TestStackConfig {
    private TestStackConfig() {
    }

    static StackConfig of(Map<String, Object> values) {
        Map<String, Object> v = new HashMap<>();
        v.put("bind_address", "127.0.0.1");
        v.put("thread_pool_size", 2);
        v.put("max_message_size", 8192);
        v.put("udp_buffer_size", 1 << 20);
        v.put("server_header", "test");
        v.put("rate_per_source", 0);
        // TLS binds ports of its own and generates a certificate: only the tests that use it turn it on
        v.put("tls_enabled", false);
        v.put("wss_enabled", false);
        v.putAll(values);
        return Configs.of(StackConfig.class, v);
    }
}
