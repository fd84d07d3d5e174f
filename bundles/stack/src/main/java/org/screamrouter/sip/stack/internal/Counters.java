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

    /** Each method's counter of requests, found without making its name again per request. */
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    /** The names of the response classes' counters, 1xx to 6xx. */
    private static final String[] RESPONSE_CLASSES = {"responses.0xx", "responses.1xx", "responses.2xx", "responses.3xx",
        "responses.4xx", "responses.5xx", "responses.6xx"};

    void request(String method) {
        requests.computeIfAbsent(method, m -> counters.computeIfAbsent("requests." + m, n -> new LongAdder())).increment();
    }

    void response(int status) {
        int type = status / 100;
        increment(type >= 1 && type <= 6 ? RESPONSE_CLASSES[type] : "responses." + type + "xx");
    }

    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
