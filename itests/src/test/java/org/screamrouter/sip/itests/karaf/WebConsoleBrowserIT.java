package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.screamrouter.sip.itests.support.DeviceAgent;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.Register;
import org.screamrouter.sip.itests.support.Tools;

/**
 * Issue 17 in a browser: headless Chromium (playwright-core, {@code itests/browser/console.js}) logs in to the
 * distribution's web console, a device registered over real UDP appears in the live devices table within 1 s of its
 * REGISTER and shows offline within 1 s of its unregistration; a screenshot of each view goes to
 * {@code itests/target/web-console-browser-it/}. Needs {@code chromium} and {@code node} with
 * {@code itests/browser/node_modules} ({@code npm ci}); loopback only, no namespace.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WebConsoleBrowserIT {
    private static final String USER = "browseradmin";
    private static final String PASSWORD = "console-browser-" + "pw";

    @Configuration
    public Option[] config() throws Exception {
        Path dir = Path.of(System.getProperty("itest.target"), "web-console-browser-it");
        Files.createDirectories(dir);
        Path browser = Path.of(System.getProperty("itest.bundles")).toAbsolutePath().normalize().getParent().resolve("itests/browser");
        return KarafRun.options(
                editConfigurationFilePut("etc/users.properties", USER, PASSWORD + ",admin"),
                // a sink of the embedded engine for the Listen view
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "sinks", "kitchen:" + Ports.free()),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "input.address", "127.0.0.1"),
                systemProperty("itest.browser.dir").value(browser.toString()),
                systemProperty("itest.browser.work").value(dir.toString()));
    }

    @Test
    public void chromiumSeesADeviceComeAndGoLive() throws Exception {
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
        pb.environment().put("HOME", work.toString());
        Process process = pb.start();
        try (DeviceAgent device = new DeviceAgent()) {
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

            String output = Await.until("the browser's RESULT line", Duration.ofSeconds(60), () -> Files.readString(log),
                    o -> o.contains("RESULT ") || !process.isAlive());
            System.out.println("browser output:\n" + output);
            Matcher result = Pattern.compile("RESULT (\\{.*})").matcher(output);
            assertTrue(output, result.find());
            assertTrue(result.group(1), !result.group(1).contains("\"error\"") && result.group(1).contains("\"loggedOut\":true"));
            assertTrue(result.group(1), result.group(1).contains("listeningPoints"));
            for (String view : List.of("login", "devices", "device", "calls", "subscriptions", "listen", "status")) {
                Path png = shots.resolve("console-" + view + ".png");
                assertTrue(png + " saved", Files.isRegularFile(png) && Files.size(png) > 1000);
            }
        } finally {
            process.destroyForcibly();
        }
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
