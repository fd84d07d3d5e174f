package org.screamrouter.sip.whep.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.audio.ListenerEndedListener;
import org.screamrouter.sip.audio.ListenerInfo;
import org.screamrouter.sip.testsupport.Configs;

/**
 * The relay against a stand-in for ScreamRouter's WHEP endpoint: a JDK HTTP server on loopback that answers as
 * {@code screamrouter/api/api_webrtc.py} does (ScreamRouter itself cannot run here; CallsBrowserIT runs the relay
 * against this server's own WHEP endpoint). The stand-in records every request.
 */
class WhepRelayTest {
    private static final String ANSWER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
            + "c=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\n";

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, List<String>> pendingCandidates = new ConcurrentHashMap<>();
    private final Map<String, Boolean> sessions = new ConcurrentHashMap<>();
    private volatile String location;
    private volatile int offerStatus = 201;
    private WhepRelay relay;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/whep/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        if (relay != null) relay.deactivate();
        server.stop(0);
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String type = x.getRequestHeaders().getFirst("Content-Type");
        requests.add(x.getRequestMethod() + " " + path + (body.isEmpty() ? "" : " " + body));
        String[] parts = path.substring("/api/whep/".length()).split("/");
        int status;
        String answer = "";
        if (parts.length == 1 && x.getRequestMethod().equals("POST")) {
            if (!"application/sdp".equals(type)) {
                status = 415;
            } else if (offerStatus != 201) {
                status = offerStatus;
            } else {
                String id = UUID.randomUUID().toString();
                sessions.put(id, true);
                pendingCandidates.put(id, new CopyOnWriteArrayList<>(List.of("{\"candidate\":\"candidate:7 1 udp 2122260223 127.0.0.1 40000 typ host\",\"sdpMid\":\"0\"}")));
                x.getResponseHeaders().add("Location", location != null ? location : "/api/whep/" + parts[0] + "/" + id);
                x.getResponseHeaders().add("Content-Type", "application/sdp");
                status = 201;
                answer = ANSWER;
            }
        } else if (parts.length == 3 && x.getRequestMethod().equals("GET")) {
            List<String> c = pendingCandidates.getOrDefault(parts[1], new ArrayList<>());
            answer = "[" + String.join(",", c) + "]";
            c.clear();
            status = 200;
        } else if (parts.length == 2 && x.getRequestMethod().equals("PATCH")) {
            status = type != null && type.contains("application/json") ? 204 : 415;
        } else if (parts.length == 2 && x.getRequestMethod().equals("POST")) {
            status = sessions.containsKey(parts[1]) ? 204 : 404;
        } else if (parts.length == 2 && x.getRequestMethod().equals("DELETE")) {
            sessions.remove(parts[1]);
            status = 204;
        } else {
            status = 405;
        }
        byte[] out = answer.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, status == 204 ? -1 : out.length);
        if (status != 204) x.getResponseBody().write(out);
        x.close();
    }

    private WhepRelay relay(String url) {
        WhepRelayConfig config = Configs.of(WhepRelayConfig.class, Map.of("url", url, "timeout_ms", 3000,
                "heartbeat_interval_ms", 200, "candidate_poll_ms", 50, "candidate_poll_duration_ms", 1000));
        WhepRelay r = new WhepRelay();
        r.activate(config);
        return r;
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 10 s: " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void anOfferBecomesAWhepSessionWithCandidatesHeartbeatsAndADelete() throws Exception {
        relay = relay(url());
        List<String> local = new CopyOnWriteArrayList<>();
        List<String> described = new CopyOnWriteArrayList<>();
        var answer = relay.addWebRtcListener("kitchen", "call-1", "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", described::add,
                (c, mid) -> local.add(c + " " + mid), "10.0.0.5");
        // a candidate from the caller before the answer is held, then sent
        relay.addRemoteIceCandidate("kitchen", "call-1", "a=candidate:1 1 udp 2122260223 10.0.0.5 50000 typ host", "0");
        assertThat(answer.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(ANSWER);
        assertThat(described).containsExactly(ANSWER);
        assertThat(requests.get(0)).startsWith("POST /api/whep/kitchen v=0");
        await("the held candidate PATCHed", () -> requests.stream().anyMatch(r -> r.startsWith("PATCH ") && r.contains("10.0.0.5 50000")));
        await("ScreamRouter's candidate fetched and passed on", () -> local.contains("candidate:7 1 udp 2122260223 127.0.0.1 40000 typ host 0"));
        await("heartbeats", () -> requests.stream().filter(r -> r.matches("POST /api/whep/kitchen/[0-9a-f-]{36}")).count() >= 2);
        assertThat(relay.listener("kitchen", "call-1")).get().extracting(ListenerInfo::state).isEqualTo(ListenerInfo.State.CONNECTED);

        assertThat(relay.removeListener("kitchen", "call-1").toCompletableFuture().get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(requests).anyMatch(r -> r.startsWith("DELETE /api/whep/kitchen/"));
        assertThat(sessions).isEmpty();
        assertThat(relay.listeners()).isEmpty();
    }

    @Test
    void aSessionScreamRouterForgotEndsTheListenerAndSaysSo() throws Exception {
        relay = relay(url());
        List<String> ended = new CopyOnWriteArrayList<>();
        relay.addEndedListener((ListenerInfo l, ListenerEndedListener.Reason reason) -> ended.add(l.listenerId() + " " + reason));
        relay.addWebRtcListener("kitchen", "call-2", "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", s -> { }, (c, m) -> { }, "10.0.0.5")
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        sessions.clear(); // ScreamRouter dropped it (its 15 s stale check): heartbeats get 404
        await("the end reported", () -> ended.contains("call-2 PEER_CLOSED"));
        assertThat(relay.listeners()).isEmpty();
    }

    @Test
    void aLocationOnAnotherServerIsNotFollowed() throws Exception {
        location = "http://192.0.2.1:8080/api/whep/kitchen/x";
        relay = relay(url());
        assertThatThrownBy(() -> relay.addWebRtcListener("kitchen", "call-3", "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
                s -> { }, (c, m) -> { }, "10.0.0.5").toCompletableFuture().get(5, TimeUnit.SECONDS))
                .hasMessageContaining("Location refused").hasMessageContaining("leaves");
        Thread.sleep(300); // two heartbeat intervals: nothing may have been sent to the other server, nor anything at all
        assertThat(requests).hasSize(1);
        assertThat(relay.listeners()).isEmpty();
    }

    @Test
    void refusalsOfTheOfferAreTheCallersFaultOrTheServers() throws Exception {
        relay = relay(url());
        offerStatus = 404;
        assertThatThrownBy(() -> relay.addWebRtcListener("nosuch", "c4", "v=0\r\n", s -> { }, (c, m) -> { }, "10.0.0.5")
                .toCompletableFuture().get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class);
        offerStatus = 500;
        assertThatThrownBy(() -> relay.addWebRtcListener("kitchen", "c5", "v=0\r\n", s -> { }, (c, m) -> { }, "10.0.0.5")
                .toCompletableFuture().get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("500");
        assertThat(relay.listeners()).isEmpty();
    }

    @Test
    void plainRtpWithoutTheEmbeddedEngineIsRefusedClearly() {
        relay = relay(url());
        assertThatThrownBy(() -> relay.addRtpListener("kitchen", "c6", null, new InetSocketAddress(InetAddress.getLoopbackAddress(), 4000))
                .toCompletableFuture().get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("WebRTC only");
    }

    @Test
    void aUrlWithANameIsRefusedAtActivation() {
        assertThatThrownBy(() -> relay("http://screamrouter.lan:443")).hasMessageContaining("never resolved");
    }
}
