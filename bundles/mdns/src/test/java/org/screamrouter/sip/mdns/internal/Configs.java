package org.screamrouter.sip.mdns.internal;

import java.util.HashMap;
import java.util.Map;

/** {@link MdnsConfig} instances for tests: the annotation's defaults, overridden by method name. */
final class Configs {
    private Configs() {}

    /** A configuration bound to loopback only: tests never announce on a real interface. */
    static MdnsConfig loopback(String instanceName, Object... overrides) {
        Map<String, Object> values = new HashMap<>();
        values.put("interfaces", new String[] {"127.0.0.1"});
        values.put("instance_name", instanceName);
        for (int i = 0; i < overrides.length; i += 2) {
            values.put((String) overrides[i], overrides[i + 1]);
        }
        return org.screamrouter.sip.testsupport.Configs.of(MdnsConfig.class, values);
    }
}
