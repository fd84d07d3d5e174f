package org.screamrouter.sip.whep.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.audio.ListenerEndedListener;
import org.screamrouter.sip.audio.ListenerInfo;
import org.screamrouter.sip.audio.SinkInfo;
import org.screamrouter.sip.http.Json;
import org.screamrouter.sip.http.OriginPolicy;
import org.screamrouter.sip.sdp.Candidate;
import org.screamrouter.sip.sdp.MediaDescription;
import org.screamrouter.sip.sdp.SdpFragment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WHEP (RFC 9725) on the embedded audio engine, with the routes of ScreamRouter's own endpoint
 * ({@code screamrouter/api/api_webrtc.py}, docs/screamrouter.md), so the same clients work with both:
 * <ul>
 * <li>{@code POST /api/whep/{sink}} with an {@code application/sdp} offer: 201, the answer, {@code Location:
 * /api/whep/{sink}/{listener}};
 * <li>{@code PATCH .../{listener}}: a client candidate, as ScreamRouter takes it ({@code application/json}
 * {@code {"candidate", "sdpMid"}}) or as RFC 9725 does ({@code application/trickle-ice-sdpfrag}); 204;
 * <li>{@code GET .../{listener}/candidates}: the engine's candidates not fetched yet, a JSON list; {@code []} when none;
 * <li>{@code POST .../{listener}}: heartbeat, 204, or 404 when the session is gone;
 * <li>{@code DELETE .../{listener}}: the end, 204 (also for a session already gone, as ScreamRouter answers).
 * </ul>
 * A session without heartbeat or candidate for {@code heartbeat.timeout.ms} ends. Only sinks the engine has an input
 * for are served (404 otherwise). Limits: sessions in total (503) and per client address (429), body size (413).
 * Web pages only from {@code cors.allowed.origins} ({@link OriginPolicy}, default {@code self}).
 */
@Component(service = {Servlet.class, ListenerEndedListener.class}, configurationPid = WhepConfig.PID,
        property = {
            "osgi.http.whiteboard.servlet.pattern=" + WhepServlet.PREFIX + "/*",
            "osgi.http.whiteboard.servlet.name=screamrouter-whep"
        })
