package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.Ports;
import org.screamrouter.sip.itests.SipResponse;
import org.screamrouter.sip.itests.support.BrowserRun;
import org.screamrouter.sip.itests.support.CallPeer;
import org.screamrouter.sip.itests.support.DeviceAgent;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.PinnedHttps;
import org.screamrouter.sip.itests.support.Register;
import org.screamrouter.sip.itests.support.ServerOnVeth;
import org.screamrouter.sip.itests.support.Tools;

/**
 * Issue 17 in a browser: headless Chromium (playwright-core, {@code itests/browser/console.js}) logs in to the
 * distribution's web console, a device registered over real UDP appears in the live devices table within 1 s of its
 * REGISTER, its laid-out page shows, and it shows offline within 1 s of its unregistration; a real call to a sink is
 * hung up with its button in the Calls view (the caller gets the BYE); the Status view is laid out. In a second test
 * the console plays a sink itself ({@code itests/browser/console-listen.js}: the Listen view's Play, the whep bundle's
 * WHEP client) and reads a level above zero from a tone fed into the sink, then stops. A screenshot of each view goes
 * to {@code itests/target/web-console-browser-it/}. Needs {@code chromium} and {@code node} with
 * {@code itests/browser/node_modules} ({@code npm ci}); the first test runs on loopback, the second (WebRTC) needs root
 * for its network namespace.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WebConsoleBrowserIT {
    private static final String USER = "browseradmin";
    private static final String PASSWORD = "console-browser-" + "pw";
    private static final String SECRET = "browser-it-" + "hidden";

    @Inject
    private SessionFactory sessionFactory;

    @Configuration
    public Option[] config() throws Exception {
        Path dir = Path.of(System.getProperty("itest.target"), "web-console-browser-it");
        Files.createDirectories(dir);
        Path browser = Path.of(System.getProperty("itest.bundles")).toAbsolutePath().normalize().getParent().resolve("itests/browser");
        Path yaml = dir.resolve("config.yaml");
        Files.writeString(yaml, "sinks:\n- name: kitchen\n  ip: 127.0.0.1\n  port: 4010\n  enabled: true\nsources: []\n", StandardCharsets.UTF_8);
        int scream = Ports.free();
        return KarafRun.options(
                KarafRun.httpsOn(),
                editConfigurationFilePut("etc/users.properties", USER, PASSWORD + ",admin"),
                // a secret the Status page's configuration part must mask (unused: no client certificates are asked for)
                editConfigurationFilePut(KarafRun.STACK_CFG, "tls.truststore.password", SECRET),
                // kitchen: a sink the calls reach (config.yaml) and the embedded engine plays; its audio is the test's
                // tone only (no test tone of the engine)
                editConfigurationFilePut("etc/org.screamrouter.sip.config.cfg", "path", yaml.toString()),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "sinks", "kitchen:" + scream),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "input.address", "127.0.0.1"),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "test.tone", "off"),
                systemProperty("itest.scream.port").value(Integer.toString(scream)),
                systemProperty("itest.browser.dir").value(browser.toString()),
                systemProperty("itest.browser.work").value(dir.toString()));
    }

    @Test
    public void chromiumSeesADeviceComeAndGoLiveAndHangsUpACall() throws Exception {
        // the server as users run it, HTTPS on: past the restart of Jetty that turning it on makes
        PinnedHttps.awaitServing(Path.of(System.getProperty("karaf.etc")), Integer.getInteger("itest.https.port"), Duration.ofSeconds(90));
        Path browser = Path.of(System.getProperty("itest.browser.dir"));
        assertTrue("npm ci in " + browser, Files.isDirectory(browser.resolve("node_modules/playwright-core")));
        Path shots = Path.of(System.getProperty("itest.browser.work"));
        Path work = Files.createTempDirectory(shots, "run");
        Path log = work.resolve("browser.log");
        String url = "http://127.0.0.1:" + Integer.getInteger("itest.http.port") + "/console/";
        Await.until("the console page", Duration.ofSeconds(60), () -> status(url), s -> s == 200);
        int port = KarafRun.sipPort();
        String uuid = UUID.randomUUID().toString();

        List<String> command = new ArrayList<>(List.of(Tools.require("node", "nodejs"), browser.resolve("console.js").toString(),
                url, USER, PASSWORD, uuid, shots.toString(), Tools.require("chromium", "chromium"),
                Files.createDirectory(work.resolve("profile")).toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).directory(browser.toFile());
        try (BrowserRun run = BrowserRun.start(pb, work); DeviceAgent device = new DeviceAgent()) {
            Process process = run.process();
            Await.until("the registrar answers", Duration.ofSeconds(60), () -> device.exchange(new Register("probe-" + uuid.substring(0, 8),
                    port, device.port()).expires(60).toString(), port, Duration.ofMillis(500)), r -> r != null && r.status() == 200);
            long ready = line(process, log, "READY");
            assertTrue(ready > 0);

            long registered = System.currentTimeMillis();
            SipResponse ok = device.exchange(new Register(uuid, port, device.port()).expires(600).sdp(Register.sinkSdp(uuid, 40050)).toString(),
                    port, Duration.ofSeconds(3));
            assertEquals(String.valueOf(ok), 200, ok == null ? 0 : ok.status());
            long seen = line(process, log, "SEEN");
            System.out.println("the device's row appeared " + (seen - registered) + " ms after its REGISTER");
            assertTrue("the row appeared " + (seen - registered) + " ms after the REGISTER", seen - registered <= 1000);

            line(process, log, "SHOT"); // the device's page saved while it is online
            long unregistered = System.currentTimeMillis();
            SipResponse bye = device.exchange(new Register(uuid, port, device.port()).expires(0).toString(), port, Duration.ofSeconds(3));
            assertEquals(String.valueOf(bye), 200, bye == null ? 0 : bye.status());
            long offline = line(process, log, "OFFLINE");
            System.out.println("the row showed offline " + (offline - unregistered) + " ms after the unregistration");
            assertTrue("offline " + (offline - unregistered) + " ms after the unregistration", offline - unregistered <= 1000);

            // a plain RTP call to kitchen, hung up from the Calls view
            line(process, log, "CALLS");
            try (CallPeer peer = CallPeer.udp(port); DatagramSocket media = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                CallPeer.Dialog call = Await.until("an answered call to kitchen", Duration.ofSeconds(60),
                        () -> peer.call("kitchen", CallPeer.rtpOffer(media.getLocalPort(), "0", "0 PCMU/8000"), Duration.ofSeconds(10)), d -> d != null);
                long called = System.currentTimeMillis();
                try (Writer stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
                    stdin.write(call.callId + "\n");
                }
                long hungUp = line(process, log, "HUNGUP");
                System.out.println("listed and hung up through the page " + (hungUp - called) + " ms after the call was answered");
                assertNotNull("the caller got the BYE", peer.request(call.callId, "BYE", Duration.ofSeconds(5)));
            }

            String r = result(process, log, Duration.ofSeconds(60));
            assertTrue(r, !r.contains("\"error\"") && r.contains("\"hungUp\":true") && r.contains("\"loggedOut\":true"));
            // the device's page, laid out (its name, the format of its SDP, its RTP port, its binding)
            assertTrue(r, r.contains("\"deviceTitle\":\"sink_" + uuid.substring(0, 8) + " (" + uuid + ")\""));
            assertTrue(r, r.contains("Capabilities") && r.contains("40050") && r.contains("Bindings") && r.contains("screamrouter-sip-itests"));
            // the status page, laid out; the configuration part lists the PIDs with the command that changes them, secrets
            // masked (the stack's and Felix HTTP's HTTPS passwords)
            assertTrue(r, r.contains("SIP stack") && r.contains("udp127.0.0.1" + port) && r.contains("TLS certificate") && r.contains("Stores"));
            assertTrue(r, r.contains("config:property-set -p org.screamrouter.sip.web ") && r.contains("config:property-set -p org.apache.felix.http ")
                    && r.contains("tls.truststore.password") && r.contains("org.apache.felix.https.keystore.password") && r.contains("********"));
            assertFalse("the secret is masked: " + r, r.contains(SECRET) || r.contains("passwordscreamrouter-sip"));
            for (String view : List.of("login", "devices", "device", "calls", "subscriptions", "status")) {
                Path png = shots.resolve("console-" + view + ".png");
                assertTrue(png + " saved", Files.isRegularFile(png) && Files.size(png) > 1000);
            }
        }
    }

    /**
     * The console plays a sink itself: in the Listen view, Play on kitchen (fed a 440 Hz tone) gets Opus with energy
     * and a level above zero from the page's WHEP client within 30 s, the engine counts the listener, Stop ends it. The
     * browser runs in a network namespace (libwebrtc ignores loopback), the server re-bound to its host side.
     */
    @Test
    public void chromiumPlaysASinkInTheConsoleAndReadsItsLevel() throws Exception {
        Path browser = Path.of(System.getProperty("itest.browser.dir"));
        assertTrue("npm ci in " + browser, Files.isDirectory(browser.resolve("node_modules/playwright-core")));
        Path shots = Path.of(System.getProperty("itest.browser.work"));
        PinnedHttps.awaitServing(Path.of(System.getProperty("karaf.etc")), Integer.getInteger("itest.https.port"), Duration.ofSeconds(90));
        X509Certificate cert = PinnedHttps.pem(Path.of(System.getProperty("karaf.etc"), "sip-tls.crt"));
        ServerOnVeth.run(sessionFactory, "srconsole", Integer.getInteger("itest.scream.port"), "/console/", (ns, shell) -> {
            // from another address than loopback: the console over HTTPS (the stack's certificate), and no login over HTTP
            String https = "https://" + ns.serverIp() + ":" + Integer.getInteger("itest.https.port");
            Await.until("HTTPS on " + ns.serverIp(), Duration.ofSeconds(30), () -> PinnedHttps.served(ns.serverIp(),
                    Integer.getInteger("itest.https.port")), f -> f != null);
            Await.until("the WHEP client script on " + ns.serverIp(), Duration.ofSeconds(30),
                    () -> ServerOnVeth.get(ServerOnVeth.baseUrl(ns) + "/listen/whep-client.js"), c -> c == 200);
            String body = "{\"user\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\"}";
            HttpResponse<String> plain = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build().send(HttpRequest.newBuilder(
                    URI.create(ServerOnVeth.baseUrl(ns) + "/api/login")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(plain.body(), 403, plain.statusCode());
            assertTrue(plain.body(), plain.body().contains("log in over HTTPS") && plain.body().contains("plain HTTP from " + ns.serverIp()));
            Path work = Files.createTempDirectory(shots, "listen");
            Path log = work.resolve("browser.log");
            // Chromium trusts the server's key by its pin (the certificate does not name the namespace's address)
            ProcessBuilder pb = new ProcessBuilder(ns.exec(Tools.require("node", "nodejs"), browser.resolve("console-listen.js").toString(),
                    https + "/console/", USER, PASSWORD, "kitchen", shots.toString(), Tools.require("chromium", "chromium"),
                    Files.createDirectory(work.resolve("profile")).toString(), PinnedHttps.spkiPin(cert)))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).directory(browser.toFile());
            try (BrowserRun run = BrowserRun.start(pb, work)) {
                Process process = run.process();
                String r = result(process, log, Duration.ofSeconds(120));
                assertTrue(r, !r.contains("\"error\":\"") && r.contains("\"available\":true") && r.contains("\"sink\":\"kitchen\""));
                assertTrue(r, r.contains("\"state\":\"playing\"") && r.contains("\"button\":\"Stop\"") && r.contains(" dBFS\""));
                Matcher packets = Pattern.compile("\"packetsReceived\":(\\d+)").matcher(r);
                assertTrue(r, packets.find() && Long.parseLong(packets.group(1)) > 50);
                Matcher energy = Pattern.compile("\"totalAudioEnergy\":([0-9.eE+-]+)").matcher(r);
                assertTrue(r, energy.find() && Double.parseDouble(energy.group(1)) > 0);
                Matcher level = Pattern.compile("\"audioLevel\":([0-9.eE+-]+)").matcher(r);
                assertTrue(r, level.find() && Double.parseDouble(level.group(1)) > 0);
                assertTrue(r, r.contains("\"listenersWhilePlaying\":1") && r.contains("\"stopped\":true")
                        && r.contains("\"buttonAfterStop\":\"Play\"") && r.contains("\"listenersAfterStop\":0"));
                assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            }
        });
        Path png = shots.resolve("console-listen.png");
        assertTrue(png + " saved", Files.isRegularFile(png) && Files.size(png) > 1000);
    }

    /** The JSON of the script's "RESULT {...}" line, waiting for it while the browser runs; its whole output is printed. */
    private static String result(Process process, Path log, Duration within) throws Exception {
        String output = Await.until("the browser's RESULT line", within, () -> Files.readString(log),
                o -> o.contains("RESULT ") || !process.isAlive());
        System.out.println("browser output:\n" + output);
        Matcher result = Pattern.compile("RESULT (\\{.*})").matcher(output);
        assertTrue(output, result.find());
        return result.group(1);
    }

    /** The epoch milliseconds of the script's "{@code word} <ms>" line, waiting for it while the browser runs. */
    private static long line(Process process, Path log, String word) throws Exception {
        Pattern p = Pattern.compile("(?m)^" + word + " (\\d+)$");
        String output = Await.until(word + " from the browser", Duration.ofSeconds(60), () -> Files.readString(log),
                o -> p.matcher(o).find() || !process.isAlive());
        Matcher m = p.matcher(output);
        assertTrue("no " + word + " line:\n" + output, m.find());
        return Long.parseLong(m.group(1));
    }

    private static int status(String url) {
        try {
            return java.net.http.HttpClient.newBuilder().proxy(java.net.http.HttpClient.Builder.NO_PROXY).build().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
