package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.SipResponse;
import org.screamrouter.sip.itests.support.CallPeer;
import org.screamrouter.sip.itests.support.DeviceAgent;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.Register;

/**
 * Issue 17: the web console of the distribution as users run it, over real HTTP on the configured port of 127.0.0.1.
 * Two users are added to etc/users.properties (the distribution ships none): one with the admin role, one without.
 * Every API route, the login's 401/403/400, 401 without a session, 403 without or with a wrong CSRF token and from a
 * foreign page, 404 for an unknown device, 405; a device registered over real UDP is in /api/devices, its ONLINE event
 * reaches an open event stream within 1 s of its REGISTER, ping and unregister (and its OFFLINE event) work; the page
 * is served and the WHEP endpoint keeps its own /api/whep; a plain RTP call to a sink is listed and hung up; a
 * {@code bundle:update} of the console needs no refresh.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WebConsoleIT {
    private static final String ADMIN = "webadmin";
    private static final String ADMIN_PASSWORD = "console-it-" + "pw1";
    private static final String VIEWER = "webviewer";
    private static final Duration SETTLE = Duration.ofSeconds(60);
    /** Secrets in the configurations: never in /api/config. */
    private static final String TRUSTSTORE_SECRET = "truststore-" + "secret-it-7f3a";
    private static final String HTTPS_SECRET = "https-" + "secret-it-91c2";

    /**
     * Karaf's boot provisioning has ended (docs/architecture.md, "Boot"): while the features service still deploys,
     * Felix can refuse a bundle update ("Unable to acquire global lock for resolve").
     */
    @Inject
    @Filter(timeout = 120_000)
    private BootFinished bootFinished;

    @Inject
    private BundleContext context;

    private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).connectTimeout(Duration.ofSeconds(5)).build();

    @Configuration
    public Option[] config() throws IOException {
        return KarafRun.options(
                // a sink the calls can reach (config.yaml and the embedded engine)
                KarafRun.kitchenSink("web-console-it"),
                systemProperty("itest.web.jar").value(Path.of(System.getProperty("itest.bundles")).toAbsolutePath().normalize()
                        .resolve("web/target/org.screamrouter.sip.web-" + System.getProperty("itest.projectVersion") + ".jar").toString()),
                // Karaf's properties realm: user = password,role...
                editConfigurationFilePut("etc/users.properties", ADMIN, ADMIN_PASSWORD + ",admin"),
                editConfigurationFilePut("etc/users.properties", VIEWER, "viewer-pw,viewer"),
                // secrets /api/config must mask (unused: no truststore, no HTTPS)
                editConfigurationFilePut("etc/org.screamrouter.sip.stack.cfg", "tls.truststore.password", TRUSTSTORE_SECRET),
                editConfigurationFilePut("etc/org.apache.felix.http.cfg", "org.apache.felix.https.keystore.password", HTTPS_SECRET),
                // a short lockout, so the lockout test gives the address back quickly
                editConfigurationFilePut("etc/org.screamrouter.sip.web.cfg", "login.lockout.s", "2"),
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.screamrouter.name", "org.screamrouter"),
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.screamrouter.level", "INFO"));
    }

    /** A logged-in session. */
    private record Login(String cookie, String csrf) {}

    @Test
    public void theConsoleAndEveryRouteOfItsApi() throws Exception {
        // the page, once the HTTP server and the bundle are up
        HttpResponse<String> page = Await.until("the console page", SETTLE, () -> send("GET", "/console/", null, null, null, null),
                r -> r.statusCode() == 200);
        assertTrue(page.body(), page.body().contains("console.js") && page.body().contains("login-form"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        assertEquals(200, send("GET", "/console/console.js", null, null, null, null).statusCode());
        assertEquals(404, send("GET", "/console/nothing.html", null, null, null, null).statusCode());
        // the WHEP endpoint keeps its own routes under /api/whep (a longer pattern than the API's /api/*)
        HttpResponse<String> whep = send("OPTIONS", "/api/whep/any-sink", null, null, null, null);
        assertEquals(whep.body(), 204, whep.statusCode());
        assertTrue(whep.headers().firstValue("Allow").orElse("").contains("PATCH"));

        // without a session
        assertError(send("GET", "/api/devices", null, null, null, null), 401, "not logged in");
        assertError(send("GET", "/api/events", null, null, null, null), 401, "not logged in");
        // logins that fail
        assertError(send("POST", "/api/login", "{\"user\":\"" + ADMIN + "\",\"password\":\"wrong\"}", null, null, null), 401, "wrong user name or password");
        assertError(send("POST", "/api/login", "{\"user\":\"nobody\",\"password\":\"x\"}", null, null, null), 401, "wrong user name or password");
        assertError(send("POST", "/api/login", "{\"user\":\"" + VIEWER + "\",\"password\":\"viewer-pw\"}", null, null, null), 403, "lacks the role admin");
        assertError(send("POST", "/api/login", "{\"user\":", null, null, null), 400, "not JSON");
        assertError(send("POST", "/api/login", "{\"user\":\"" + ADMIN + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}", null, null,
                "http://evil.example"), 403, "pages from http://evil.example");

        Login login = login();
        HttpResponse<String> session = send("GET", "/api/session", null, login, null, null);
        assertEquals(200, session.statusCode());
        assertTrue(session.body(), session.body().contains("\"user\":\"" + ADMIN + "\""));

        // the event stream, open before the device registers
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpResponse<Stream<String>> events = http.send(HttpRequest.newBuilder(uri("/api/events")).header("Cookie", login.cookie()).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, events.statusCode());
        Thread reader = new Thread(() -> events.body().forEach(lines::add), "web-console-it-events");
        reader.setDaemon(true);
        reader.start();
        assertEquals("retry: 3000", lines.poll(10, TimeUnit.SECONDS));

        int port = KarafRun.sipPort();
        String uuid = UUID.randomUUID().toString();
        try (DeviceAgent device = new DeviceAgent()) {
            // the stack answers (a probe REGISTER of another device), so the timed REGISTER below is sent once
            Await.until("the registrar answers", SETTLE, () -> device.exchange(new Register("probe-" + uuid.substring(0, 8), port, device.port())
                    .expires(60).toString(), port, Duration.ofMillis(500)), r -> r != null && r.status() == 200);
            lines.clear();
            long sent = System.nanoTime();
            SipResponse ok = device.exchange(new Register(uuid, port, device.port()).expires(600).sdp(Register.sinkSdp(uuid, 40040)).toString(),
                    port, Duration.ofSeconds(3));
            assertEquals(String.valueOf(ok), 200, ok == null ? 0 : ok.status());
            List<String> event = awaitEvent(lines, "ONLINE", uuid, Duration.ofSeconds(5));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            System.out.println("ONLINE event " + millis + " ms after the REGISTER: " + event);
            assertTrue("the ONLINE event came " + millis + " ms after the REGISTER", millis <= 1000);

            HttpResponse<String> devices = send("GET", "/api/devices", null, login, null, null);
            assertEquals(200, devices.statusCode());
            assertTrue(devices.body(), devices.body().contains("\"uuid\":\"" + uuid + "\"") && devices.body().contains("\"role\":\"sink\""));
            HttpResponse<String> detail = send("GET", "/api/devices/" + uuid, null, login, null, null);
            assertEquals(detail.body(), 200, detail.statusCode());
            assertTrue(detail.body(), detail.body().contains("\"rtpPort\":40040") && detail.body().contains("\"bindings\":[{")
                    && detail.body().contains("\"watchers\":[") && detail.body().contains("\"missing\":[]"));
            assertError(send("GET", "/api/devices/no-such-device", null, login, null, null), 404, "no device with UUID no-such-device");

            // changes need the CSRF token
            assertError(send("POST", "/api/devices/" + uuid + "/ping", null, login, null, null), 403, "X-CSRF-Token");
            assertError(send("POST", "/api/devices/" + uuid + "/ping", null, login, "0".repeat(32), null), 403, "X-CSRF-Token");
            HttpResponse<String> ping = send("POST", "/api/devices/" + uuid + "/ping", null, login, login.csrf(), null);
            assertEquals(ping.body(), 200, ping.statusCode());
            assertTrue(ping.body(), ping.body().contains("\"status\":200"));
            assertTrue("the device got the OPTIONS", device.received().stream().anyMatch(d -> d.isRequest("OPTIONS")));

            assertError(send("DELETE", "/api/devices/" + uuid, null, login, null, null), 403, "X-CSRF-Token");
            assertError(send("DELETE", "/api/devices/" + uuid, null, login, login.csrf(), "http://evil.example"), 403, "pages from");
            assertEquals(204, send("DELETE", "/api/devices/" + uuid, null, login, login.csrf(), null).statusCode());
            awaitEvent(lines, "OFFLINE", uuid, Duration.ofSeconds(5));
            assertError(send("DELETE", "/api/devices/" + uuid, null, login, login.csrf(), null), 404, "unregistered already");
            assertTrue(send("GET", "/api/devices/" + uuid, null, login, null, null).body().contains("\"online\":false"));
        }

        HttpResponse<String> calls = send("GET", "/api/calls", null, login, null, null);
        assertEquals(calls.body(), 200, calls.statusCode());
        assertTrue(calls.body(), calls.body().startsWith("{\"calls\":["));
        assertError(send("DELETE", "/api/calls/no-such-call", null, login, login.csrf(), null), 404, "no call in progress");
        HttpResponse<String> subscriptions = send("GET", "/api/subscriptions", null, login, null, null);
        assertEquals(subscriptions.body(), 200, subscriptions.statusCode());
        assertTrue(subscriptions.body(), subscriptions.body().contains("\"subscriptions\":[") && subscriptions.body().contains("\"publications\":["));
        HttpResponse<String> sinks = send("GET", "/api/sinks", null, login, null, null);
        assertEquals(sinks.body(), 200, sinks.statusCode());
        assertTrue(sinks.body(), sinks.body().contains("\"sink\":\"kitchen\"") && sinks.body().contains("\"listen\":\"/listen/index.html?sink=kitchen\""));
        assertEquals("the listen page the sink links", 200, send("GET", "/listen/index.html?sink=kitchen", null, null, null, null).statusCode());
        HttpResponse<String> status = send("GET", "/api/status", null, login, null, null);
        assertEquals(status.body(), 200, status.statusCode());
        assertTrue(status.body(), status.body().contains("{\"transport\":\"udp\",\"address\":\"127.0.0.1\",\"port\":" + port + "}")
                && status.body().contains("\"registrarStore\":{\"healthy\":true") && status.body().contains("\"presenceStore\":{\"healthy\":true")
                && status.body().contains("\"mdns\":{\"routerUuid\":") && status.body().contains("\"missing\":[]"));

        assertError(send("GET", "/api/nothing", null, login, null, null), 404, "no such API route");
        HttpResponse<String> put = send("PUT", "/api/devices", "{}", login, login.csrf(), null);
        assertError(put, 405, "PUT is not allowed");
        assertEquals("GET", put.headers().firstValue("Allow").orElse(""));

        assertError(send("POST", "/api/logout", null, login, null, null), 403, "X-CSRF-Token");
        assertEquals(204, send("POST", "/api/logout", null, login, login.csrf(), null).statusCode());
        assertError(send("GET", "/api/devices", null, login, null, null), 401, "not logged in");
        events.body().close();
    }

    /**
     * The console is an implementation bundle like the others: a {@code bundle:update} needs no refresh and the API
     * answers again; the sessions were the old revision's, so the old cookie is 401 and a new login works.
     */
    @Test
    public void anUpdateOfTheBundleNeedsNoRefreshAndEndsItsSessions() throws Exception {
        Login before = login();
        Bundle web = null;
        for (Bundle b : context.getBundles()) {
            if ("org.screamrouter.sip.web".equals(b.getSymbolicName())) web = b;
        }
        assertTrue("the web bundle is installed", web != null);
        File jar = new File(System.getProperty("itest.web.jar"));
        assertTrue(jar + " is missing", jar.isFile());
        long modified = web.getLastModified();
        try (InputStream in = new FileInputStream(jar)) {
            web.update(in);
        }
        Await.until("the old session refused by the new revision", SETTLE, () -> send("GET", "/api/session", null, before, null, null),
                r -> r.statusCode() == 401);
        assertTrue(web.getLastModified() > modified);
        assertEquals(Bundle.ACTIVE, web.getState());
        Login after = login();
        assertEquals(200, send("GET", "/api/devices", null, after, null, null).statusCode());
        assertEquals(204, send("POST", "/api/logout", null, after, after.csrf(), null).statusCode());
    }

    /** The configurations, read-only, with their secrets masked: the secret strings never reach the answer. */
    @Test
    public void theConfigurationsWithTheirSecretsMasked() throws Exception {
        Login login = login();
        assertError(send("GET", "/api/config", null, null, null, null), 401, "not logged in");
        HttpResponse<String> config = send("GET", "/api/config", null, login, null, null);
        assertEquals(config.body(), 200, config.statusCode());
        String body = config.body();
        assertTrue(body, !body.contains(TRUSTSTORE_SECRET) && !body.contains(HTTPS_SECRET));
        assertTrue(body, body.contains("{\"pid\":\"org.screamrouter.sip.stack\",\"file\":\"") && body.contains("org.screamrouter.sip.stack.cfg\"")
                && body.contains("\"tls.truststore.password\":\"********\"") && body.contains("\"udp.port\":\"" + KarafRun.sipPort() + "\"")
                && body.contains("\"edit\":\"config:property-set -p org.screamrouter.sip.stack <key> <value>\""));
        assertTrue(body, body.contains("{\"pid\":\"org.apache.felix.http\"") && body.contains("\"org.apache.felix.https.keystore.password\":\"********\""));
        assertTrue(body, body.contains("\"pid\":\"org.screamrouter.sip.web\"") && body.contains("\"login.lockout.s\":\"2\""));
        assertTrue("no framework keys: " + body, !body.contains("service.pid") && !body.contains("felix.fileinstall.filename"));
        assertTrue("only ScreamRouter SIP's and the HTTP server's", !body.contains("org.apache.karaf.shell") && !body.contains("org.ops4j"));
        assertEquals(204, send("POST", "/api/logout", null, login, login.csrf(), null).statusCode());
    }

    /**
     * A brute force over real HTTP: the 5th wrong password locks the address out, the next login (even with the right
     * password) is 429 with Retry-After without a password check; after the (shortened, 2 s) lockout the right one works.
     */
    @Test
    public void failedLoginsLockTheAddressOut() throws Exception {
        login(); // a success clears this address's count (the other tests' wrong passwords)
        for (int i = 0; i < 5; i++) {
            assertError(send("POST", "/api/login", "{\"user\":\"" + ADMIN + "\",\"password\":\"guess-" + i + "\"}", null, null, null), 401,
                    "wrong user name or password");
        }
        String right = "{\"user\":\"" + ADMIN + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}";
        HttpResponse<String> locked = send("POST", "/api/login", right, null, null, null);
        assertError(locked, 429, "too many failed logins");
        assertEquals("2", locked.headers().firstValue("Retry-After").orElse(""));
        long start = System.nanoTime();
        Await.until("the lockout over", Duration.ofSeconds(10), () -> send("POST", "/api/login", right, null, null, null),
                r -> r.statusCode() == 200);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("the lockout ended after " + millis + " ms", millis >= 1000);
    }

    /** A call to a sink in /api/calls, hung up through the API: the peer gets the BYE and the call is gone. */
    @Test
    public void aCallIsListedAndHungUp() throws Exception {
        Login login = login();
        try (CallPeer peer = CallPeer.udp(KarafRun.sipPort()); DatagramSocket media = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            CallPeer.Dialog call = Await.until("an answered call to kitchen", SETTLE,
                    () -> peer.call("kitchen", CallPeer.rtpOffer(media.getLocalPort(), "0", "0 PCMU/8000"), Duration.ofSeconds(10)), d -> d != null);
            String encoded = java.net.URLEncoder.encode(call.callId, StandardCharsets.UTF_8);
            HttpResponse<String> calls = Await.until("the call CONFIRMED in /api/calls", Duration.ofSeconds(10),
                    () -> send("GET", "/api/calls", null, login, null, null), r -> r.body().contains("\"state\":\"CONFIRMED\""));
            assertTrue(calls.body(), calls.body().contains("\"callId\":\"" + call.callId + "\"") && calls.body().contains("\"sink\":\"kitchen\"")
                    && calls.body().contains("\"kind\":\"RTP\""));
            assertError(send("DELETE", "/api/calls/" + encoded, null, login, null, null), 403, "X-CSRF-Token");
            assertEquals(204, send("DELETE", "/api/calls/" + encoded, null, login, login.csrf(), null).statusCode());
            assertTrue("the peer got the BYE", peer.request(call.callId, "BYE", Duration.ofSeconds(5)) != null);
            Await.until("no call in /api/calls", Duration.ofSeconds(10), () -> send("GET", "/api/calls", null, login, null, null).body(),
                    b -> b.equals("{\"calls\":[]}"));
            assertError(send("DELETE", "/api/calls/" + encoded, null, login, login.csrf(), null), 404, "no call in progress");
        }
    }

    /** The lines of the first event of this kind for the device, waiting at most {@code within}. */
    private static List<String> awaitEvent(LinkedBlockingQueue<String> lines, String kind, String uuid, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        List<String> seen = new ArrayList<>();
        String lastEvent = null;
        while (System.nanoTime() < deadline) {
            String line = lines.poll(20, TimeUnit.MILLISECONDS);
            if (line == null) continue;
            seen.add(line);
            if (line.startsWith("event: ")) {
                lastEvent = line.substring(7);
            } else if (line.startsWith("data: ") && kind.equals(lastEvent) && line.contains("\"uuid\":\"" + uuid + "\"")) {
                return List.of("event: " + kind, line);
            }
        }
        throw new AssertionError("no " + kind + " event for " + uuid + " within " + within.toMillis() + " ms; seen: " + seen);
    }

    private Login login() throws Exception {
        HttpResponse<String> r = send("POST", "/api/login", "{\"user\":\"" + ADMIN + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}", null, null, null);
        assertEquals(r.body(), 200, r.statusCode());
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie, cookie.matches("screamrouter-session=[0-9a-f]{32}; Path=/; HttpOnly; SameSite=Strict"));
        java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("\"csrfToken\":\"([0-9a-f]{32})\"").matcher(r.body());
        assertTrue(r.body(), csrf.find());
        return new Login(cookie.substring(0, cookie.indexOf(';')), csrf.group(1));
    }

    private HttpResponse<String> send(String method, String path, String body, Login login, String csrf, String origin)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (login != null) b.header("Cookie", login.cookie());
        if (csrf != null) b.header("X-CSRF-Token", csrf);
        if (origin != null) b.header("Origin", origin);
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + Integer.getInteger("itest.http.port") + path);
    }

    private static void assertError(HttpResponse<String> r, int status, String message) {
        assertEquals(r.body(), status, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("") + " " + r.body(),
                r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
                        && r.body().startsWith("{\"error\":\"") && r.body().contains(message));
    }
}
