package org.screamrouter.sip.stack.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Monotonic counters of the stack, cheap to bump from many threads at once. */
final class Counters {
    /** The method name under which requests of every method the stack neither knows nor serves are counted. */
    static final String OTHER_METHOD = "other";

    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

    void increment(String name) {
        counters.computeIfAbsent(name, n -> new LongAdder()).increment();
    }

    void request(String method) {
        increment("requests." + method);
    }

    void response(int status) {
        increment("responses." + (status / 100) + "xx");
    }

    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
