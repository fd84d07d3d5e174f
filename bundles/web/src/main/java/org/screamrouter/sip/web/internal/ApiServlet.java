package org.screamrouter.sip.web.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.servlet.AsyncContext;
import javax.servlet.Servlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.calls.Calls;
import org.screamrouter.sip.config.ConfigurationManager;
import org.screamrouter.sip.http.Json;
import org.screamrouter.sip.http.OriginPolicy;
import org.screamrouter.sip.mdns.MdnsPublication;
import org.screamrouter.sip.presence.PresenceService;
import org.screamrouter.sip.presence.SubscriptionInfo;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceEvents;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.registrar.PingResult;
import org.screamrouter.sip.registrar.StoreStatus;
import org.screamrouter.sip.stack.SipStackStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console's JSON API under {@code /api/} (docs/web.md lists every route): devices, calls, subscriptions and
 * status from whichever subsystems are installed (every service is an optional reference: a route whose subsystem is
 * missing answers 503 naming its feature), and the registrar's device events as Server-Sent Events. Access: a login
 * against the JAAS realm makes a server-side session (cookie {@code HttpOnly; SameSite=Strict}); every change needs the
 * session's CSRF token in {@code X-CSRF-Token} and an allowed Origin. Errors are {@code {"error": "..."}} with a 4xx or
 * 5xx, never a stack trace. The WHEP endpoint's {@code /api/whep/*} is a longer pattern and stays the WHEP servlet's.
 */
@Component(service = {Servlet.class, EventHandler.class}, configurationPid = WebConfig.PID,
        property = {
            "osgi.http.whiteboard.servlet.pattern=" + ApiServlet.PREFIX + "/*",
            "osgi.http.whiteboard.servlet.name=screamrouter-web-api",
            "osgi.http.whiteboard.servlet.asyncSupported=true",
            "event.topics=" + DeviceEvents.ALL
        })
