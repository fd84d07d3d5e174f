package org.screamrouter.sip.web.internal;

import static org.screamrouter.sip.web.internal.Reports.require;

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
import java.util.function.LongSupplier;
import javax.servlet.AsyncContext;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.cm.ConfigurationAdmin;
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
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.calls.Calls;
import org.screamrouter.sip.config.ConfigurationManager;
import org.screamrouter.sip.http.Json;
import org.screamrouter.sip.http.OriginPolicy;
import org.screamrouter.sip.mdns.MdnsPublication;
import org.screamrouter.sip.presence.PresenceService;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceEvents;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.registrar.PingResult;
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
    /** The embedded engine: its sinks are what the listen page (bundle whep) plays. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(" + AudioBridge.ENGINE + "=" + AudioBridge.ENGINE_EMBEDDED + ")")
    volatile AudioBridge audio;

    /** The configurations shown by GET /api/config (read-only). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationAdmin configAdmin;

    private final transient PasswordCheck fixedCheck;
    private final transient Access access;
    private final transient EventStream events = new EventStream();
    private transient volatile WebConfig settings;
    private transient volatile ScheduledThreadPoolExecutor thread;

    /** For DS: logins go to the configured JAAS realm. */
    public ApiServlet() {
        this(null);
    }

    /** For tests: logins go to {@code check}. */
    ApiServlet(PasswordCheck check) {
        this(check, System::nanoTime);
    }

    /** For tests: logins go to {@code check}; sessions and login failures are timed by {@code nanoClock}. */
    ApiServlet(PasswordCheck check, LongSupplier nanoClock) {
        this.fixedCheck = check;
        this.access = new Access(new Sessions(new SecureRandom(), nanoClock, Duration.ofMinutes(30), 32), new LoginThrottle(nanoClock));
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
            access.sessions().expire();
            events.keepAlive(access::alive);
        }, KEEP_ALIVE_S, KEEP_ALIVE_S, TimeUnit.SECONDS);
        LOG.info("Web console API at {}/ (JAAS realm {}, role {})", PREFIX, config.jaas_realm(), config.required_role());
    }

    @Modified
    void modified(WebConfig config) {
        OriginPolicy policy = OriginPolicy.parse(config.allowed_origins());
        for (String entry : policy.ignored()) {
            LOG.warn("allowed.origins: '{}' is not an origin (scheme://host[:port], null, self or *): left out", entry);
        }
        access.configure(config, fixedCheck != null ? fixedCheck : new JaasPasswordCheck(config.jaas_realm(), config.required_role()), policy);
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

    /**
     * A device event from the registrar: to every open event stream, on this component's thread. With no stream open
     * nothing is done: under a registration burst (issue 15) the JSON of every event cost the EventAdmin thread more
     * than any other handler. A stream that opens meanwhile misses it, as it misses every event before it opened.
     */
    @Override
    public void handleEvent(Event event) {
        if (events.size() == 0 || !(event.getProperty(DeviceEvents.DEVICE) instanceof Device d)) {
            return;
        }
        String topic = event.getTopic();
        String kind = topic.substring(topic.lastIndexOf('/') + 1);
        String json = Json.write(Views.device(d, Instant.now()));
        ScheduledThreadPoolExecutor t = thread;
        if (t != null && !t.isShutdown()) {
            t.execute(() -> events.publish(kind, json, access::alive));
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
            dispatch(route, access.admit(route.kind(), req), req, resp);
        } catch (ApiError e) {
            if (e.header() != null) {
                resp.setHeader(e.header(), e.headerValue());
            }
            json(resp, e.status(), Views.error(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("Web console: {} {} failed", req.getMethod(), req.getRequestURI(), e);
            json(resp, 500, Views.error("internal error: " + e.getClass().getSimpleName() + " (the server log has the details)"));
        }
    }

    private void dispatch(Route route, Sessions.Session session, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Instant now = Instant.now();
        switch (route.kind()) {
            case LOGIN -> {
                Object body;
                try {
                    body = Json.parse(body(req));
                } catch (IllegalArgumentException e) {
                    throw new ApiError(400, "the body is not JSON: " + e.getMessage());
                }
                json(resp, 200, access.view(access.login(body, req, resp)));
            }
            case LOGOUT -> {
                access.logout(session, req, resp);
                resp.setStatus(204);
            }
            case SESSION -> json(resp, 200, access.view(session));
            case DEVICES -> {
                List<Object> list = new ArrayList<>();
                for (Device d : require(registry, "registrar").devices()) {
                    list.add(Views.device(d, now));
                }
                json(resp, 200, Map.of("devices", list));
            }
            case DEVICE -> json(resp, 200, Reports.device(route.id(), registry, config, presence, now));
            case PING -> json(resp, 200, Views.ping(ping(route.id())));
            case UNREGISTER -> {
                DeviceRegistry r = require(registry, "registrar");
                if (r.device(route.id()).isEmpty()) {
                    throw Reports.noDevice(route.id());
                }
                if (!r.unregister(route.id())) {
                    throw new ApiError(404, "device " + route.id() + " has no binding to remove: it is unregistered already");
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
            case SINKS -> {
                List<Object> list = new ArrayList<>();
                require(audio, "audio").sinks().forEach(s -> list.add(Views.sink(s)));
                json(resp, 200, Map.of("sinks", list));
            }
            case STATUS -> json(resp, 200, Reports.status(stack, registry, presence, config, mdns, calls, audio,
                    access.sessions().size(), events.size()));
            case CONFIG -> {
                ConfigurationAdmin admin = configAdmin;
                if (admin == null) {
                    throw new ApiError(503, "Configuration Admin is not available (Karaf's bundle org.apache.felix.configadmin)");
                }
                json(resp, 200, Configurations.report(admin));
            }
            case EVENTS -> openEvents(session, req, resp);
        }
    }

    private PingResult ping(String uuid) {
        DeviceRegistry r = require(registry, "registrar");
        if (r.device(uuid).isEmpty()) {
            throw Reports.noDevice(uuid);
        }
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

    /**
     * Keeps the response open as an event stream: non-blocking output ({@link EventOutput}) with a bounded queue, added
     * to the open streams on the component's thread.
     */
    private void openEvents(Sessions.Session session, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setStatus(200);
        resp.setContentType("text/event-stream");
        resp.setCharacterEncoding("UTF-8");
        resp.flushBuffer();
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        WebConfig c = settings;
        EventOutput output = new EventOutput(async, resp.getOutputStream(), session.id, req.getRemoteAddr() + ":" + req.getRemotePort(),
                c.event_queue_max_events(), c.event_queue_max_bytes(), events::remove);
        output.start();
        try {
            thread.execute(() -> events.add(output));
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            output.close(); // the component is stopping: the browser reconnects to the next one
        }
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
