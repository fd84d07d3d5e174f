package org.screamrouter.sip.web.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.screamrouter.sip.http.OriginPolicy;

/** Configuration PID {@code org.screamrouter.sip.web}. Changes apply to the next request (sessions are kept). */
@ObjectClassDefinition(id = WebConfig.PID, name = "ScreamRouter SIP web console",
        description = "The web console (/console/) and its JSON API (/api/), on the HTTP server of etc/org.apache.felix.http.cfg")
public @interface WebConfig {
    String PID = "org.screamrouter.sip.web";

    @AttributeDefinition(name = "JAAS realm", description = "The realm users log in against (Karaf's own: karaf, etc/users.properties)")
    String jaas_realm() default "karaf";

    @AttributeDefinition(name = "Required role", description = "A user needs this role to log in (etc/users.properties: user = password,admin)")
    String required_role() default "admin";

    @AttributeDefinition(name = "Session idle timeout (s)", description = "A session unused for this long ends; the next request gets 401", min = "30")
    int session_idle_timeout_s() default 1800;

    @AttributeDefinition(name = "Maximum sessions", description = "Sessions at once; a login past it gets 503", min = "1")
    int max_sessions() default 32;

    @AttributeDefinition(name = "Ping timeout (ms)", description = "How long POST /api/devices/{uuid}/ping waits for the device's answer; past it 504", min = "100")
    int ping_timeout_ms() default 5000;

    @AttributeDefinition(name = "Largest request body (bytes)", description = "A larger JSON body gets 413", min = "256")
    int max_body_bytes() default 8192;

    @AttributeDefinition(name = "Login failures before a lockout", description = "This many wrong passwords from one address, or for "
            + "one user name, within login.window.s lock that address or user out: its logins get 429 without a password check", min = "1")
    int login_max_failures() default 5;

    @AttributeDefinition(name = "Login failure window (s)", description = "The sliding window login.max.failures are counted in", min = "1")
    int login_window_s() default 60;

    @AttributeDefinition(name = "Login lockout (s)", description = "How long a locked address or user is refused (Retry-After)", min = "1")
    int login_lockout_s() default 60;

    @AttributeDefinition(name = "Event stream queue (events)", description = "Events waiting to be written to one browser's "
            + "event stream; past it (the browser stopped reading) the stream is ended and the browser reconnects", min = "16")
    int event_queue_max_events() default 256;

    @AttributeDefinition(name = "Event stream queue (bytes)", description = "The same bound in bytes", min = "65536")
    int event_queue_max_bytes() default 262144;

    @AttributeDefinition(name = "Allowed origins", description = "Web pages that may send changes (POST, DELETE) to the API, on top of "
            + "the session cookie (SameSite=Strict) and the CSRF token. " + OriginPolicy.SYNTAX)
    String allowed_origins() default OriginPolicy.SELF;

    @AttributeDefinition(name = "Logins only over HTTPS from other machines", description = "A login over plain HTTP from an "
            + "address other than this machine's loopback is refused (403), so that the password never crosses the network readable")
    boolean login_require_https() default true;

    @AttributeDefinition(name = "HTTPS", description = "Serve the HTTP server (console, WHEP, listen page) over HTTPS too, with the "
            + "SIP stack's TLS certificate, once the stack has loaded one (written into org.apache.felix.http)")
    boolean https_enabled() default true;

    @AttributeDefinition(name = "HTTPS port", description = "On the HTTP server's host (org.apache.felix.http.host)", min = "1", max = "65535")
    int https_port() default 8443;
}
