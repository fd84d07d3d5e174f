package org.screamrouter.sip.whep.relay.internal;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.screamrouter.sip.http.Json;
import org.screamrouter.sip.http.ScreamRouterHttp;

/**
 * The client side of ScreamRouter's WHEP routes ({@code screamrouter/api/api_webrtc.py}; docs/screamrouter.md), and
 * nothing else: one HTTP request per call, asynchronous, no retries. A session's URL is the {@code Location} of its
 * 201, accepted only on the configured server.
 */
final class WhepClient {

    /** A request that did not get the answer WHEP gives on success. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        /** HTTP status, or 0 when nothing was answered. */
        final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** A session: where it lives and the answer that made it. */
    record Session(URI location, String answer) {}

    record Candidate(String candidate, String sdpMid) {}

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    WhepClient(URI base, HttpClient http, Duration timeout) {
        this.base = base;
        this.http = http;
        this.timeout = timeout;
    }

    URI base() {
        return base;
    }

    /** {@code POST /api/whep/{sink}} with the offer: 201, the answer, and its Location. */
    CompletableFuture<Session> offer(String sinkId, String offerSdp) {
        URI uri = URI.create(base + "/api/whep/" + URLEncoder.encode(sinkId, StandardCharsets.UTF_8).replace("+", "%20"));
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString(offerSdp, StandardCharsets.UTF_8)).build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).thenApply(r -> {
            if (r.statusCode() != 201) throw failure("POST " + uri.getPath(), r);
            String loc = r.headers().firstValue("Location").orElseThrow(() -> new Failure(r.statusCode(), "POST " + uri.getPath() + ": 201 without Location"));
            URI location;
            try {
                location = ScreamRouterHttp.sameServer(base, loc);
            } catch (IllegalArgumentException e) {
                throw new Failure(r.statusCode(), "POST " + uri.getPath() + ": Location refused: " + e.getMessage());
            }
            if (!r.body().contains("m=audio")) throw new Failure(r.statusCode(), "POST " + uri.getPath() + ": the answer has no audio");
            return new Session(location, r.body());
        });
    }

    /** {@code PATCH} a client candidate, as ScreamRouter takes it (JSON {@code candidate}, {@code sdpMid}). */
    CompletableFuture<Void> candidate(URI session, String candidate, String sdpMid) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("candidate", candidate);
        body.put("sdpMid", sdpMid);
        HttpRequest req = HttpRequest.newBuilder(session).timeout(timeout).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8)).build();
        return expect(req, 204, "PATCH").thenApply(r -> null);
    }

    /** {@code GET .../candidates}: ScreamRouter's candidates since the last fetch. */
    CompletableFuture<List<Candidate>> candidates(URI session) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(session + "/candidates")).timeout(timeout)
                .header("Accept", "application/json").GET().build();
        return expect(req, 200, "GET candidates").thenApply(r -> {
            Object parsed;
            try {
                parsed = Json.parse(r.body());
            } catch (IllegalArgumentException e) {
                throw new Failure(200, "GET candidates: not JSON: " + e.getMessage());
            }
            List<Candidate> out = new ArrayList<>();
            if (parsed instanceof List<?> list) {
                for (Object o : list) {
                    if (o instanceof Map<?, ?> m && m.get("candidate") instanceof String c && !c.isBlank()) {
                        out.add(new Candidate(c, m.get("sdpMid") instanceof String mid ? mid : "0"));
                    }
                }
            }
            return out;
        });
    }

    /** {@code POST .../{listener}}: the heartbeat; a 404 means the session is gone. */
    CompletableFuture<Void> heartbeat(URI session) {
        HttpRequest req = HttpRequest.newBuilder(session).timeout(timeout).POST(HttpRequest.BodyPublishers.noBody()).build();
        return expect(req, 204, "POST heartbeat").thenApply(r -> null);
    }

    /** {@code DELETE .../{listener}}: true when it existed (204), false when ScreamRouter did not know it (404). */
    CompletableFuture<Boolean> delete(URI session) {
        HttpRequest req = HttpRequest.newBuilder(session).timeout(timeout).DELETE().build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).thenApply(r -> {
            if (r.statusCode() == 204) return true;
            if (r.statusCode() == 404) return false;
            throw failure("DELETE", r);
        });
    }

    private CompletableFuture<HttpResponse<String>> expect(HttpRequest req, int status, String what) {
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).thenApply(r -> {
            if (r.statusCode() != status) throw failure(what, r);
            return r;
        });
    }

    private static Failure failure(String what, HttpResponse<String> r) {
        String body = r.body() == null ? "" : r.body().strip();
        return new Failure(r.statusCode(), what + " answered " + r.statusCode() + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) + "..." : body)));
    }
}
