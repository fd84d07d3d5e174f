package org.screamrouter.sip.config.internal;

import org.screamrouter.sip.http.Json;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for ScreamRouter's HTTP API (sinks and sources), on 127.0.0.1 and a free port, answering as
 * ScreamRouter's code does at commit {@code 4d3dc1fdef257a0306b78dced516c0e84a4db3e4}
 * ({@code screamrouter/api/api_configuration.py}, {@code screamrouter/configuration/configuration_manager.py}):
 *
 * <ul>
 *   <li>{@code GET /sinks}, {@code GET /sources}: 200, the permanent entries as a JSON list of full models;</li>
 *   <li>{@code POST /sinks|/sources}: 200 {@code true}; a missing {@code config_id} is generated; a name in use is
 *       its {@code ValueError} ({@code Sink name 'x' already in use}), which its exception handler answers as 500
 *       {@code {"error": ..., "traceback": ...}}; a body the model refuses is FastAPI's 422 {@code {"detail": [...]}};</li>
 *   <li>{@code PUT /sinks/{old_name}}: the body's fields are set ({@code config_id} ignored), 200 {@code true};
 *       an unknown name is its {@code NameError} ({@code sink x not found}): 500; a new name in use: 500;</li>
 *   <li>{@code GET /sinks/{name}/enable|disable}: 200 {@code true}, 500 for an unknown name;</li>
 *   <li>{@code DELETE /sinks/{name}}, {@code DELETE /sources/{name}} ({@code delete_sink}/{@code delete_source}): 200
 *       {@code true}, the entry gone (ScreamRouter also takes it out of its groups and deletes its routes); an unknown
 *       name is its {@code NameError} ({@code sink x not found}, {@code source x not found}): 500; an entry an enabled
 *       route uses is its {@code InUseError} ({@code Sink: x is in use by Route(s) r}, {@code Source: ...}): 500, the
 *       entry kept ({@link #useInRoute});</li>
 *   <li>any other path: FastAPI's 404 {@code {"detail": "Not Found"}}.</li>
 * </ul>
 *
 * The real ScreamRouter cannot run here: its C++ audio engine is not built, and it needs pydantic v2 and FastAPI,
 * which this build does not have. {@link #unavailable(boolean)} makes it answer 503 to everything (a proxy in front
 * of a ScreamRouter that is not there), counting the requests; {@link #stop()} and {@link #restart()} close and open
 * the port itself.
 */
final class ScreamRouterApiStub implements AutoCloseable {
    /** One request as received. */
    record Call(String method, String path, Map<String, Object> body) {
        @Override
        public String toString() {
            return method + " " + path + (body == null ? "" : " " + body);
        }
    }

    private static final Set<Long> RATES = Set.of(44100L, 48000L, 88200L, 96000L, 192000L);

    private final Map<String, List<Map<String, Object>>> lists = Map.of("sinks", new CopyOnWriteArrayList<>(),
            "sources", new CopyOnWriteArrayList<>());
    final List<Call> calls = new CopyOnWriteArrayList<>();
    /** Entries an enabled route of ScreamRouter's uses: section + "/" + name → route name. */
    private final Map<String, String> routes = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean unavailable;
    private volatile int unavailableRequests;
    private HttpServer server;
    private int port;

    ScreamRouterApiStub() throws IOException {
        start(0);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    int port() {
        return port;
    }

    synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    synchronized void restart() throws IOException {
        stop();
        start(port);
    }

    /** An enabled route named {@code route} uses the entry {@code name} of {@code section} (ScreamRouter's routes are not modelled otherwise). */
    void useInRoute(String section, String name, String route) {
        routes.put(section + "/" + name, route);
    }

    void unavailable(boolean on) {
        unavailable = on;
    }

    /** Requests answered 503 while {@link #unavailable(boolean)}. */
    int unavailableRequests() {
        return unavailableRequests;
    }

    List<Map<String, Object>> list(String section) {
        return lists.get(section);
    }

    /** The entry with this config_id, or {@code null}. */
    Map<String, Object> byConfigId(String section, String configId) {
        return lists.get(section).stream().filter(e -> configId.equals(e.get("config_id"))).findFirst().orElse(null);
    }

    /** The calls other than the GET listings. */
    List<Call> changes() {
        return calls.stream().filter(c -> !(c.method().equals("GET") && (c.path().equals("/sinks") || c.path().equals("/sources")))).toList();
    }

    private synchronized void start(int onPort) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 16);
        s.createContext("/", this::handle);
        s.start();
        server = s;
        port = s.getAddress().getPort();
    }

    @Override
    public void close() {
        stop();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String method = x.getRequestMethod();
            String path = x.getRequestURI().getRawPath();
            String text = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (unavailable) {
                unavailableRequests++;
                answer(x, 503, "Service Unavailable", "text/plain");
                return;
            }
            Map<String, Object> body = null;
            if (!text.isEmpty()) {
                Object parsed;
                try {
                    parsed = Json.parse(text);
                } catch (IllegalArgumentException e) {
                    answer(x, 422, Json.write(Map.of("detail", List.of(detail("json_invalid", List.of("body", 0), "JSON decode error", text)))));
                    return;
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> m = parsed instanceof Map<?, ?> ? (Map<String, Object>) parsed : null;
                body = m;
            }
            calls.add(new Call(method, URLDecoder.decode(path, StandardCharsets.UTF_8), body));
            String[] parts = path.substring(1).split("/");
            String section = parts[0];
            if (!lists.containsKey(section)) {
                answer(x, 404, Json.write(Map.of("detail", "Not Found")));
                return;
            }
            String kind = section.equals("sinks") ? "sink" : "source";
            List<Map<String, Object>> list = lists.get(section);
            if (parts.length == 1 && method.equals("GET")) {
                answer(x, 200, Json.write(list));
            } else if (parts.length == 1 && method.equals("POST")) {
                Map<String, Object> entry = defaults(section);
                String invalid = validate(body == null ? Map.of() : body);
                if (invalid != null) {
                    answer(x, 422, invalid);
                    return;
                }
                entry.putAll(body);
                String name = String.valueOf(entry.get("name"));
                if (list.stream().anyMatch(e -> name.equals(e.get("name")))) {
                    error(x, (kind.equals("sink") ? "Sink" : "Source") + " name '" + name + "' already in use");
                    return;
                }
                if (entry.get("config_id") == null) {
                    entry.put("config_id", UUID.randomUUID().toString());
                }
                list.add(entry);
                answer(x, 200, "true");
            } else if (parts.length == 2 && method.equals("PUT")) {
                String old = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
                Map<String, Object> entry = find(list, old);
                if (entry == null) {
                    error(x, kind + " " + old + " not found");
                    return;
                }
                String invalid = validate(body == null ? Map.of() : body);
                if (invalid != null) {
                    answer(x, 422, invalid);
                    return;
                }
                Object newName = body.getOrDefault("name", "");
                if (!old.equals(newName) && list.stream().anyMatch(e -> newName.equals(e.get("name")))) {
                    error(x, "Name " + newName + " already used");
                    return;
                }
                body.forEach((k, v) -> {
                    if (!k.equals("config_id")) {
                        entry.put(k, v);
                    }
                });
                answer(x, 200, "true");
            } else if (parts.length == 3 && method.equals("GET") && (parts[2].equals("enable") || parts[2].equals("disable"))) {
                String name = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
                Map<String, Object> entry = find(list, name);
                if (entry == null) {
                    error(x, kind + " " + name + " not found");
                    return;
                }
                entry.put("enabled", parts[2].equals("enable"));
                answer(x, 200, "true");
            } else if (parts.length == 2 && method.equals("DELETE")) {
                String name = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
                Map<String, Object> entry = find(list, name);
                if (entry == null) {
                    error(x, kind + " " + name + " not found");
                    return;
                }
                String route = routes.get(section + "/" + name);
                if (route != null) {
                    error(x, (kind.equals("sink") ? "Sink" : "Source") + ": " + name + " is in use by Route(s) " + route);
                    return;
                }
                list.remove(entry);
                answer(x, 200, "true");
            } else {
                answer(x, parts.length == 1 ? 405 : 404, Json.write(Map.of("detail", parts.length == 1 ? "Method Not Allowed" : "Not Found")));
            }
        }
    }

    private static Map<String, Object> find(List<Map<String, Object>> list, String name) {
        return list.stream().filter(e -> name.equals(e.get("name"))).findFirst().orElse(null);
    }

    /** The model's defaults (docs/screamrouter.md), as {@code model_dump(mode="json")} gives them. */
    private static Map<String, Object> defaults(String section) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "");
        m.put("ip", null);
        if (section.equals("sinks")) {
            m.put("port", 4010);
            m.put("bit_depth", 32);
            m.put("sample_rate", 48000);
            m.put("channels", 2);
            m.put("channel_layout", "stereo");
            m.put("protocol", "scream");
        } else {
            m.put("tag", null);
            m.put("channels", null);
            m.put("sample_rate", null);
            m.put("bit_depth", null);
        }
        m.put("is_group", false);
        m.put("enabled", true);
        m.put("group_members", new ArrayList<>());
        m.put("volume", 1.0);
        m.put("delay", 0);
        m.put("timeshift", 0.0);
        m.put("config_id", null);
        return m;
    }

    /** FastAPI's 422 for the bounds the stub checks (SampleRateType, ChannelsType, port), or {@code null}. */
    private static String validate(Map<String, Object> body) {
        List<Object> details = new ArrayList<>();
        Object rate = body.get("sample_rate");
        if (rate != null && !(rate instanceof Long l && RATES.contains(l))) {
            details.add(detail("literal_error", List.of("body", "sample_rate"), "Input should be 44100, 48000, 88200, 96000 or 192000", rate));
        }
        Object channels = body.get("channels");
        if (channels != null && !(channels instanceof Long c && c >= 1 && c <= 8)) {
            details.add(detail("less_than_equal", List.of("body", "channels"), "Input should be less than or equal to 8", channels));
        }
        Object port = body.get("port");
        if (port != null && !(port instanceof Long p && p >= 0 && p <= 65535)) {
            details.add(detail("less_than_equal", List.of("body", "port"), "Input should be less than or equal to 65535", port));
        }
        return details.isEmpty() ? null : Json.write(Map.of("detail", details));
    }

    private static Map<String, Object> detail(String type, List<Object> loc, String msg, Object input) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("type", type);
        d.put("loc", loc);
        d.put("msg", msg);
        d.put("input", input);
        return d;
    }

    /** ScreamRouter's exception handler: 500 with the exception's text and its traceback. */
    private static void error(HttpExchange x, String message) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        m.put("traceback", "Traceback (most recent call last):\n  ...\nValueError: " + message + "\n");
        answer(x, 500, Json.write(m));
    }

    private static void answer(HttpExchange x, int status, String json) throws IOException {
        answer(x, status, json, "application/json");
    }

    private static void answer(HttpExchange x, int status, String text, String type) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }
}
