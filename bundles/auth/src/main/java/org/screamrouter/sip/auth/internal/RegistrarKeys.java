package org.screamrouter.sip.auth.internal;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The upgrade path from the registrar's configuration: before the auth bundle, the {@code auth.*} keys lived in the
 * registrar's PID ({@code org.screamrouter.sip.registrar}), and an upgraded server may still carry them in its
 * {@code etc/org.screamrouter.sip.registrar.cfg}. Such a key is adopted while the auth PID leaves it unset or empty, and
 * {@code auth.mode} may only get stricter: {@code digest} (or a typo, which means digest) in either PID means digest,
 * so a shipped {@code auth.mode = none} never undoes an old file's {@code digest}. The realm defaults to the
 * registrar's {@code domain}, as it always did.
 */
final class RegistrarKeys {
    static final String REGISTRAR_PID = "org.screamrouter.sip.registrar";
    static final String DEFAULT_DOMAIN = "screamrouter.local";

    /** The auth configuration to use, and the keys taken from the registrar's PID (to tell the operator). */
    record Merged(AuthConfig config, List<String> adopted, List<String> leftInRegistrar) {}

    private RegistrarKeys() {}

    static Merged merge(Map<String, ?> own, Map<String, ?> registrar) {
        Map<String, Object> out = new HashMap<>(own);
        List<String> adopted = new ArrayList<>();
        List<String> left = new ArrayList<>();
        for (var e : new TreeMap<>(registrar).entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("auth.")) continue;
            left.add(key);
            if (key.equals("auth.mode")) {
                if (!isNone(e.getValue()) && isNone(own.get(key))) {
                    out.put(key, e.getValue());
                    adopted.add(key);
                }
            } else if (blank(own.get(key)) && !blank(e.getValue())) {
                out.put(key, e.getValue());
                adopted.add(key);
            }
        }
        if (blank(out.get("auth.realm"))) {
            Object domain = registrar.get("domain");
            out.put("auth.realm", blank(domain) ? DEFAULT_DOMAIN : domain.toString().trim());
        }
        return new Merged(config(out), List.copyOf(adopted), List.copyOf(left));
    }

    private static boolean isNone(Object mode) {
        return blank(mode) || "none".equals(mode.toString().trim().toLowerCase(Locale.ROOT));
    }

    private static boolean blank(Object value) {
        if (value == null) return true;
        if (value.getClass().isArray()) return Array.getLength(value) == 0;
        return value.toString().isBlank();
    }

    /**
     * The configuration as the component reads it, from properties named as in the .cfg file ({@code auth.nonce.lifetime}
     * for {@code auth_nonce_lifetime()}); a missing key gives the annotation's default.
     */
    static AuthConfig config(Map<String, ?> properties) {
        return (AuthConfig) Proxy.newProxyInstance(AuthConfig.class.getClassLoader(), new Class<?>[] {AuthConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "annotationType" -> AuthConfig.class;
                    case "toString" -> "AuthConfig" + properties;
                    case "hashCode" -> properties.hashCode();
                    case "equals" -> proxy == args[0];
                    default -> value(method, properties.get(method.getName().replace('_', '.')));
                });
    }

    private static Object value(Method method, Object value) {
        Class<?> type = method.getReturnType();
        if (value == null) return method.getDefaultValue();
        if (type == String[].class) {
            if (value instanceof String[] a) return a.clone();
            if (value instanceof Iterable<?> i) {
                List<String> l = new ArrayList<>();
                i.forEach(o -> l.add(String.valueOf(o)));
                return l.toArray(String[]::new);
            }
            return new String[] {value.toString()};
        }
        if (value.getClass().isArray()) value = Array.getLength(value) == 0 ? "" : Array.get(value, 0);
        if (type == int.class) {
            try {
                return value instanceof Number n ? n.intValue() : Integer.parseInt(value.toString().trim());
            } catch (NumberFormatException e) {
                return method.getDefaultValue();
            }
        }
        return value.toString();
    }

    /** The one line the operator reads while the registrar's PID still has {@code auth.*} keys. */
    static String advice(Merged merged) {
        return "the registrar's configuration (" + REGISTRAR_PID + ") still has " + String.join(", ", merged.leftInRegistrar())
                + (merged.adopted().isEmpty() ? ": not used, the auth configuration sets them"
                        : ": used " + merged.adopted() + " as the auth configuration (" + AuthConfig.PID + ") does not set them")
                + "; move them to etc/" + AuthConfig.PID + ".cfg and remove them from etc/" + REGISTRAR_PID + ".cfg (docs/auth.md, Upgrading)";
    }
}
