package org.screamrouter.sip.web.internal;

import java.io.IOException;
import java.lang.reflect.Array;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * {@code GET /api/config}: the configurations of ScreamRouter SIP ({@code org.screamrouter.sip*}) and of the HTTP
 * server ({@code org.apache.felix.http}) as Configuration Admin holds them, read-only, sorted by PID and key, secrets
 * masked ({@link SecretMask}), each with the Karaf command that changes it. The framework's own keys are left out; the
 * file Felix FileInstall read it from is {@code file}.
 */
final class Configurations {
    static final String PREFIX = "org.screamrouter.sip";
    static final String HTTP_PID = "org.apache.felix.http";
    private static final String FILE_KEY = "felix.fileinstall.filename";
    /** Keys Configuration Admin, FileInstall and Karaf's features service add. */
    private static final Set<String> FRAMEWORK_KEYS = Set.of("service.pid", "service.factoryPid", "service.bundleLocation", FILE_KEY,
            "org.apache.karaf.features.configKey");

    private Configurations() {}

    /** Whether the configuration of this PID is shown. */
    static boolean shown(String pid) {
        return pid.startsWith(PREFIX) || pid.equals(HTTP_PID);
    }

    /** Every shown configuration, by PID: {@code {"configurations": [...]}}. */
    static Map<String, Object> report(ConfigurationAdmin admin) {
        Configuration[] all;
        try {
            all = admin.listConfigurations(null);
        } catch (IOException | InvalidSyntaxException e) {
            throw new ApiError(503, "Configuration Admin could not list the configurations: " + e.getMessage());
        }
        List<Configuration> shown = new ArrayList<>();
        if (all != null) {
            for (Configuration c : all) {
                if (shown(c.getPid())) {
                    shown.add(c);
                }
            }
        }
        shown.sort(Comparator.comparing(Configuration::getPid));
        List<Object> list = new ArrayList<>();
        for (Configuration c : shown) {
            Dictionary<String, Object> properties = c.getProperties();
            if (properties != null) {
                list.add(view(c.getPid(), properties));
            }
        }
        return Map.of("configurations", list);
    }

    /** One configuration: {@code pid}, {@code file}, {@code properties}, {@code masked}, {@code edit}. */
    static Map<String, Object> view(String pid, Dictionary<String, ?> properties) {
        Map<String, Object> values = new TreeMap<>();
        Set<String> masked = new TreeSet<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            if (FRAMEWORK_KEYS.contains(key) || key.startsWith(".")) {
                continue;
            }
            Object raw = properties.get(key);
            List<String> items = items(raw);
            Object plain = items == null ? String.valueOf(raw) : items;
            Object shown = items == null ? SecretMask.mask(key, String.valueOf(raw)) : items.stream().map(v -> SecretMask.mask(key, v)).toList();
            if (SecretMask.secretKey(key) || !shown.equals(plain)) {
                masked.add(key);
            }
            values.put(key, shown);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        m.put("file", file(properties.get(FILE_KEY)));
        m.put("properties", values);
        m.put("masked", new ArrayList<>(masked));
        m.put("edit", "config:property-set -p " + pid + " <key> <value>");
        return m;
    }

    /** An array's or a collection's elements as text; null for a single value. */
    private static List<String> items(Object raw) {
        if (raw != null && raw.getClass().isArray()) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < Array.getLength(raw); i++) {
                items.add(String.valueOf(Array.get(raw, i)));
            }
            return items;
        }
        if (raw instanceof Collection<?> collection) {
            return collection.stream().map(String::valueOf).toList();
        }
        return null;
    }

    /** FileInstall's file name (a {@code file:} URL) as a path; null when the configuration has none. */
    private static String file(Object name) {
        if (name == null) {
            return null;
        }
        String s = String.valueOf(name);
        if (s.startsWith("file:")) {
            try {
                return Path.of(URI.create(s)).toString();
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                return s;
            }
        }
        return s;
    }
}
