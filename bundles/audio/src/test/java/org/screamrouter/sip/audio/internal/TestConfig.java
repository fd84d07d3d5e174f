package org.screamrouter.sip.audio.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** An {@link AudioConfig} with the metatype defaults and some values overridden, as SCR would pass it. */
final class TestConfig {
    private TestConfig() {
    }

    static AudioConfig of(Map<String, Object> overrides) {
        return (AudioConfig) Proxy.newProxyInstance(AudioConfig.class.getClassLoader(), new Class<?>[] {AudioConfig.class},
                (proxy, m, args) -> {
                    if (overrides.containsKey(m.getName())) return overrides.get(m.getName());
                    Object d = m.getDefaultValue();
                    if (d != null) return d;
                    return switch (m.getName()) {
                        case "annotationType" -> AudioConfig.class;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "toString" -> "AudioConfig" + overrides;
                        default -> throw new UnsupportedOperationException(m.getName());
                    };
                });
    }
}