@Designate(ocd = WebConfig.class)
public class ApiServlet extends HttpServlet implements EventHandler {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);
    static final String PREFIX = "/api";
    static final String COOKIE = "screamrouter-session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final long KEEP_ALIVE_S = 15;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile DeviceRegistry registry;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile PresenceService presence;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile Calls calls;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile SipStackStatus stack;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationManager config;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile MdnsPublication mdns;

    private final transient PasswordCheck fixedCheck;
    private final transient Sessions sessions = new Sessions(new SecureRandom(), System::nanoTime, Duration.ofMinutes(30), 32);
    private final transient EventStream events = new EventStream();
    private transient volatile PasswordCheck passwords;
    private transient volatile WebConfig settings;
    private transient volatile OriginPolicy origins = OriginPolicy.parse(OriginPolicy.SELF);
    private transient ScheduledThreadPoolExecutor thread;

    /** For DS: logins go to the configured JAAS realm. */
    public ApiServlet() {
        this(null);
    }

    /** For tests: logins go to {@code check}. */
    ApiServlet(PasswordCheck check) {
        this.fixedCheck = check;
    }

    @Activate
    void activate(WebConfig config) {
        modified(config);
        thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "web-console-events");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        thread.scheduleWithFixedDelay(() -> {
            sessions.expire();
            events.keepAlive(this::sessionAlive);
        }, KEEP_ALIVE_S, KEEP_ALIVE_S, TimeUnit.SECONDS);
        LOG.info("Web console API at {}/ (JAAS realm {}, role {})", PREFIX, config.jaas_realm(), config.required_role());
    }

    @Modified
    void modified(WebConfig config) {
        OriginPolicy policy = OriginPolicy.parse(config.allowed_origins());
        for (String entry : policy.ignored()) {
            LOG.warn("allowed.origins: '{}' is not an origin (scheme://host[:port], null, self or *): left out", entry);
        }
        origins = policy;
        sessions.limits(Duration.ofSeconds(config.session_idle_timeout_s()), config.max_sessions());
        passwords = fixedCheck != null ? fixedCheck : new JaasPasswordCheck(config.jaas_realm(), config.required_role());
        settings = config;
    }

    @Deactivate
    void deactivate() {
        thread.execute(events::closeAll);
        thread.shutdown();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.shutdownNow();
    }

    private boolean sessionAlive(String id) {
        return sessions.peek(id).isPresent();
    }

    /** A device event from the registrar: to every open event stream, on this component's thread. */
    @Override
    public void handleEvent(Event event) {
        if (!(event.getProperty(DeviceEvents.DEVICE) instanceof Device d)) {
            return;
        }
        String topic = event.getTopic();
        String kind = topic.substring(topic.lastIndexOf('/') + 1);
        String json = Json.write(Views.device(d, Instant.now()));
        ScheduledThreadPoolExecutor t = thread;
        if (t != null && !t.isShutdown()) {
            t.execute(() -> events.publish(kind, json, this::sessionAlive));
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        try {
            String uri = req.getRequestURI();
            String raw = uri.substring(Math.min(uri.length(), req.getContextPath().length() + req.getServletPath().length()));
            Route route = Route.match(req.getMethod(), raw);
            if (route.kind().changes()) {
                checkOrigin(req);
            }
            Sessions.Session session = null;
            if (route.kind().needsSession()) {
                session = sessions.find(cookie(req)).orElseThrow(() -> new ApiError(401,
                        "not logged in, or the session ended: log in with POST /api/login"));
                if (route.kind().changes() && !session.csrfMatches(req.getHeader(CSRF_HEADER))) {
                    throw new ApiError(403, "missing or wrong " + CSRF_HEADER + " header (the token POST /api/login or GET /api/session returns)");
                }
            }
            dispatch(route, session, req, resp);
        } catch (ApiError e) {
            if (e.allow() != null) {
                resp.setHeader("Allow", e.allow());
            }
            json(resp, e.status(), Views.error(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("Web console: {} {} failed", req.getMethod(), req.getRequestURI(), e);
            json(resp, 500, Views.error("internal error: " + e.getClass().getSimpleName() + " (the server log has the details)"));
        }
    }

    private void checkOrigin(HttpServletRequest req) {
        String origin = req.getHeader("Origin");
        OriginPolicy policy = origins;
        if (!policy.allows(origin)) {
            throw new ApiError(403, "pages from " + origin + " may not change anything here (allowed.origins: " + policy + ")");
        }
    }

    private void dispatch(Route route, Sessions.Session session, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Instant now = Instant.now();
        switch (route.kind()) {
            case LOGIN -> login(req, resp);
            case LOGOUT -> {
                sessions.remove(session.id);
                resp.addHeader("Set-Cookie", sessionCookie("", 0, req.isSecure()));
                resp.setStatus(204);
            }
            case SESSION -> json(resp, 200, sessionView(session));
            case DEVICES -> {
                List<Object> list = new ArrayList<>();
                for (Device d : require(registry, "registrar").devices()) {
                    list.add(Views.device(d, now));
                }
                json(resp, 200, Map.of("devices", list));
            }
            case DEVICE -> json(resp, 200, deviceDetail(route.id(), now));
            case PING -> json(resp, 200, Views.ping(ping(route.id())));
            case UNREGISTER -> {
                DeviceRegistry r = require(registry, "registrar");
                device(r, route.id());
                if (!r.unregister(route.id())) {
                    throw noDevice(route.id());
                }
                LOG.info("Web console: {} unregistered device {}", session.user, route.id());
                resp.setStatus(204);
            }
            case CALLS -> {
                List<Object> list = new ArrayList<>();
                require(calls, "calls").calls().forEach(c -> list.add(Views.call(c, now)));
                json(resp, 200, Map.of("calls", list));
            }
            case HANGUP -> {
                if (!require(calls, "calls").hangup(route.id())) {
                    throw new ApiError(404, "no call in progress with Call-ID " + route.id());
                }
                LOG.info("Web console: {} hung up call {}", session.user, route.id());
                resp.setStatus(204);
            }
            case SUBSCRIPTIONS -> {
                PresenceService p = require(presence, "presence");
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("subscriptions", p.subscriptions().stream().map(s -> Views.subscription(s, now)).toList());
                m.put("publications", p.publications().stream().map(Views::publication).toList());
                json(resp, 200, m);
            }
            case STATUS -> json(resp, 200, status());
            case EVENTS -> openEvents(session, req, resp);
        }
    }

    private void login(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object body;
        try {
            body = Json.parse(body(req));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "the body is not JSON: " + e.getMessage());
        }
        if (!(body instanceof Map<?, ?> m) || !(m.get("user") instanceof String user) || !(m.get("password") instanceof String password)
                || user.isEmpty()) {
            throw new ApiError(400, "expected a JSON object {\"user\": \"...\", \"password\": \"...\"}");
        }
        WebConfig c = settings;
        switch (passwords.check(user, password.toCharArray())) {
            case ACCEPTED -> { }
            case REFUSED -> {
                LOG.info("Web console: login of {} from {} refused", user, req.getRemoteAddr());
                throw new ApiError(401, "wrong user name or password");
            }
            case LACKS_ROLE -> throw new ApiError(403, "user " + user + " lacks the role " + c.required_role() + " the console requires");
            default -> throw new ApiError(503, "JAAS realm " + c.jaas_realm() + " cannot be used now (the server log says why)");
        }
        sessions.remove(cookie(req));
        Sessions.Session s = sessions.create(user).orElseThrow(() -> new ApiError(503,
                "too many sessions at once (max.sessions " + c.max_sessions() + "): log out elsewhere or wait for one to expire"));
        LOG.info("Web console: {} logged in from {}", user, req.getRemoteAddr());
        resp.addHeader("Set-Cookie", sessionCookie(s.id, -1, req.isSecure()));
        json(resp, 200, sessionView(s));
    }

    private Map<String, Object> sessionView(Sessions.Session s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", s.user);
        m.put("csrfToken", s.csrf);
        m.put("idleTimeoutS", settings.session_idle_timeout_s());
        return m;
    }

    /** The session cookie: {@code maxAge} 0 deletes it, negative makes it last as long as the browser. */
    static String sessionCookie(String value, int maxAge, boolean secure) {
        return COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" + (maxAge >= 0 ? "; Max-Age=" + maxAge : "")
                + (secure ? "; Secure" : "");
    }

    private static String cookie(HttpServletRequest req) {
        Cookie[] cookies = req.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (COOKIE.equals(c.getName())) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    private Map<String, Object> deviceDetail(String uuid, Instant now) {
        DeviceRegistry r = require(registry, "registrar");
        Device d = device(r, uuid);
        Map<String, Object> m = Views.device(d, now);
        m.put("capabilities", Views.capabilities(d.capabilities()));
        m.put("bindings", d.addressOfRecord() == null ? List.of()
                : r.bindings(d.addressOfRecord()).stream().map(b -> Views.binding(b, now)).toList());
        List<String> missing = new ArrayList<>();
        ConfigurationManager cm = config;
        if (cm != null) {
            m.put("config", cm.getSipConfigForDevice(uuid).orElse(null));
        } else {
            m.put("config", null);
            missing.add(missing("config"));
        }
        PresenceService p = presence;
        if (p != null) {
            List<Object> watchers = new ArrayList<>();
            for (SubscriptionInfo s : p.subscriptions()) {
                if (uuid.equals(s.resource()) || "*".equals(s.resource())) {
                    watchers.add(Views.subscription(s, now));
                }
            }
            m.put("watchers", watchers);
        } else {
            m.put("watchers", null);
            missing.add(missing("presence"));
        }
        m.put("missing", missing);
        return m;
    }

    private PingResult ping(String uuid) {
        DeviceRegistry r = require(registry, "registrar");
        device(r, uuid);
        int timeout = settings.ping_timeout_ms();
        try {
            return r.ping(uuid).toCompletableFuture().get(timeout, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ApiError(504, "device " + uuid + " did not answer the OPTIONS ping within " + timeout + " ms");
        } catch (ExecutionException e) {
            throw new ApiError(504, "the OPTIONS ping of device " + uuid + " failed: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "interrupted while pinging " + uuid);
        }
    }

    private static Device device(DeviceRegistry r, String uuid) {
        return r.device(uuid).orElseThrow(() -> noDevice(uuid));
    }

    private static ApiError noDevice(String uuid) {
        return new ApiError(404, "no device with UUID " + uuid);
    }

    private Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        SipStackStatus s = stack;
        m.put("stack", s == null ? null : Views.stack(s));
        if (s == null) missing.add(missing("stack"));
        DeviceRegistry r = registry;
        m.put("registrarStore", r == null ? null : store(r::storeStatus));
        if (r == null) missing.add(missing("registrar"));
        PresenceService p = presence;
        m.put("presenceStore", p == null ? null : store(p::storeStatus));
        if (p == null) missing.add(missing("presence"));
        ConfigurationManager cm = config;
        m.put("configFile", cm == null ? null : Views.configFile(cm.status()));
        if (cm == null) missing.add(missing("config"));
        MdnsPublication md = mdns;
        m.put("mdns", md == null ? null : Views.mdns(md));
        if (md == null) missing.add(missing("mdns"));
        if (calls == null) missing.add(missing("calls"));
        m.put("sessions", sessions.size());
        m.put("eventStreams", events.size());
        m.put("missing", missing);
        return m;
    }

    private static Map<String, Object> store(java.util.function.Supplier<StoreStatus> status) {
        try {
            return Views.store(status.get());
        } catch (UnsupportedOperationException e) {
            return null; // an older provider of the API
        }
    }

    /** The subsystem's service, or 503 naming the feature that brings it. */
    private static <T> T require(T service, String subsystem) {
        if (service == null) {
            throw new ApiError(503, missing(subsystem));
        }
        return service;
    }

    private static String missing(String subsystem) {
        return "the " + subsystem + " subsystem is not installed: feature:install screamrouter-sip-" + subsystem;
    }

    private void openEvents(Sessions.Session session, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setStatus(200);
        resp.setContentType("text/event-stream");
        resp.setCharacterEncoding("UTF-8");
        resp.flushBuffer();
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        EventStream.Client client = new EventStream.Client() {
            @Override
            public String session() {
                return session.id;
            }

            @Override
            public void send(String text) throws IOException {
                var out = async.getResponse().getOutputStream();
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }

            @Override
            public void close() {
                try {
                    async.complete();
                } catch (IllegalStateException already) {
                    // completed by the container (the client went away)
                }
            }
        };
        thread.execute(() -> events.add(client));
    }

    private String body(HttpServletRequest req) throws IOException {
        int max = settings.max_body_bytes();
        if (req.getContentLengthLong() > max) {
            throw new ApiError(413, "the body is larger than max.body.bytes (" + max + ")");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = req.getInputStream()) {
            byte[] buf = new byte[1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > max) {
                    throw new ApiError(413, "the body is larger than max.body.bytes (" + max + ")");
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void json(HttpServletResponse resp, int status, Object body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.getOutputStream().write(Json.write(body).getBytes(StandardCharsets.UTF_8));
    }
}
