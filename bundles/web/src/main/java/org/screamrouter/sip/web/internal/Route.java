package org.screamrouter.sip.web.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which API route a request is: its method and its path under {@code /api} ({@code /devices/{uuid}/ping}), with the
 * path's variable ({@code {uuid}}, {@code {id}}) decoded. An unknown path is 404, a known path with another method 405
 * with Allow.
 *
 * @param kind the route
 * @param id   the path variable, or null for a route without one
 */
record Route(Kind kind, String id) {
    enum Kind {
        LOGIN("POST", "login"),
        LOGOUT("POST", "logout"),
        SESSION("GET", "session"),
        DEVICES("GET", "devices"),
        DEVICE("GET", "devices/*"),
        UNREGISTER("DELETE", "devices/*"),
        PING("POST", "devices/*/ping"),
        CALLS("GET", "calls"),
        HANGUP("DELETE", "calls/*"),
        SUBSCRIPTIONS("GET", "subscriptions"),
        SINKS("GET", "sinks"),
        STATUS("GET", "status"),
        CONFIG("GET", "config"),
        EVENTS("GET", "events");

        final String method;
        private final String[] shape;

        Kind(String method, String shape) {
            this.method = method;
            this.shape = shape.split("/");
        }

        /** Whether the route changes something: a session and its CSRF token are required, and an allowed Origin. */
        boolean changes() {
            return !method.equals("GET");
        }

        /** Every route but the login needs a session. */
        boolean needsSession() {
            return this != LOGIN;
        }

        /** The path variable when {@code segments} have this route's shape, {@code ""} for a match without one, else null. */
        private String variable(List<String> segments) {
            if (segments.size() != shape.length) {
                return null;
            }
            String variable = "";
            for (int i = 0; i < shape.length; i++) {
                if (shape[i].equals("*")) {
                    variable = segments.get(i);
                } else if (!shape[i].equals(segments.get(i))) {
                    return null;
                }
            }
            return variable;
        }
    }

    /**
     * The route of {@code method} on {@code rawPath}, the path after {@code /api} as it came (still percent-encoded: an
     * encoded slash inside a Call-ID stays inside it).
     */
    static Route match(String method, String rawPath) {
        List<String> segments = segments(rawPath);
        Set<String> allowed = new LinkedHashSet<>();
        for (Kind k : Kind.values()) {
            String variable = k.variable(segments);
            if (variable == null) {
                continue;
            }
            if (k.method.equals(method)) {
                return new Route(k, variable.isEmpty() ? null : variable);
            }
            allowed.add(k.method);
        }
        if (allowed.isEmpty()) {
            throw new ApiError(404, "no such API route: " + method + " /api" + (rawPath == null ? "" : rawPath));
        }
        String allow = String.join(", ", allowed);
        throw new ApiError(405, method + " is not allowed on /api" + rawPath + " (allowed: " + allow + ")", "Allow", allow);
    }

    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        if (rawPath == null) {
            return segments;
        }
        for (String p : rawPath.split("/", -1)) {
            if (!p.isEmpty()) {
                try {
                    segments.add(URLDecoder.decode(p.replace("+", "%2B"), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw new ApiError(400, "malformed percent-encoding in the path: " + p);
                }
            }
        }
        return segments;
    }
}
