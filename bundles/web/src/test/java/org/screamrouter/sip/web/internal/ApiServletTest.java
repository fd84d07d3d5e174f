package org.screamrouter.sip.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.testsupport.Configs;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.event.Event;
import org.screamrouter.sip.http.Json;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceEvents;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.registrar.PingResult;

/**
 * The API servlet on a real Jetty (Felix HTTP's) on loopback, over real HTTP: access (login, cookie, CSRF, Origin),
 * routing and errors, and the event stream. The collaborators are fakes: the password check, and a registry of
 * devices; the other subsystems are not there.
 */
class ApiServletTest {
    private static final String PASSWORD = "s3cret";
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final FakeRegistry registry = new FakeRegistry();
    private final AtomicInteger checks = new AtomicInteger();
    /** The servlet's nanosecond clock: sessions and login failures. */
    private final AtomicLong clock = new AtomicLong(System.nanoTime());
    private Server server;
    private ApiServlet servlet;
    private String base;

    @BeforeEach
    void start() throws Exception {
        servlet = new ApiServlet((user, password) -> switch (count(user)) {
            case "admin" -> new String(password).equals(PASSWORD) ? PasswordCheck.Outcome.ACCEPTED : PasswordCheck.Outcome.REFUSED;
            case "viewer" -> PasswordCheck.Outcome.LACKS_ROLE;
            case "broken" -> PasswordCheck.Outcome.UNAVAILABLE;
            case "slow" -> {
                slowChecks.countDown();
                await(release);
                yield PasswordCheck.Outcome.REFUSED;
            }
            default -> PasswordCheck.Outcome.REFUSED;
        }, clock::get);
        servlet.registry = registry;
        servlet.activate(config(Map.of("ping_timeout_ms", 300)));
        server = new Server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, ApiServlet.PREFIX + "/*");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        servlet.deactivate();
        server.stop();
    }

    /** The checks of user "slow" wait for this. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch slowChecks = new CountDownLatch(5);

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counts the password checks (the JAAS realm's work). */
    private String count(String user) {
        checks.incrementAndGet();
        return user;
    }

    /** A logged-in session: its cookie and CSRF token. */
    record Login(String cookie, String csrf) {}

    @Test
    void loginSetsAnHttpOnlyStrictCookieAndReturnsTheCsrfToken() throws Exception {
        HttpResponse<String> r = send("POST", "/api/login", "{\"user\":\"admin\",\"password\":\"" + PASSWORD + "\"}", null, null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).matches("screamrouter-session=[0-9a-f]{32}; Path=/; HttpOnly; SameSite=Strict");
        assertThat(json(r)).containsEntry("user", "admin").containsKey("csrfToken").containsEntry("idleTimeoutS", 1800L);
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        Login login = new Login(cookie.substring(0, cookie.indexOf(';')), (String) json(r).get("csrfToken"));
        HttpResponse<String> session = send("GET", "/api/session", null, login, null, null);
        assertThat(json(session)).containsEntry("user", "admin").containsEntry("csrfToken", login.csrf());
    }

    @Test
    void aBadLoginIs401ARoleMissing403AMissingRealm503AndMalformedJson400() throws Exception {
        assertError(send("POST", "/api/login", "{\"user\":\"admin\",\"password\":\"nope\"}", null, null, null), 401, "wrong user name or password");
        assertError(send("POST", "/api/login", "{\"user\":\"nobody\",\"password\":\"x\"}", null, null, null), 401, "wrong user name or password");
        assertError(send("POST", "/api/login", "{\"user\":\"viewer\",\"password\":\"x\"}", null, null, null), 403, "lacks the role admin");
        assertError(send("POST", "/api/login", "{\"user\":\"broken\",\"password\":\"x\"}", null, null, null), 503, "JAAS realm karaf");
        assertError(send("POST", "/api/login", "{\"user\":\"admin\",", null, null, null), 400, "not JSON at offset");
        assertError(send("POST", "/api/login", "[1,2]", null, null, null), 400, "expected a JSON object");
        assertError(send("POST", "/api/login", "{\"user\":\"admin\",\"password\":1}", null, null, null), 400, "expected a JSON object");
        assertError(send("POST", "/api/login", "{\"user\":\"" + "x".repeat(9000) + "\"}", null, null, null), 413, "max.body.bytes");
    }

    /**
     * A brute force of passwords from one address: after {@code login.max.failures} (5) wrong ones the address is locked
     * out, 429 with Retry-After, and the password is not even checked (the right one is refused too).
     */
    @Test
    void aBruteForceOfPasswordsIsStoppedAfterFiveFailures() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            statuses.add(send("POST", "/api/login", "{\"user\":\"admin\",\"password\":\"guess" + i + "\"}", null, null, null).statusCode());
        }
        assertThat(statuses.subList(0, 5)).containsOnly(401);
        assertThat(statuses.subList(5, 20)).as("the attack goes on").containsOnly(429);
        int checked = checks.get();
        HttpResponse<String> right = send("POST", "/api/login", "{\"user\":\"admin\",\"password\":\"" + PASSWORD + "\"}", null, null, null);
        assertError(right, 429, "too many failed logins");
        assertThat(right.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
        assertThat(checks.get()).as("the realm is not asked during the lockout").isEqualTo(checked).isEqualTo(5);
        // a malformed login is 400 as before, not counted and not refused
        assertError(send("POST", "/api/login", "[1]", null, null, null), 400, "expected a JSON object");

        clock.addAndGet(TimeUnit.SECONDS.toNanos(60));
        assertThat(login().csrf()).as("the lockout is over").isNotEmpty();
        // the success cleared the count: 4 failures more are only 401s
        for (int i = 0; i < 4; i++) {
            assertError(send("POST", "/api/login", "{\"user\":\"admin\",\"password\":\"again" + i + "\"}", null, null, null), 401, "wrong");
        }
        assertThat(login().csrf()).isNotEmpty();
    }

    /** Ten guesses at once: only five reach the realm, the others are 429 while those are in progress. */
    @Test
    void parallelGuessesGetNoMoreThanSequentialOnes() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> guesses = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                guesses.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/login")).timeout(Duration.ofSeconds(15))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"slow\",\"password\":\"g" + i + "\"}"))
                        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString()));
            }
            assertThat(slowChecks.await(10, TimeUnit.SECONDS)).as("5 checks in progress").isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (guesses.stream().filter(CompletableFuture::isDone).count() < 5) {
                assertThat(System.nanoTime()).as("the 5 others answered within 10 s").isLessThan(deadline);
                Thread.sleep(10);
            }
            for (CompletableFuture<HttpResponse<String>> g : guesses) {
                if (g.isDone()) assertError(g.get(), 429, "too many logins at once");
            }
        } finally {
            release.countDown();
        }
        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> g : guesses) statuses.add(g.get(15, TimeUnit.SECONDS).statusCode());
        assertThat(statuses).filteredOn(st -> st == 401).hasSize(5);
        assertThat(statuses).filteredOn(st -> st == 429).hasSize(5);
        assertThat(checks.get()).isEqualTo(5);
        assertError(send("POST", "/api/login", "{\"user\":\"admin\",\"password\":\"" + PASSWORD + "\"}", null, null, null), 429,
                "too many failed logins");
    }

    @Test
    void theLockoutLimitsComeFromTheSettings() throws Exception {
        servlet.modified(config(Map.of("login_max_failures", 2, "login_window_s", 10, "login_lockout_s", 300)));
        assertError(send("POST", "/api/login", "{\"user\":\"nobody\",\"password\":\"a\"}", null, null, null), 401, "wrong");
        clock.addAndGet(TimeUnit.SECONDS.toNanos(11));
        assertError(send("POST", "/api/login", "{\"user\":\"nobody\",\"password\":\"b\"}", null, null, null), 401, "wrong"); // the first left the window
        assertError(send("POST", "/api/login", "{\"user\":\"nobody\",\"password\":\"c\"}", null, null, null), 401, "wrong");
        HttpResponse<String> locked = send("POST", "/api/login", "{\"user\":\"admin\",\"password\":\"" + PASSWORD + "\"}", null, null, null);
        assertError(locked, 429, "login.max.failures 2 within 10 s");
        assertThat(locked.headers().firstValue("Retry-After")).contains("300");
        clock.addAndGet(TimeUnit.SECONDS.toNanos(299) + 1);
        assertThat(send("POST", "/api/login", "{\"user\":\"admin\",\"password\":\"" + PASSWORD + "\"}", null, null, null)
                .headers().firstValue("Retry-After")).contains("1");
        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(login().csrf()).isNotEmpty();
    }

    @Test
    void withoutASessionEveryRouteButTheLoginIs401() throws Exception {
        for (String[] route : new String[][] {{"GET", "/api/session"}, {"POST", "/api/logout"}, {"GET", "/api/devices"},
                {"GET", "/api/devices/u1"}, {"DELETE", "/api/devices/u1"}, {"POST", "/api/devices/u1/ping"}, {"GET", "/api/calls"},
                {"DELETE", "/api/calls/c1"}, {"GET", "/api/subscriptions"}, {"GET", "/api/sinks"}, {"GET", "/api/status"}, {"GET", "/api/events"},
                {"GET", "/api/config"}}) {
            assertError(send(route[0], route[1], null, null, null, null), 401, "not logged in");
            // a made-up cookie is no session either
            assertError(send(route[0], route[1], null, new Login("screamrouter-session=0123456789abcdef0123456789abcdef", null), null, null),
                    401, "not logged in");
        }
    }

    @Test
    void everyChangeNeedsTheSessionsCsrfToken() throws Exception {
        registry.put(Devices.sink("u1", true, Instant.now()));
        Login login = login();
        assertError(send("DELETE", "/api/devices/u1", null, login, null, null), 403, "X-CSRF-Token");
        assertError(send("DELETE", "/api/devices/u1", null, login, "0".repeat(32), null), 403, "X-CSRF-Token");
        assertError(send("POST", "/api/logout", null, login, null, null), 403, "X-CSRF-Token");
        Login other = login();
        assertError(send("DELETE", "/api/devices/u1", null, login, other.csrf(), null), 403, "X-CSRF-Token");
        assertThat(registry.unregistered).isEmpty();
        assertThat(send("DELETE", "/api/devices/u1", null, login, login.csrf(), null).statusCode()).isEqualTo(204);
        assertThat(registry.unregistered).containsExactly("u1");
        assertError(send("DELETE", "/api/devices/u1", null, login, login.csrf(), null), 404, "unregistered already");
    }

    @Test
    void aPageOfAnotherOriginMayChangeNothingEvenWithTheToken() throws Exception {
        registry.put(Devices.sink("u1", true, Instant.now()));
        Login login = login();
        assertError(send("DELETE", "/api/devices/u1", null, login, login.csrf(), "http://evil.example"), 403, "pages from http://evil.example");
        assertError(send("POST", "/api/login", "{\"user\":\"admin\",\"password\":\"" + PASSWORD + "\"}", null, null, "http://evil.example"),
                403, "allowed.origins: self");
        assertThat(send("DELETE", "/api/devices/u1", null, login, login.csrf(), base).statusCode()).as("its own page").isEqualTo(204);
    }

    @Test
    void logoutEndsTheSession() throws Exception {
        Login login = login();
        HttpResponse<String> r = send("POST", "/api/logout", null, login, login.csrf(), null);
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).contains("Max-Age=0"));
        assertError(send("GET", "/api/devices", null, login, null, null), 401, "not logged in");
    }

    @Test
    void devicesTheirDetailsAndWhatIsMissing() throws Exception {
        Instant now = Instant.now();
        registry.put(Devices.sink("u2", false, now));
        registry.put(Devices.sink("u1", true, now));
        Login login = login();
        HttpResponse<String> list = send("GET", "/api/devices", null, login, null, null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> devices = (List<Map<String, Object>>) json(list).get("devices");
        assertThat(devices).extracting(d -> d.get("uuid")).containsExactly("u1", "u2");
        assertThat(devices).extracting(d -> d.get("online")).containsExactly(true, false);

        Map<String, Object> detail = json(send("GET", "/api/devices/u1", null, login, null, null));
        assertThat(detail).containsEntry("uuid", "u1").containsEntry("config", null).containsEntry("watchers", null);
        assertThat(detail.get("capabilities")).asString().contains("rtpPort=40000");
        assertThat(detail.get("bindings")).asList().hasSize(1);
        assertThat(detail.get("missing")).asList().containsExactly(
                "the config subsystem is not installed: feature:install screamrouter-sip-config",
                "the presence subsystem is not installed: feature:install screamrouter-sip-presence");
        assertError(send("GET", "/api/devices/nope", null, login, null, null), 404, "no device with UUID nope");
        assertError(send("DELETE", "/api/devices/nope", null, login, login.csrf(), null), 404, "no device with UUID nope");
        assertError(send("POST", "/api/devices/nope/ping", null, login, login.csrf(), null), 404, "no device with UUID nope");
    }

    @Test
    void aRouteOfAMissingSubsystemIs503NamingItsFeature() throws Exception {
        Login login = login();
        assertError(send("GET", "/api/calls", null, login, null, null), 503, "feature:install screamrouter-sip-calls");
        assertError(send("DELETE", "/api/calls/c1", null, login, login.csrf(), null), 503, "feature:install screamrouter-sip-calls");
        assertError(send("GET", "/api/subscriptions", null, login, null, null), 503, "feature:install screamrouter-sip-presence");
        assertError(send("GET", "/api/sinks", null, login, null, null), 503, "feature:install screamrouter-sip-audio");
        servlet.registry = null;
        assertError(send("GET", "/api/devices", null, login, null, null), 503, "feature:install screamrouter-sip-registrar");
        Map<String, Object> status = json(send("GET", "/api/status", null, login, null, null));
        assertThat(status).containsEntry("stack", null).containsEntry("sessions", 1L);
        assertThat(status.get("missing")).asList().hasSize(7);
    }

    @Test
    void theConfigurationsAreShownReadOnlyWithTheirSecretsMasked() throws Exception {
        Login login = login();
        assertError(send("GET", "/api/config", null, login, null, null), 503, "Configuration Admin is not available");
        Hashtable<String, Object> stack = new Hashtable<>(Map.of("service.pid", "org.screamrouter.sip.stack", "udp.port", "5060",
                "tls.keystore.password", "do-not-show-me", "felix.fileinstall.filename", "file:/opt/karaf/etc/org.screamrouter.sip.stack.cfg"));
        Hashtable<String, Object> http = new Hashtable<>(Map.of("service.pid", "org.apache.felix.http", "org.osgi.service.http.port", "8181",
                "org.apache.felix.https.keystore.password", "do-not-show-me-either"));
        Hashtable<String, Object> other = new Hashtable<>(Map.of("service.pid", "org.apache.karaf.shell", "sshPort", "8101"));
        servlet.configAdmin = configAdmin(Map.of("org.screamrouter.sip.stack", stack, "org.apache.felix.http", http, "org.apache.karaf.shell", other));
        HttpResponse<String> r = send("GET", "/api/config", null, login, null, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("do-not-show-me").doesNotContain("sshPort");
        assertThat(r.body()).isEqualTo("{\"configurations\":["
                + "{\"pid\":\"org.apache.felix.http\",\"file\":null,\"properties\":{\"org.apache.felix.https.keystore.password\":\"********\","
                + "\"org.osgi.service.http.port\":\"8181\"},\"masked\":[\"org.apache.felix.https.keystore.password\"],"
                + "\"edit\":\"config:property-set -p org.apache.felix.http <key> <value>\"},"
                + "{\"pid\":\"org.screamrouter.sip.stack\",\"file\":\"/opt/karaf/etc/org.screamrouter.sip.stack.cfg\","
                + "\"properties\":{\"tls.keystore.password\":\"********\",\"udp.port\":\"5060\"},\"masked\":[\"tls.keystore.password\"],"
                + "\"edit\":\"config:property-set -p org.screamrouter.sip.stack <key> <value>\"}]}");
        assertError(send("POST", "/api/config", "{}", login, login.csrf(), null), 405, "POST is not allowed");
    }

    /** A Configuration Admin holding these configurations (by PID); only listing them works. */
    private static ConfigurationAdmin configAdmin(Map<String, Hashtable<String, Object>> byPid) {
        return (ConfigurationAdmin) Proxy.newProxyInstance(ConfigurationAdmin.class.getClassLoader(), new Class<?>[] {ConfigurationAdmin.class},
                (p, m, a) -> {
                    if (!m.getName().equals("listConfigurations")) throw new UnsupportedOperationException(m.getName());
                    return byPid.entrySet().stream().map(e -> (Configuration) Proxy.newProxyInstance(Configuration.class.getClassLoader(),
                            new Class<?>[] {Configuration.class}, (q, n, b) -> switch (n.getName()) {
                                case "getPid" -> e.getKey();
                                case "getProperties" -> e.getValue();
                                default -> throw new UnsupportedOperationException(n.getName());
                            })).toArray(Configuration[]::new);
                });
    }

    @Test
    void unknownRoutesAre404AndOtherMethods405WithAllow() throws Exception {
        Login login = login();
        assertError(send("GET", "/api/nothing", null, login, null, null), 404, "no such API route: GET /api/nothing");
        HttpResponse<String> r = send("PUT", "/api/devices/u1", "{}", login, login.csrf(), null);
        assertError(r, 405, "PUT is not allowed");
        assertThat(r.headers().firstValue("Allow")).contains("GET, DELETE");
    }

    @Test
    void aPingAnswersWithTheDevicesStatusOr504() throws Exception {
        registry.put(Devices.sink("u1", true, Instant.now()));
        Login login = login();
        registry.ping = CompletableFuture.completedFuture(new PingResult(200, "OK", Duration.ofMillis(7)));
        Map<String, Object> ok = json(send("POST", "/api/devices/u1/ping", null, login, login.csrf(), null));
        assertThat(ok).containsEntry("status", 200L).containsEntry("reason", "OK").containsEntry("roundTripMs", 7L);
        registry.ping = new CompletableFuture<>();
        assertError(send("POST", "/api/devices/u1/ping", null, login, login.csrf(), null), 504, "did not answer the OPTIONS ping within 300 ms");
    }

    @Test
    void deviceEventsReachAnOpenEventStream() throws Exception {
        Login login = login();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/events")).header("Cookie", login.cookie()).build();
        HttpResponse<Stream<String>> r = client.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> r.body().forEach(lines::add));
        reader.setDaemon(true);
        reader.start();
        assertThat(lines.poll(5, TimeUnit.SECONDS)).isEqualTo("retry: 3000");
        Device d = Devices.sink("u9", true, Instant.now());
        servlet.handleEvent(new Event(DeviceEvents.ONLINE, Map.of(DeviceEvents.UUID, "u9", DeviceEvents.DEVICE, d)));
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (seen.stream().noneMatch(l -> l.startsWith("data: ")) && System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) seen.add(line);
        }
        assertThat(seen).contains("event: ONLINE");
        assertThat(seen).anySatisfy(l -> assertThat(l).startsWith("data: {\"uuid\":\"u9\",\"name\":\"sink_u9\""));
        r.body().close();
    }

    /**
     * One browser stops reading its event stream (a raw socket that never reads) while large device events keep coming:
     * once its socket buffers are full, the other stream must still get every new event within 2 s, and the stalled
     * stream is ended when its queue passes its bound.
     */
    @Test
    void aStreamThatStopsReadingDoesNotStallTheOthers() throws Exception {
        Login login = login();
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), URI.create(base).getPort()), 5000);
            stalled.getOutputStream().write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + login.cookie() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            stalled.getOutputStream().flush();
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/events")).header("Cookie", login.cookie()).build();
            HttpResponse<Stream<String>> reading = client.send(request, HttpResponse.BodyHandlers.ofLines());
            LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> reading.body().forEach(lines::add));
            reader.setDaemon(true);
            reader.start();
            awaitStreams(login, 2);
            String agent = "x".repeat(16 * 1024);
            int ended = -1;
            for (int i = 0; i < 3000 && (ended < 0 || i < ended + 3); i++) {
                Device d = Devices.sink("big-" + i, true, Instant.now(), agent);
                long sent = System.nanoTime();
                servlet.handleEvent(new Event(DeviceEvents.UPDATED, Map.of(DeviceEvents.UUID, d.uuid(), DeviceEvents.DEVICE, d)));
                String wanted = "data: {\"uuid\":\"big-" + i + "\"";
                long deadline = sent + TimeUnit.SECONDS.toNanos(2);
                String line;
                do {
                    line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } while (line != null && !line.startsWith(wanted));
                assertThat(line).as("event %d (%d KB sent to each stream) reached the reading stream within 2 s", i, (i + 1) * 16).isNotNull();
                if (ended < 0 && streams(login) == 1) {
                    ended = i;
                }
            }
            assertThat(ended).as("the stalled stream was ended").isPositive();
            System.out.println("the stalled stream was ended after " + (ended + 1) + " events of 16 KB");
            reading.body().close();
        }
    }

    private long streams(Login login) throws Exception {
        return (Long) json(send("GET", "/api/status", null, login, null, null)).get("eventStreams");
    }

    private void awaitStreams(Login login, long count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (streams(login) != count) {
            assertThat(System.nanoTime()).as("%d event streams open within 5 s", count).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private Login login() throws Exception {
        HttpResponse<String> r = send("POST", "/api/login", "{\"user\":\"admin\",\"password\":\"" + PASSWORD + "\"}", null, null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return new Login(cookie.substring(0, cookie.indexOf(';')), (String) json(r).get("csrfToken"));
    }

    private HttpResponse<String> send(String method, String path, String body, Login login, String csrf, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (login != null) b.header("Cookie", login.cookie());
        if (csrf != null) b.header(Access.CSRF_HEADER, csrf);
        if (origin != null) b.header("Origin", origin);
        if (body != null) b.header("Content-Type", "application/json");
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> r) {
        return (Map<String, Object>) Json.parse(r.body());
    }

    private static void assertError(HttpResponse<String> r, int status, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(json(r)).containsOnlyKeys("error");
        assertThat((String) json(r).get("error")).contains(message);
    }

    private static WebConfig config(Map<String, Object> values) {
        return Configs.of(WebConfig.class, values);
    }

    /** A registry of devices held in a map; each device has one binding; a ping answers with {@link #ping}. */
    static final class FakeRegistry implements DeviceRegistry {
        final Map<String, Device> devices = new ConcurrentHashMap<>();
        /** The devices unregistered, in order; a device's second unregistration finds no binding (false). */
        final List<String> unregistered = new ArrayList<>();
        volatile CompletableFuture<PingResult> ping = new CompletableFuture<>();

        void put(Device d) {
            devices.put(d.uuid(), d);
        }

        @Override
        public List<Binding> bindings() {
            return devices.values().stream().flatMap(d -> bindings(d.addressOfRecord()).stream()).toList();
        }

        @Override
        public List<Binding> bindings(String addressOfRecord) {
            List<Binding> list = new ArrayList<>();
            for (Iterator<Device> it = devices.values().iterator(); it.hasNext(); ) {
                Device d = it.next();
                if (d.addressOfRecord().equals(addressOfRecord)) {
                    list.add(new Binding(addressOfRecord, d.contactUri(), "<" + d.contactUri() + ">", d.transport(), d.source(), d.expires(),
                            -1, "cid-" + d.uuid(), 1, List.of(), d.lastSeen()));
                }
            }
            return list;
        }

        @Override
        public List<Device> devices() {
            return devices.values().stream().sorted(java.util.Comparator.comparing(Device::uuid)).toList();
        }

        @Override
        public Optional<Device> device(String uuid) {
            return Optional.ofNullable(devices.get(uuid));
        }

        @Override
        public CompletionStage<PingResult> ping(String uuid) {
            return ping;
        }

        @Override
        public synchronized boolean unregister(String uuid) {
            boolean hadBinding = devices.containsKey(uuid) && !unregistered.contains(uuid);
            unregistered.add(uuid);
            return hadBinding;
        }
    }
}