@Designate(ocd = WhepConfig.class)
public class WhepServlet extends HttpServlet implements ListenerEndedListener {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WhepServlet.class);
    static final String PREFIX = "/api/whep";
    static final String SDP = "application/sdp";
    static final String ALLOW = "OPTIONS, POST, PATCH, GET, DELETE";

    @Reference(target = "(" + AudioBridge.ENGINE + "=" + AudioBridge.ENGINE_EMBEDDED + ")")
    private transient AudioBridge bridge;

    private final transient WhepSessions sessions = new WhepSessions();
    private transient volatile WhepConfig config;
    private transient volatile OriginPolicy origins = OriginPolicy.parse(OriginPolicy.SELF);
    private transient ScheduledExecutorService timer;

    @Activate
    void activate(WhepConfig config) {
        modified(config);
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "whep-sessions");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        timer = t;
        timer.scheduleWithFixedDelay(this::expire, 1, 1, TimeUnit.SECONDS);
        LOG.info("WHEP endpoint at {}/<sink> (at most {} sessions, {} per client)", PREFIX, config.max_sessions(), config.max_sessions_per_client());
    }

    @Modified
    void modified(WhepConfig config) {
        OriginPolicy policy = OriginPolicy.parse(config.cors_allowed_origins());
        for (String entry : policy.ignored()) {
            LOG.warn("cors.allowed.origins: '{}' is not an origin (scheme://host[:port], null, self or *): left out", entry);
        }
        this.origins = policy;
        this.config = config;
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        // the sessions end with the endpoint: nobody could renew or end them any more
        for (WhepSessions.Session s : sessions.all()) {
            sessions.remove(s.sinkId, s.listenerId);
            bridge.removeListener(s.sinkId, s.listenerId);
        }
    }

    private void expire() {
        for (WhepSessions.Session s : sessions.expire(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(config.heartbeat_timeout_ms()))) {
            LOG.info("WHEP session {} of sink {} ({}): no heartbeat for {} ms, ended", s.listenerId, s.sinkId, s.client, config.heartbeat_timeout_ms());
            bridge.removeListener(s.sinkId, s.listenerId);
        }
    }

    @Override
    public void listenerEnded(ListenerInfo listener, Reason reason) {
        sessions.remove(listener.sinkId(), listener.listenerId()).ifPresent(s ->
                LOG.info("WHEP session {} of sink {} ended by the engine: {}", s.listenerId, s.sinkId, reason));
    }

    /** The path after {@code /api/whep}, split and decoded: [sink], [sink, listener] or [sink, listener, "candidates"]. */
    private static List<String> route(HttpServletRequest req) {
        String info = req.getPathInfo();
        List<String> parts = new ArrayList<>();
        if (info == null) return parts;
        for (String p : info.split("/")) {
            if (!p.isEmpty()) parts.add(URLDecoder.decode(p, StandardCharsets.UTF_8));
        }
        return parts;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!cors(req, resp)) {
            return;
        }
        List<String> r = route(req);
        String m = req.getMethod();
        try {
            if (m.equals("OPTIONS")) {
                resp.setHeader("Allow", ALLOW);
                resp.setHeader("Accept-Post", SDP);
                resp.setStatus(204);
            } else if (r.size() == 1 && m.equals("POST")) {
                offer(req, resp, r.get(0));
            } else if (r.size() == 2 && m.equals("PATCH")) {
                candidate(req, resp, r.get(0), r.get(1));
            } else if (r.size() == 2 && m.equals("POST")) {
                heartbeat(resp, r.get(0), r.get(1));
            } else if (r.size() == 2 && m.equals("DELETE")) {
                end(resp, r.get(0), r.get(1));
            } else if (r.size() == 3 && r.get(2).equals("candidates") && m.equals("GET")) {
                candidates(resp, r.get(0), r.get(1));
            } else if (r.isEmpty() || r.size() > 3 || (r.size() == 3 && !r.get(2).equals("candidates"))) {
                text(resp, 404, "Not found: WHEP resources are " + PREFIX + "/<sink>, " + PREFIX + "/<sink>/<listener> and "
                        + PREFIX + "/<sink>/<listener>/candidates");
            } else {
                resp.setHeader("Allow", r.size() == 1 ? "OPTIONS, POST" : r.size() == 2 ? "OPTIONS, POST, PATCH, DELETE" : "GET");
                text(resp, 405, "Method " + m + " not allowed here");
            }
        } catch (BodyTooLarge e) {
            text(resp, 413, "Request body larger than " + config.max_body_bytes() + " bytes");
        }
    }

    /**
     * Clients that are not browsers and same-origin GETs (no {@code Origin}) pass; a page of an origin the policy allows
     * (by default {@code self}: the listen page, served from this machine) gets the CORS headers; any other origin, or
     * two Origin headers, is refused before anything happens.
     */
    private boolean cors(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        java.util.Enumeration<String> all = req.getHeaders("Origin");
        List<String> values = all == null ? List.of() : java.util.Collections.list(all);
        if (values.isEmpty()) return true;
        String origin = values.get(0);
        OriginPolicy policy = origins;
        if (values.size() == 1 && policy.allows(origin)) {
            resp.setHeader("Access-Control-Allow-Origin", origin);
            resp.setHeader("Vary", "Origin");
            resp.setHeader("Access-Control-Allow-Methods", ALLOW);
            resp.setHeader("Access-Control-Allow-Headers", "Content-Type");
            resp.setHeader("Access-Control-Expose-Headers", "Location");
            return true;
        }
        String shown = String.join(", ", values);
        LOG.info("WHEP request from a page of {} refused (cors.allowed.origins: {})", shown, policy);
        text(resp, 403, "Forbidden: pages from " + shown + " may not use this endpoint (cors.allowed.origins: " + policy + ")");
        return false;
    }

    private void offer(HttpServletRequest req, HttpServletResponse resp, String sinkId) throws IOException {
        String type = req.getContentType();
        if (type == null || !type.split(";")[0].trim().equalsIgnoreCase(SDP)) {
            resp.setHeader("Accept-Post", SDP);
            text(resp, 415, "Unsupported Media Type: Content-Type must be application/sdp");
            return;
        }
        Optional<SinkInfo> sink = bridge.sinks().stream().filter(s -> s.sinkId().equals(sinkId)).findFirst();
        if (sink.isEmpty()) {
            text(resp, 404, "No sink '" + sinkId + "' (the audio engine has inputs for: "
                    + String.join(", ", bridge.sinks().stream().map(SinkInfo::sinkId).toList()) + ")");
            return;
        }
        String offer = body(req);
        WhepConfig c = config;
        String client = req.getRemoteAddr();
        Object opened = sessions.open(sinkId, client, c.max_sessions(), c.max_sessions_per_client(), System.nanoTime());
        if (opened == WhepSessions.Refusal.TOO_MANY) {
            resp.setHeader("Retry-After", "10");
            text(resp, 503, "Service Unavailable: " + c.max_sessions() + " WHEP sessions in progress");
            return;
        }
        if (opened == WhepSessions.Refusal.TOO_MANY_FROM_CLIENT) {
            resp.setHeader("Retry-After", "10");
            text(resp, 429, "Too Many Requests: " + c.max_sessions_per_client() + " WHEP sessions from " + client);
            return;
        }
        WhepSessions.Session s = (WhepSessions.Session) opened;
        String answer;
        try {
            answer = bridge.addWebRtcListener(sinkId, s.listenerId, offer, sdp -> { },
                    (cand, mid) -> {
                        if (cand != null) sessions.offer(s.listenerId, new WhepSessions.Candidate(cand, mid));
                    }, client)
                    .toCompletableFuture().get(c.answer_timeout_ms(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            sessions.remove(sinkId, s.listenerId);
            bridge.removeListener(sinkId, s.listenerId);
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException) {
                text(resp, 400, "Bad Request: the offer cannot be answered: " + cause.getMessage());
            } else {
                LOG.warn("WHEP offer for sink {} from {} failed: {}", sinkId, client, String.valueOf(cause));
                text(resp, 500, "Failed to create WebRTC session in audio engine: " + cause.getMessage());
            }
            return;
        } catch (TimeoutException e) {
            sessions.remove(sinkId, s.listenerId);
            bridge.removeListener(sinkId, s.listenerId);
            text(resp, 500, "The audio engine did not answer within " + c.answer_timeout_ms() + " ms");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sessions.remove(sinkId, s.listenerId);
            bridge.removeListener(sinkId, s.listenerId);
            text(resp, 503, "Service Unavailable: stopping");
            return;
        }
        LOG.info("WHEP session {} of sink {} for {}", s.listenerId, sinkId, client);
        resp.setStatus(201);
        resp.setHeader("Location", location(sinkId, s.listenerId));
        resp.setContentType(SDP);
        resp.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
    }

    static String location(String sinkId, String listenerId) {
        return PREFIX + "/" + encode(sinkId) + "/" + listenerId;
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private void candidate(HttpServletRequest req, HttpServletResponse resp, String sinkId, String listenerId) throws IOException {
        String type = req.getContentType() == null ? "" : req.getContentType().split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!type.equals("application/json") && !type.equals(SdpFragment.CONTENT_TYPE)) {
            resp.setHeader("Accept-Patch", "application/json, " + SdpFragment.CONTENT_TYPE);
            text(resp, 415, "Unsupported Media Type: Content-Type must be application/json or " + SdpFragment.CONTENT_TYPE);
            return;
        }
        String body = body(req);
        if (sessions.touch(sinkId, listenerId, System.nanoTime()).isEmpty()) {
            text(resp, 404, "WebRTC session not found.");
            return;
        }
        Map<String, String> candidates = new LinkedHashMap<>(); // candidate -> mid
        if (type.equals("application/json")) {
            Object parsed;
            try {
                parsed = Json.parse(body);
            } catch (IllegalArgumentException e) {
                text(resp, 400, "Bad Request: not JSON: " + e.getMessage());
                return;
            }
            if (!(parsed instanceof Map<?, ?> map) || !(map.get("candidate") instanceof String cand) || cand.isBlank()
                    || !(map.get("sdpMid") instanceof String mid) || mid.isBlank()) {
                text(resp, 400, "Bad Request: 'candidate' and 'sdpMid' fields are required.");
                return;
            }
            candidates.put(cand, mid);
        } else {
            SdpFragment.Lenient frag = SdpFragment.parseLenient(body);
            if (frag.diagnostics().stream().anyMatch(org.screamrouter.sip.sdp.Diagnostic::isError)) {
                text(resp, 400, "Bad Request: malformed sdpfrag: " + frag.diagnostics().stream()
                        .filter(org.screamrouter.sip.sdp.Diagnostic::isError).findFirst().orElseThrow());
                return;
            }
            for (MediaDescription md : frag.fragment().media()) {
                for (Candidate cand : md.candidates()) {
                    candidates.put("candidate:" + cand.toAttributeValue(), md.mid().orElse("0"));
                }
            }
        }
        for (Map.Entry<String, String> e : candidates.entrySet()) {
            bridge.addRemoteIceCandidate(sinkId, listenerId, e.getKey(), e.getValue()).whenComplete((v, err) -> {
                if (err != null) LOG.debug("WHEP session {}: candidate refused: {}", listenerId, err.toString());
            });
        }
        resp.setStatus(204);
    }

    private void candidates(HttpServletResponse resp, String sinkId, String listenerId) throws IOException {
        Optional<WhepSessions.Session> s = sessions.touch(sinkId, listenerId, System.nanoTime());
        List<Map<String, Object>> out = new ArrayList<>();
        if (s.isPresent()) {
            for (WhepSessions.Candidate c : sessions.drain(s.get())) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("candidate", c.candidate());
                m.put("sdpMid", c.sdpMid());
                out.add(m);
            }
        }
        // ScreamRouter answers [] for a session it does not know
        resp.setStatus(200);
        resp.setContentType("application/json");
        resp.getOutputStream().write(Json.write(out).getBytes(StandardCharsets.UTF_8));
    }

    private void heartbeat(HttpServletResponse resp, String sinkId, String listenerId) throws IOException {
        if (sessions.touch(sinkId, listenerId, System.nanoTime()).isPresent()) {
            resp.setStatus(204);
        } else {
            text(resp, 404, "WebRTC session not found.");
        }
    }

    private void end(HttpServletResponse resp, String sinkId, String listenerId) throws IOException {
        Optional<WhepSessions.Session> s = sessions.remove(sinkId, listenerId);
        if (s.isPresent()) {
            bridge.removeListener(sinkId, listenerId);
            LOG.info("WHEP session {} of sink {} ended by its client", listenerId, sinkId);
        }
        resp.setStatus(204);
    }

    private static final class BodyTooLarge extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** The body as UTF-8, at most {@code max.body.bytes} (the declared length is not trusted). */
    private String body(HttpServletRequest req) throws IOException {
        int max = config.max_body_bytes();
        if (req.getContentLengthLong() > max) throw new BodyTooLarge();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try (InputStream in = req.getInputStream()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                if (out.size() + n > max) throw new BodyTooLarge();
                out.write(buf, 0, n);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void text(HttpServletResponse resp, int status, String message) throws IOException {
        resp.setStatus(status);
        resp.setContentType("text/plain;charset=utf-8");
        resp.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
    }
}
