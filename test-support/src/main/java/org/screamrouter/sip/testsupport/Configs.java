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
            if (values.containsKey(method.getName())) return values.get(method.getName());
            Object d = method.getDefaultValue();
            if (d != null) return d;
            return switch (method.getName()) {
                case "annotationType" -> type;
                case "hashCode" -> System.identityHashCode(p);
                case "equals" -> p == args[0];
                case "toString" -> type.getSimpleName() + values;
                default -> throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName() + " has no default");
            };
        });
        return type.cast(proxy);
    }
}
