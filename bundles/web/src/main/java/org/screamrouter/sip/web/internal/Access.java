package org.screamrouter.sip.web.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.screamrouter.sip.http.OriginPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use the API: the login (a {@link PasswordCheck}, then a session and its cookie), and for every other request
 * the session of its cookie, and for a change the session's CSRF token and an allowed Origin. Refusals are
 * {@link ApiError}s: 401 without a session, 403 for a wrong token or a foreign page.
 */
final class Access {
    private static final Logger LOG = LoggerFactory.getLogger(Access.class);
    static final String COOKIE = "screamrouter-session";
    static final String CSRF_HEADER = "X-CSRF-Token";

    private final Sessions sessions;
    private final LoginThrottle throttle;
    private volatile PasswordCheck passwords;
    private volatile OriginPolicy origins = OriginPolicy.parse(OriginPolicy.SELF);
    private volatile WebConfig config;

    Access(Sessions sessions, LoginThrottle throttle) {
        this.sessions = sessions;
        this.throttle = throttle;
    }

    /** New settings: the password check, the pages that may send changes, the session limits; sessions are kept. */
    void configure(WebConfig config, PasswordCheck passwords, OriginPolicy origins) {
        this.sessions.limits(Duration.ofSeconds(config.session_idle_timeout_s()), config.max_sessions());
        this.throttle.limits(config.login_max_failures(), Duration.ofSeconds(config.login_window_s()), Duration.ofSeconds(config.login_lockout_s()));
        this.passwords = passwords;
        this.origins = origins;
        this.config = config;
    }

    Sessions sessions() {
        return sessions;
    }

    /**
     * Lets a request of this route in, or refuses it: a change from a page {@code allowed.origins} does not allow is
     * 403; every route but the login needs a live session (401), and a change its CSRF token (403). Returns the
     * session, null for the login.
     */
    Sessions.Session admit(Route.Kind route, HttpServletRequest req) {
        if (route.changes()) {
            String origin = req.getHeader("Origin");
            OriginPolicy policy = origins;
            if (!policy.allows(origin)) {
                throw new ApiError(403, "pages from " + origin + " may not change anything here (allowed.origins: " + policy + ")");
            }
        }
        if (!route.needsSession()) {
            return null;
        }
        Sessions.Session session = sessions.find(cookie(req))
                .orElseThrow(() -> new ApiError(401, "not logged in, or the session ended: log in with POST /api/login"));
        if (route.changes() && !session.csrfMatches(req.getHeader(CSRF_HEADER))) {
            throw new ApiError(403, "missing or wrong " + CSRF_HEADER + " header (the token POST /api/login or GET /api/session returns)");
        }
        return session;
    }

    /**
     * The login of a parsed JSON body {@code {"user", "password"}}: a new session and its cookie, or the refusal. An
     * address or user locked out by {@link LoginThrottle} is refused with 429 before the password is checked.
     */
    Sessions.Session login(Object body, HttpServletRequest req, HttpServletResponse resp) {
        if (!(body instanceof Map<?, ?> m) || !(m.get("user") instanceof String user) || !(m.get("password") instanceof String password)
                || user.isEmpty()) {
            throw new ApiError(400, "expected a JSON object {\"user\": \"...\", \"password\": \"...\"}");
        }
        WebConfig c = config;
        String address = req.getRemoteAddr();
        ApiError plain = plainLoginRefusal(address, req.isSecure(), c);
        if (plain != null) {
            LOG.info("Web console: login of {} from {} over plain HTTP refused (login.require.https)", user, address);
            throw plain;
        }
        LoginThrottle.Admission admission = throttle.begin(address, user);
        LoginThrottle.Permit permit = admission.permit();
        if (permit == null) {
            String wait = Long.toString(admission.retryAfterS());
            throw new ApiError(429, admission.lockedOut()
                    ? "too many failed logins from this address or for this user (login.max.failures " + c.login_max_failures() + " within "
                            + c.login_window_s() + " s): logins refused for " + wait + " s more"
                    : "too many logins at once from this address or for this user: try again in " + wait + " s", "Retry-After", wait);
        }
        try {
            switch (passwords.check(user, password.toCharArray())) {
                case ACCEPTED -> throttle.succeeded(permit);
                case REFUSED -> {
                    LOG.info("Web console: login of {} from {} refused", user, address);
                    List<String> locked = throttle.failed(permit).started();
                    if (!locked.isEmpty()) {
                        LOG.warn("Web console: {} failed logins within {} s for {}: logins refused for {} s (the last from {} as {})",
                                c.login_max_failures(), c.login_window_s(), String.join(" and ", locked), c.login_lockout_s(), address, user);
                    }
                    throw new ApiError(401, "wrong user name or password");
                }
                case LACKS_ROLE -> throw new ApiError(403, "user " + user + " lacks the role " + c.required_role() + " the console requires");
                default -> throw new ApiError(503, "JAAS realm " + c.jaas_realm() + " cannot be used now (the server log says why)");
            }
        } finally {
            throttle.released(permit); // a check that neither failed nor succeeded is not counted (a no-op after either)
        }
        sessions.remove(cookie(req));
        Sessions.Session s = sessions.create(user).orElseThrow(() -> new ApiError(503,
                "too many sessions at once (max.sessions " + c.max_sessions() + "): log out elsewhere or wait for one to expire"));
        LOG.info("Web console: {} logged in from {}", user, req.getRemoteAddr());
        resp.addHeader("Set-Cookie", cookie(s.id, -1, req.isSecure()));
        return s;
    }

    /**
     * The refusal of a login that would carry its password readable over the network: plain HTTP from an address other
     * than loopback, while {@code login.require.https} is on; null when the login may go on.
     */
    static ApiError plainLoginRefusal(String remoteAddress, boolean secure, WebConfig c) {
        if (secure || !c.login_require_https() || loopback(remoteAddress)) {
            return null;
        }
        return new ApiError(403, "log in over HTTPS (port " + c.https_port() + "): this login came over plain HTTP from " + remoteAddress
                + ", which would send the password readable (login.require.https)");
    }

    /** Whether an address as the servlet container gives it (an IP literal, never a name: nothing is resolved) is loopback. */
    static boolean loopback(String address) {
        if (address == null) {
            return false;
        }
        String literal = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        // only IPv4 dotted quads and IPv6 literals (a colon): InetAddress parses those and never asks DNS
        if (!literal.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !literal.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            return false;
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    void logout(Sessions.Session session, HttpServletRequest req, HttpServletResponse resp) {
        sessions.remove(session.id);
        resp.addHeader("Set-Cookie", cookie("", 0, req.isSecure()));
    }

    /** What the login and {@code GET /api/session} answer. */
    Map<String, Object> view(Sessions.Session s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", s.user);
        m.put("csrfToken", s.csrf);
        m.put("idleTimeoutS", config.session_idle_timeout_s());
        return m;
    }

    /** Whether the session is live, without counting as a use (an event stream's). */
    boolean alive(String sessionId) {
        return sessions.peek(sessionId).isPresent();
    }

    /** The session cookie: {@code maxAge} 0 deletes it, negative makes it last as long as the browser. */
    static String cookie(String value, int maxAge, boolean secure) {
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
}
