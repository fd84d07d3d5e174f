package org.screamrouter.sip.stack.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.screamrouter.sip.stack.SipRequestHandler;

/**
 * The whiteboard: which {@link SipRequestHandler} serves which method. Handlers come and go on DS threads
 * while the stack's threads look them up; the table is replaced whole on each change, so a lookup is one
 * volatile read and never sees a half-made table.
 *
 * <p>A handler object is obtained on its first request, not when it is bound: handlers use the stack's own
 * services, so getting them while the stack activates would be a circular activation.
 */
final class HandlerRegistry {
    private record Entry(LazyService<SipRequestHandler> handle, int ranking, long serviceId) {}

    private static final Comparator<Entry> BEST_FIRST =
            Comparator.comparingInt(Entry::ranking).reversed().thenComparingLong(Entry::serviceId);

    private final Map<Object, Entry> registered = new HashMap<>();
    private final Map<Object, List<String>> methodsOf = new HashMap<>();
    private final Map<Object, Set<String>> supportedOf = new HashMap<>();
    private volatile Map<String, LazyService<SipRequestHandler>> byMethod = Map.of();
    private volatile Map<String, Set<String>> supportedByMethod = Map.of();
    /** The methods served, sorted: asked for by every OPTIONS (its Allow), so made once per change of the handlers. */
    private volatile SortedSet<String> methods = java.util.Collections.emptySortedSet();

    /** Adds or updates a handler service; {@code key} identifies the service across updates. */
    synchronized LazyService<SipRequestHandler> put(Object key, Supplier<SipRequestHandler> obtain, Map<String, Object> properties) {
        Entry old = registered.get(key);
        LazyService<SipRequestHandler> handle = old != null ? old.handle() : new LazyService<>(obtain);
        registered.put(key, new Entry(handle, intProperty(properties.get("service.ranking")), longProperty(properties.get("service.id"))));
        methodsOf.put(key, methods(properties.get(SipRequestHandler.METHOD)));
        Set<String> tags = new TreeSet<>();
        methods(properties.get(SipRequestHandler.SUPPORTED)).forEach(t -> tags.add(t.toLowerCase(Locale.ROOT)));
        supportedOf.put(key, Set.copyOf(tags));
        rebuild();
        return handle;
    }

    /** Removes a handler service; returns its handle so the caller can release what was obtained. */
    synchronized LazyService<SipRequestHandler> remove(Object key) {
        Entry old = registered.remove(key);
        methodsOf.remove(key);
        supportedOf.remove(key);
        rebuild();
        return old == null ? null : old.handle();
    }

    LazyService<SipRequestHandler> handlerFor(String method) {
        return byMethod.get(method);
    }

    /** The option tags (lower case) the handler of this method declares in {@code sip.supported}. */
    Set<String> supported(String method) {
        return supportedByMethod.getOrDefault(method, Set.of());
    }

    /** The methods that have a handler, sorted; unmodifiable. */
    SortedSet<String> methods() {
        return methods;
    }

    private void rebuild() {
        Map<String, List<Entry>> candidates = new HashMap<>();
        registered.forEach((key, entry) -> {
            for (String method : methodsOf.get(key)) {
                candidates.computeIfAbsent(method, m -> new ArrayList<>()).add(entry);
            }
        });
        Map<String, LazyService<SipRequestHandler>> table = new HashMap<>();
        Map<String, Set<String>> tags = new HashMap<>();
        candidates.forEach((method, entries) -> {
            entries.sort(BEST_FIRST);
            table.put(method, entries.get(0).handle());
            registered.forEach((key, entry) -> {
                if (entry == entries.get(0)) tags.put(method, supportedOf.getOrDefault(key, Set.of()));
            });
        });
        byMethod = Map.copyOf(table);
        supportedByMethod = Map.copyOf(tags);
        methods = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(table.keySet()));
    }

    /** The {@code sip.method} property: a string (comma-separated allowed), an array or a collection. */
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
