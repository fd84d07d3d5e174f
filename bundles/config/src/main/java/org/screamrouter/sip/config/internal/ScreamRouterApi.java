package org.screamrouter.sip.config.internal;

import org.screamrouter.sip.http.Json;
import java.security.cert.X509Certificate;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executor;
import org.screamrouter.sip.http.ScreamRouterHttp;

/**
 * ScreamRouter's HTTP API for sinks and sources, and nothing else: one request per method, no retries (the caller,
 * {@link ScreamRouterPush}, decides those). Routes as ScreamRouter's {@code screamrouter/api/api_configuration.py}
 * declares them (docs/screamrouter.md): {@code GET /sinks} (the permanent sinks, a JSON list of SinkDescription),
 * {@code POST /sinks} (body: a SinkDescription), {@code PUT /sinks/{name}} (the fields in the body are set),
 * {@code GET /sinks/{name}/enable|disable}, {@code DELETE /sinks/{name}}; the same under {@code /sources}. Entries are named by their current
 * {@code name} in the path; ScreamRouter answers {@code true} on success, {@code 422} with {@code {"detail": [...]}}
 * when the body fails validation, and {@code 500} with {@code {"error": ..., "traceback": ...}} when its
 * configuration manager raises (duplicate name, unknown name, a lock it could not get).
 *
 * <p>The URL is checked once ({@link ScreamRouterHttp#checkUrl}), so no name is ever resolved; no proxy, no redirects. Callers run on the config bundle's own
 * thread; the client's threads come from the executor the component gives it.
 */
final class ScreamRouterApi {

    /** A request that did not succeed. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        /** HTTP status, or 0 when nothing was answered (refused connection, timeout, not HTTP). */
        final int status;

        Failure(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        /**
         * ScreamRouter is not there, or something between us answered for it (a gateway, a server that is not
         * ScreamRouter): the change cannot go through the API now.
         */
        boolean unreachable() {
            return status == 0 || status == 404 || status == 405 || status == 502 || status == 503 || status == 504;
        }

        /** ScreamRouter refused the request itself; sending the same again may help only for its 500s (a lock timeout). */
        boolean worthRetrying() {
            return unreachable() || status >= 500;
        }
    }

    private final URI base;
    private final HttpClient client;
    private final Duration timeout;

    /**
     * @param pinned for https: the one certificate to trust (ScreamRouter's self-signed one), or {@code null} for the
     *               JVM's trusted authorities and its host check
     */
    ScreamRouterApi(URI base, Duration timeout, Executor executor, X509Certificate pinned) {
        this.base = base;
        this.timeout = timeout;
        this.client = ScreamRouterHttp.client(timeout, executor, pinned, "screamrouter.certificate");
    }

    URI base() {
        return base;
    }

    /** {@code GET /sinks} or {@code /sources}: ScreamRouter's permanent entries, each a map of its fields. */
    List<Map<String, Object>> list(String section) throws Failure, InterruptedException {
        Object answer = send("GET", "/" + section, null);
        if (!(answer instanceof List<?> items)) {
            throw new Failure(0, "GET /" + section + " did not answer a JSON list: not ScreamRouter?", null);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : items) {
            if (o instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> entry = (Map<String, Object>) m;
                out.add(entry);
            }
        }
        return out;
    }

    /** {@code POST /sinks} or {@code /sources} with the entry's fields. */
    void add(String section, Map<String, Object> entry) throws Failure, InterruptedException {
        send("POST", "/" + section, entry);
    }

    /** {@code PUT /<section>/<name>}: ScreamRouter sets the fields the body names and leaves the others. */
    void update(String section, String name, Map<String, Object> fields) throws Failure, InterruptedException {
        send("PUT", "/" + section + "/" + segment(name), fields);
    }

    /** {@code GET /<section>/<name>/enable} or {@code /disable}. */
    void enable(String section, String name, boolean enabled) throws Failure, InterruptedException {
        send("GET", "/" + section + "/" + segment(name) + (enabled ? "/enable" : "/disable"), null);
    }

    /**
     * {@code DELETE /<section>/<name>}. ScreamRouter removes the entry from its groups and deletes its routes, but
     * refuses (its {@code InUseError}, 500) while an enabled route uses it; an unknown name is its {@code NameError}, 500.
     */
    void delete(String section, String name) throws Failure, InterruptedException {
        send("DELETE", "/" + section + "/" + segment(name), null);
    }

    private Object send(String method, String path, Map<String, Object> body) throws Failure, InterruptedException {
        URI uri = URI.create(base + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8));
        }
        HttpResponse<String> response;
        try {
            response = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Failure(0, method + " " + path + ": " + e, e);
        }
        int status = response.statusCode();
        Object json;
        try {
            json = response.body().isEmpty() ? null : Json.parse(response.body());
        } catch (IllegalArgumentException e) {
            throw new Failure(status / 100 == 2 ? 0 : status, method + " " + path + ": HTTP " + status + ", " + e.getMessage(), null);
        }
        if (status / 100 != 2) {
            throw new Failure(status, method + " " + path + ": HTTP " + status + " " + reason(json), null);
        }
        return json;
    }

    /** ScreamRouter's reason: {@code error} of its exception handler, or the {@code detail} of FastAPI's answers. */
    private static String reason(Object json) {
        if (json instanceof Map<?, ?> m) {
            if (m.get("error") != null) {
                return String.valueOf(m.get("error"));
            }
            if (m.get("detail") instanceof List<?> details) {
                List<String> out = new ArrayList<>();
                for (Object d : details) {
                    if (d instanceof Map<?, ?> dm) {
                        out.add(dm.get("loc") + ": " + dm.get("msg"));
                    }
                }
                return String.join("; ", out);
            }
            if (m.get("detail") != null) {
                return String.valueOf(m.get("detail"));
            }
        }
        return String.valueOf(json);
    }

    private static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
