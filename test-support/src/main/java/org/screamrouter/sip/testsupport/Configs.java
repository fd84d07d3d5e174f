package org.screamrouter.sip.testsupport;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/** Component configurations (metatype annotation types) for unit tests: the declared defaults, some overridden. */
public final class Configs {
    private Configs() {
    }

    /**
     * An instance of the configuration type whose attributes answer their default values, except those named in
     * {@code overrides} (by method name, e.g. {@code "max_expires"}).
     */
    public static <T> T of(Class<T> type, Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>(overrides);
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            if (method.getName().equals("annotationType")) return type;
            if (method.getName().equals("toString") && method.getParameterCount() == 0) return type.getSimpleName() + values;
            Object v = values.get(method.getName());
            return v != null ? v : method.getDefaultValue();
        });
        return type.cast(proxy);
    }
}
