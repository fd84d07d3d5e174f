package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.Ports;
import org.screamrouter.sip.itests.support.BrowserRun;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;
import org.screamrouter.sip.itests.support.ServerOnVeth;
import org.screamrouter.sip.itests.support.VethNamespace;
import org.screamrouter.sip.itests.support.Tools;

/**
 * Browsers and sinks. A browser calls a sink: headless Chromium in a network namespace this test creates (a veth pair, 198.18.k.1 on the
 * host side where the server listens, 198.18.k.2 inside; libwebrtc ignores loopback), JsSIP bundled locally with
 * esbuild, over {@code ws://} to the server. It registers, calls {@code kitchen}, applies the answer, ICE and DTLS
 * connect, and with a 440 Hz tone sent into the sink's Scream port the browser's {@code getStats()} shows Opus
 * packets received and a non-zero {@code totalAudioEnergy}. After its BYE the audio bridge has no listener left.
 * The server's listen page (a WHEP client in the page) plays the sink from its WHEP endpoint the same way; and with the
 * WHEP relay pointed at that endpoint, the JsSIP call's media come through WHEP.
 *
 * <p>Needs root ({@code ip netns}), {@code chromium} and {@code node} with {@code itests/browser/node_modules}
 * ({@code npm ci} there; .ci/test.sh does both). No traffic leaves the machine: the namespace has no route but its
 * veth.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CallsBrowserIT {
    @Inject
    private SessionFactory sessionFactory;

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        Path dir = Path.of(System.getProperty("itest.target"), "calls-browser-it");
        Files.createDirectories(dir);
        Path yaml = dir.resolve("config.yaml");
        Files.writeString(yaml, "sinks:\n- name: kitchen\n  ip: 127.0.0.1\n  port: 4010\n  enabled: true\nsources: []\n",
                StandardCharsets.UTF_8);
        int scream = Ports.free();
        int ws = Ports.free();
        int wss = Ports.free();
        Path browser = Path.of(System.getProperty("itest.bundles")).toAbsolutePath().normalize().getParent().resolve("itests/browser");
        return KarafRun.options(
                editConfigurationFilePut(KarafRun.STACK_CFG, "ws.port", Integer.toString(ws)),
                editConfigurationFilePut(KarafRun.STACK_CFG, "wss.port", Integer.toString(wss)),
                editConfigurationFilePut("etc/org.screamrouter.sip.config.cfg", "path", yaml.toString()),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "sinks", "kitchen:" + scream),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "input.address", "127.0.0.1"),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "test.tone", "off"),
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.screamrouter.name", "org.screamrouter"),
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.screamrouter.level", "INFO"),
                systemProperty("itest.sip.ws.port").value(Integer.toString(ws)),
                systemProperty("itest.sip.wss.port").value(Integer.toString(wss)),
                systemProperty("itest.scream.port").value(Integer.toString(scream)),
                systemProperty("itest.browser.dir").value(browser.toString()),
                systemProperty("itest.browser.work").value(dir.toString()));
    }

    private static String run(List<String> command, Duration within) throws IOException, InterruptedException {
        return VethNamespace.run(command, within);
    }

    /** The AudioBridge of one engine ({@code embedded} or {@code whep-relay}), called by reflection (no API import here). */
    private Object callBridge(String engine, String method, Object... args) throws Exception {
        ServiceReference<?>[] refs = context.getServiceReferences("org.screamrouter.sip.audio.AudioBridge", "(audio.engine=" + engine + ")");
        assertNotNull("an AudioBridge service with audio.engine=" + engine, refs);
        Object bridge = context.getService(refs[0]);
        try {
            Class<?>[] types = new Class<?>[args.length];
            java.util.Arrays.fill(types, String.class);
            return bridge.getClass().getMethod(method, types).invoke(bridge, args);
        } finally {
            context.ungetService(refs[0]);
        }
    }

    /** The listener ids the embedded engine has for a sink. */
    private List<String> listenerIds(String sink) throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (Object info : (List<?>) callBridge("embedded", "listeners", sink)) {
            ids.add(String.valueOf(info.getClass().getMethod("listenerId").invoke(info)));
        }
        return ids;
    }

    private int bridgeListeners(String sink) throws Exception {
        return listenerIds(sink).size();
    }

    private String bridgeSinks() throws Exception {
        return String.valueOf(callBridge("embedded", "sinks"));
    }

    private Path work() throws IOException {
        return Files.createTempDirectory(Path.of(System.getProperty("itest.browser.work")), "run");
    }

    /** JsSIP bundled for the page. */
    private static Path jssip(Path work) throws IOException, InterruptedException {
        Path browser = Path.of(System.getProperty("itest.browser.dir"));
        assertTrue("npm ci in " + browser + " (.ci/test.sh does it)", Files.isDirectory(browser.resolve("node_modules/jssip")));
        Path bundle = work.resolve("jssip.js");
        run(List.of(Tools.require("node", "nodejs"), browser.resolve("bundle.js").toString(), bundle.toString()), Duration.ofSeconds(60));
        assertTrue("JsSIP bundled", Files.size(bundle) > 100_000);
        return bundle;
    }

    /** Starts one of the browser scripts in {@code itests/browser} inside the namespace; its output goes to browser.log. */
    private static BrowserRun browser(VethNamespace ns, Path work, String script, String... args) throws IOException {
        return browser(ns, work, java.util.Map.of(), script, args);
    }

    private static BrowserRun browser(VethNamespace ns, Path work, java.util.Map<String, String> env, String script, String... args) throws IOException {
        Path browser = Path.of(System.getProperty("itest.browser.dir"));
        List<String> command = new java.util.ArrayList<>(List.of(Tools.require("node", "nodejs"), browser.resolve(script).toString()));
        command.addAll(List.of(args));
        command.addAll(List.of(Tools.require("chromium", "chromium"), Files.createDirectory(work.resolve("profile")).toString()));
        ProcessBuilder pb = new ProcessBuilder(ns.exec(command.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(work.resolve("browser.log").toFile());
        pb.environment().putAll(env);
        pb.directory(browser.toFile());
        return BrowserRun.start(pb, work);
    }

    /** The script's RESULT line, once it has printed one (or ended). */
    private static String result(Process process, Path work) throws Exception {
        Pattern p = Pattern.compile("RESULT (\\{.*})");
        String output = Await.until("the browser's RESULT line", Duration.ofSeconds(120),
                () -> Files.readString(work.resolve("browser.log")), o -> p.matcher(o).find() || !process.isAlive());
        System.out.println("browser output:\n" + output);
        Matcher m = p.matcher(output);
        assertTrue(output, m.find());
        return m.group(1);
    }

    private static void assertOpusWithEnergy(String result) {
        Matcher packets = Pattern.compile("\"packetsReceived\":(\\d+)").matcher(result);
        assertTrue(result, packets.find() && Long.parseLong(packets.group(1)) > 50);
        Matcher energy = Pattern.compile("\"totalAudioEnergy\":([0-9.eE+-]+)").matcher(result);
        assertTrue(result, energy.find() && Double.parseDouble(energy.group(1)) > 0);
    }

    /**
     * Calls kitchen from JsSIP in Chromium over ws:// and checks Opus with energy, the BYE, and no call left. The SIP
     * user is the test's own: with authentication off, a device name registered from one address is refused from
     * another (docs/security.md), and each test's browser has an address of its own.
     */
    private String callKitchen(VethNamespace ns, KarafShell shell, String user) throws Exception {
        return callKitchen(ns, shell, user, "ws://" + ns.serverIp() + ":" + Integer.getInteger("itest.sip.ws.port"), java.util.Map.of());
    }

    private String callKitchen(VethNamespace ns, KarafShell shell, String user, String url, java.util.Map<String, String> env) throws Exception {
        Path work = work();
        Path bundle = jssip(work);
        String serverIp = ns.serverIp();
        try (BrowserRun run = browser(ns, work, env, "call.js", url, serverIp, "kitchen", bundle.toString(), user)) {
            Process process = run.process();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                fail("the browser did not finish within 120 s:\n" + Files.readString(work.resolve("browser.log")));
            }
            String result = result(process, work);
            System.out.println("bridge sinks: " + bridgeSinks());
            assertTrue(result, result.contains("\"registered\":true"));
            assertTrue(result, result.contains("\"confirmed\":true"));
            assertTrue(result, result.contains("\"codec\":\"audio/opus\""));
            assertOpusWithEnergy(result);
            assertTrue(result, result.contains("\"ended\":true"));
            Await.until("no call left in sip:calls", Duration.ofSeconds(10), () -> shell.run("sip:calls"), t -> !t.contains("kitchen"));
            return result;
        }
    }

    /** Runs {@code test} with the server's SIP stack and HTTP server listening on the namespace's host-side address. */
    private void inNamespace(String name, ServerOnVeth.Body test) throws Exception {
        ServerOnVeth.run(sessionFactory, name, Integer.getInteger("itest.scream.port"), "/listen/index.html", test);
    }

    private static int httpStatus(String method, String url, String type, String body) {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (type != null) b.header("Content-Type", type);
        try {
            return java.net.http.HttpClient.newBuilder().proxy(java.net.http.HttpClient.Builder.NO_PROXY).connectTimeout(Duration.ofSeconds(2)).build()
                    .send(b.build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Test
    public void chromiumWithJsSipCallsASinkAndReceivesOpusWithEnergy() throws Exception {
        inNamespace("srcalls", (ns, shell) -> {
            callKitchen(ns, shell, "browser");
            assertEquals("listeners of kitchen after BYE", 0, (int) Await.until("no listener left", Duration.ofSeconds(10),
                    () -> bridgeListeners("kitchen"), n -> n == 0));
        });
    }

    /**
     * The same call over {@code wss://} from an {@code https://} page (a page on https may not open ws://), with the
     * server's generated self-signed certificate trusted the way a user would: by its public key on Chromium's command
     * line. The certificate names the addresses the machine had when it was made, not the veth's, so the pin (which
     * Chromium checks instead of the name) is what lets the handshake through.
     */
    @Test
    public void chromiumOnAnHttpsPageCallsASinkOverSecureWebSocket() throws Exception {
        java.security.cert.X509Certificate cert;
        try (java.io.InputStream in = Files.newInputStream(Path.of(System.getProperty("karaf.etc"), "sip-tls.crt"))) {
            cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String spki = java.util.Base64.getEncoder().encodeToString(
                java.security.MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
        inNamespace("srwss", (ns, shell) -> {
            // the wss listening point on the namespace's address ("wss" alone is also in the status's certificate line)
            Pattern wss = Pattern.compile("(?m)^\\s*wss\\s*\\|\\s*" + Pattern.quote(ns.serverIp()) + "\\s*\\|");
            Await.until("wss on " + ns.serverIp() + " in sip:status", Duration.ofSeconds(30), () -> shell.run("sip:status"), t -> wss.matcher(t).find());
            callKitchen(ns, shell, "secure-browser", "wss://" + ns.serverIp() + ":" + Integer.getInteger("itest.sip.wss.port"),
                    java.util.Map.of("SPKI_PIN", spki));
            assertEquals("listeners of kitchen after BYE", 0, (int) Await.until("no listener left", Duration.ofSeconds(10),
                    () -> bridgeListeners("kitchen"), n -> n == 0));
        });
    }

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    @Test
    public void chromiumListensToASinkOnTheWhepEndpointFromTheListenPage() throws Exception {
        inNamespace("srwhep", (ns, shell) -> {
            String base = "http://" + ns.serverIp() + ":" + Integer.getInteger("itest.http.port");
            // what a bad request gets, before any session exists
            assertEquals("unknown sink", 404, httpStatus("POST", base + "/api/whep/nosuch", "application/sdp", "v=0\r\n"));
            assertEquals("not SDP", 415, httpStatus("POST", base + "/api/whep/kitchen", "text/plain", "v=0\r\n"));
            assertEquals("an offer without audio", 400, httpStatus("POST", base + "/api/whep/kitchen", "application/sdp", "v=0\r\n"));
            assertEquals("heartbeat of no session", 404, httpStatus("POST", base + "/api/whep/kitchen/none", null, null));
            assertEquals("candidate for no session", 404, httpStatus("PATCH", base + "/api/whep/kitchen/none", "application/json",
                    "{\"candidate\":\"candidate:1 1 udp 1 198.18.0.2 9 typ host\",\"sdpMid\":\"0\"}"));
            assertEquals("too large", 413, httpStatus("POST", base + "/api/whep/kitchen", "application/sdp", "v=0\r\n" + "a=x\r\n".repeat(20000)));

            Path work = work();
            try (BrowserRun run = browser(ns, work, "listen.js", base + "/listen/index.html?sink=kitchen")) {
                Process process = run.process();
                String result = result(process, work);
                assertTrue(result, !result.contains("\"error\":\""));
                assertOpusWithEnergy(result);
                assertTrue(result, result.contains("\"state\":\"playing\""));
                Matcher listener = Pattern.compile("\"listener\":\"([^\"]+)\"").matcher(result);
                assertTrue(result, listener.find() && UUID.matcher(listener.group(1)).matches());
                assertEquals("the engine's listeners of kitchen: the page's session", List.of(listener.group(1)), listenerIds("kitchen"));
                process.getOutputStream().close(); // the page presses Stop: DELETE
                assertTrue("the browser script ends", process.waitFor(30, TimeUnit.SECONDS));
                Await.until("no listener after the DELETE", Duration.ofSeconds(10), () -> bridgeListeners("kitchen"), n -> n == 0);
            }
        });
    }

    @Test
    public void aJsSipCallIsCarriedByTheWhepRelayToAWhepEndpoint() throws Exception {
        inNamespace("srrelay", (ns, shell) -> {
            String base = "http://" + ns.serverIp() + ":" + Integer.getInteger("itest.http.port");
            // the relay stands in for ScreamRouter's engine: pointed at this server's own WHEP endpoint (ScreamRouter
            // itself cannot run here; our endpoint follows its routes, screamrouter/api/api_webrtc.py)
            shell.run("config:property-set -p org.screamrouter.sip.whep.relay url " + base);
            try {
                Await.until("the relay's AudioBridge", Duration.ofSeconds(30),
                        () -> context.getServiceReferences("org.screamrouter.sip.audio.AudioBridge", "(audio.engine=whep-relay)"), r -> r != null);
                java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
                java.util.concurrent.ScheduledExecutorService watch = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
                watch.scheduleWithFixedDelay(() -> {
                    try {
                        seen.addAll(listenerIds("kitchen"));
                    } catch (Exception e) {
                        // the assertion below tells
                    }
                }, 0, 100, TimeUnit.MILLISECONDS);
                try {
                    callKitchen(ns, shell, "relayed-browser");
                } finally {
                    watch.shutdownNow();
                }
                assertTrue("the embedded engine served the call through a WHEP session (a UUID listener), saw " + seen,
                        !seen.isEmpty() && seen.stream().allMatch(id -> UUID.matcher(id).matches()));
                Await.until("the relay's DELETE ended the WHEP session", Duration.ofSeconds(10), () -> bridgeListeners("kitchen"), n -> n == 0);
                assertEquals("the relay has no listener left", List.of(), callBridge("whep-relay", "listeners"));
            } finally {
                shell.run("config:delete org.screamrouter.sip.whep.relay");
                Await.until("the relay gone", Duration.ofSeconds(30),
                        () -> context.getServiceReferences("org.screamrouter.sip.audio.AudioBridge", "(audio.engine=whep-relay)"), r -> r == null);
            }
        });
    }
}
