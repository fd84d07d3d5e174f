package org.screamrouter.sip.web.internal;

import java.io.IOException;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.screamrouter.sip.stack.SipStackStatus;
import org.screamrouter.sip.stack.TlsStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the HTTP server (console, WHEP, listen page) over HTTPS too, with the certificate the SIP stack presents on
 * tls and wss (docs/web.md, "HTTPS"). Every 2 s it compares what the stack loaded with Felix HTTP's configuration and
 * writes {@link HttpsProperties} there when they differ: the first start (the stack generates its certificate a few
 * seconds after Felix HTTP started) and a replaced certificate each restart Jetty once. HTTPS settings written by
 * someone else are left alone. Stopping or updating this bundle leaves HTTPS as it is.
 */
@Component(configurationPid = WebConfig.PID)
public class HttpsSetup {
    private static final Logger LOG = LoggerFactory.getLogger(HttpsSetup.class);
    static final String HTTP_PID = "org.apache.felix.http";
    static final String STACK_PID = "org.screamrouter.sip.stack";
    private static final long CHECK_S = 2;

    @Reference
    ConfigurationAdmin configAdmin;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile SipStackStatus stack;

    volatile WebConfig settings;
    private ScheduledThreadPoolExecutor thread;
    /** What was last logged, so that a state is logged once rather than every check. */
    private String logged = "";

    @Activate
    void activate(WebConfig config) {
        settings = config;
        thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "web-https-setup");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::check, 0, CHECK_S, TimeUnit.SECONDS);
    }

    @Modified
    void modified(WebConfig config) {
        settings = config;
        thread.execute(this::check);
    }

    @Deactivate
    void deactivate() {
        thread.shutdownNow();
    }

    /** One comparison, and the update it calls for; never throws (the next check tries again). */
    void check() {
        try {
            Configuration http = configAdmin.getConfiguration(HTTP_PID, "?");
            Map<String, Object> current = map(http.getProperties());
            if (HttpsProperties.foreign(current)) {
                once("HTTPS is configured in " + HTTP_PID + " by other settings; the console leaves them as they are");
                return;
            }
            WebConfig config = settings;
            SipStackStatus s = stack;
            TlsStatus tls = s == null ? null : s.tls();
            if (!config.https_enabled()) {
                if (current.containsKey(HttpsProperties.FINGERPRINT)) {
                    HttpsProperties.keys().forEach(current::remove);
                    current.put(HttpsProperties.ENABLE, "false");
                    http.update(new Hashtable<>(current));
                }
                once("HTTPS off (https.enabled = false)");
                return;
            }
            Map<String, Object> wanted = HttpsProperties.of(tls, stackConfig(), config.https_port());
            if (wanted == null) {
                // no certificate to serve now: the stack is away (an update) or TLS is off. What HTTPS serves stays as
                // it is, rather than restarting Jetty twice around a stack update
                once("HTTPS waits for the SIP stack's certificate" + (tls != null && tls.problem() != null ? ": " + tls.problem() : ""));
                return;
            }
            if (!HttpsProperties.holds(current, wanted)) {
                current.putAll(wanted);
                http.update(new Hashtable<>(current));
                LOG.info("HTTPS on port {} with the SIP stack's certificate {} ({}): written into {}, Felix HTTP restarts Jetty with it "
                        + "(a port it cannot bind is logged by Jetty; HTTP stays)", config.https_port(), tls.fingerprint(), tls.source(), HTTP_PID);
                logged = "";
            }
        } catch (IOException | RuntimeException e) {
            once("HTTPS not set up: " + e);
        }
    }

    private Map<String, ?> stackConfig() throws IOException {
        try {
            Configuration[] found = configAdmin.listConfigurations("(service.pid=" + STACK_PID + ")");
            return found == null || found.length == 0 ? Map.of() : map(found[0].getProperties());
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private void once(String state) {
        if (!state.equals(logged)) {
            logged = state;
            LOG.info(state);
        }
    }

    private static Map<String, Object> map(Dictionary<String, Object> d) {
        Map<String, Object> m = new HashMap<>();
        if (d != null) {
            for (String k : Collections.list(d.keys())) {
                m.put(k, d.get(k));
            }
        }
        return m;
    }
}
