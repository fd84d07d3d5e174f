package org.screamrouter.sip.stack.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.screamrouter.sip.stack.SipRequestHandler;

/**
 * The whiteboard: which {@link SipRequestHandler} serves which method. Handlers come and go on DS threads
 * while the stack's threads look them up; the table is replaced whole on each change, so a lookup is one
 * volatile read and never sees a half-made table.
 */
final class HandlerRegistry {
    record Entry(SipRequestHandler handler, int ranking, long serviceId) {}

    private static final Comparator<Entry> BEST_FIRST =
            Comparator.comparingInt(Entry::ranking).reversed().thenComparingLong(Entry::serviceId);

    private final Map<SipRequestHandler, Map<String, Object>> registered = new ConcurrentHashMap<>();
    private volatile Map<String, SipRequestHandler> byMethod = Map.of();

    void add(SipRequestHandler handler, Map<String, Object> properties) {
        registered.put(handler, Map.copyOf(properties));
        rebuild();
    }

    void remove(SipRequestHandler handler) {
        registered.remove(handler);
        rebuild();
    }

    SipRequestHandler handlerFor(String method) {
        return byMethod.get(method);
    }

    SortedSet<String> methods() {
        return new TreeSet<>(byMethod.keySet());
    }

    private synchronized void rebuild() {
        Map<String, List<Entry>> candidates = new java.util.HashMap<>();
        registered.forEach((handler, props) -> {
            Entry entry = new Entry(handler, intProperty(props.get("service.ranking")), longProperty(props.get("service.id")));
            for (String method : methods(props.get(SipRequestHandler.METHOD))) {
                candidates.computeIfAbsent(method, m -> new ArrayList<>()).add(entry);
            }
        });
        Map<String, SipRequestHandler> table = new java.util.HashMap<>();
        candidates.forEach((method, entries) -> {
            entries.sort(BEST_FIRST);
            table.put(method, entries.get(0).handler());
        });
        byMethod = Map.copyOf(table);
    }

    /** The {@code sip.method} property: a string, an array or a collection of method names. */
    static List<String> methods(Object property) {
        List<String> out = new ArrayList<>();
        if (property instanceof String s) {
            for (String part : s.split(",")) {
                if (!part.isBlank()) out.add(part.trim().toUpperCase(Locale.ROOT));
            }
        } else if (property instanceof String[] array) {
            for (String s : array) out.addAll(methods(s));
        } else if (property instanceof Collection<?> c) {
            for (Object o : c) out.addAll(methods(o));
        }
        return out;
    }

    private static int intProperty(Object value) {
        return value instanceof Integer i ? i : 0;
    }

    private static long longProperty(Object value) {
        return value instanceof Long l ? l : Long.MAX_VALUE;
    }
}
