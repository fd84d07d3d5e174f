package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;
import org.screamrouter.sip.itests.support.Tools;

/**
 * A browser calls a sink: headless Chromium in a network namespace this test creates (a veth pair, 198.18.k.1 on the
 * host side where the server listens, 198.18.k.2 inside; libwebrtc ignores loopback), JsSIP bundled locally with
 * esbuild, over {@code ws://} to the server. It registers, calls {@code kitchen}, applies the answer, ICE and DTLS
 * connect, and with a 440 Hz tone sent into the sink's Scream port the browser's {@code getStats()} shows Opus
 * packets received and a non-zero {@code totalAudioEnergy}. After its BYE the audio bridge has no listener left.
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
        Path browser = Path.of(System.getProperty("itest.bundles")).toAbsolutePath().normalize().getParent().resolve("itests/browser");
        return KarafRun.options(
                editConfigurationFilePut(KarafRun.STACK_CFG, "ws.port", Integer.toString(ws)),
                editConfigurationFilePut("etc/org.screamrouter.sip.config.cfg", "path", yaml.toString()),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "sinks", "kitchen:" + scream),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "input.address", "127.0.0.1"),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "test.tone", "off"),
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.screamrouter.name", "org.screamrouter"),
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.screamrouter.level", "INFO"),
                systemProperty("itest.sip.ws.port").value(Integer.toString(ws)),
                systemProperty("itest.scream.port").value(Integer.toString(scream)),
                systemProperty("itest.browser.dir").value(browser.toString()),
                systemProperty("itest.browser.work").value(dir.toString()));
    }

    private static String run(List<String> command, Duration within) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new AssertionError(command + " exited " + p.exitValue() + ": " + out);
        return out;
    }

    private static void sh(String... command) throws IOException, InterruptedException {
        run(List.of(command), Duration.ofSeconds(20));
    }

    /** Scream packets (5-byte header: 48 kHz x1, 16 bit, 2 channels, stereo mask; 1152 bytes of PCM) every 6 ms. */
    private static ScheduledExecutorService injectTone(int port) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        ScheduledExecutorService tone = Executors.newSingleThreadScheduledExecutor();
        long[] sample = {0};
        tone.scheduleAtFixedRate(() -> {
            byte[] packet = new byte[5 + 1152];
            packet[0] = 1;
            packet[1] = 16;
            packet[2] = 2;
            packet[3] = 3;
            packet[4] = 0;
            for (int i = 0; i < 288; i++, sample[0]++) {
                short v = (short) (Math.sin(2 * Math.PI * 440 * sample[0] / 48000.0) * 12000);
                for (int ch = 0; ch < 2; ch++) {
                    packet[5 + i * 4 + ch * 2] = (byte) v;
                    packet[5 + i * 4 + ch * 2 + 1] = (byte) (v >> 8);
                }
            }
            try {
                socket.send(new DatagramPacket(packet, packet.length, target));
            } catch (IOException e) {
                // the assertions on the browser's side tell
            }
        }, 0, 6, TimeUnit.MILLISECONDS);
        return tone;
    }

    private int bridgeListeners(String sink) throws Exception {
        ServiceReference<?> ref = context.getServiceReference("org.screamrouter.sip.audio.AudioBridge");
        assertNotNull("an AudioBridge service", ref);
        Object bridge = context.getService(ref);
        try {
            return ((List<?>) bridge.getClass().getMethod("listeners", String.class).invoke(bridge, sink)).size();
        } finally {
            context.ungetService(ref);
        }
    }

    private String bridgeSinks() throws Exception {
        ServiceReference<?> ref = context.getServiceReference("org.screamrouter.sip.audio.AudioBridge");
        Object bridge = context.getService(ref);
        try {
            return String.valueOf(bridge.getClass().getMethod("sinks").invoke(bridge));
        } finally {
            context.ungetService(ref);
        }
    }

    @Test
    public void chromiumWithJsSipCallsASinkAndReceivesOpusWithEnergy() throws Exception {
        String chromium = Tools.require("chromium", "chromium");
        String node = Tools.require("node", "nodejs");
        String ip = Tools.require("ip", "iproute2");
        Path browser = Path.of(System.getProperty("itest.browser.dir"));
        assertTrue("npm ci in " + browser + " (.ci/test.sh does it)", Files.isDirectory(browser.resolve("node_modules/jssip")));
        Path work = Files.createTempDirectory(Path.of(System.getProperty("itest.browser.work")), "run");
        Path bundle = work.resolve("jssip.js");
        run(List.of(node, browser.resolve("bundle.js").toString(), bundle.toString()), Duration.ofSeconds(60));
        assertTrue("JsSIP bundled", Files.size(bundle) > 100_000);

        int k = 100 + new Random().nextInt(150);
        String id = Integer.toHexString(new Random().nextInt(0xffff));
        String ns = "srcalls-" + id;
        String host = "vch" + id;
        String peer = "vcn" + id;
        String serverIp = "198.18." + k + ".1";
        KarafShell shell = new KarafShell(sessionFactory);
        ScheduledExecutorService tone = null;
        try {
            sh(ip, "netns", "add", ns);
            sh(ip, "link", "add", host, "type", "veth", "peer", "name", peer);
            sh(ip, "link", "set", peer, "netns", ns);
            sh(ip, "addr", "add", serverIp + "/30", "dev", host);
            sh(ip, "link", "set", host, "up");
            sh(ip, "netns", "exec", ns, ip, "addr", "add", "198.18." + k + ".2/30", "dev", peer);
            sh(ip, "netns", "exec", ns, ip, "link", "set", peer, "up");
            sh(ip, "netns", "exec", ns, ip, "link", "set", "lo", "up");
            // the server listens on the veth's address for this test (re-bound live)
            shell.run("config:property-set -p org.screamrouter.sip.stack bind.address " + serverIp);
            Await.until("the stack on " + serverIp, Duration.ofSeconds(30), () -> shell.run("sip:status"), s -> s.contains(serverIp));
            tone = injectTone(Integer.getInteger("itest.scream.port"));

            String ws = "ws://" + serverIp + ":" + Integer.getInteger("itest.sip.ws.port");
            Path profile = Files.createDirectory(work.resolve("profile"));
            ProcessBuilder pb = new ProcessBuilder(ip, "netns", "exec", ns, node, browser.resolve("call.js").toString(), ws, serverIp,
                    "kitchen", bundle.toString(), chromium, profile.toString()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("browser.log").toFile());
            pb.environment().put("HOME", work.toString());
            pb.directory(browser.toFile());
            Process process = pb.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("the browser did not finish within 120 s:\n" + Files.readString(work.resolve("browser.log")));
            }
            String output = Files.readString(work.resolve("browser.log"));
            System.out.println("browser output:\n" + output);
            System.out.println("bridge sinks: " + bridgeSinks());
            Matcher m = Pattern.compile("RESULT (\\{.*})").matcher(output);
            assertTrue(output, m.find());
            String result = m.group(1);
            assertTrue(result, result.contains("\"registered\":true"));
            assertTrue(result, result.contains("\"confirmed\":true"));
            assertTrue(result, result.contains("\"codec\":\"audio/opus\""));
            Matcher packets = Pattern.compile("\"packetsReceived\":(\\d+)").matcher(result);
            assertTrue(result, packets.find() && Long.parseLong(packets.group(1)) > 50);
            Matcher energy = Pattern.compile("\"totalAudioEnergy\":([0-9.eE+-]+)").matcher(result);
            assertTrue(result, energy.find() && Double.parseDouble(energy.group(1)) > 0);
            assertTrue(result, result.contains("\"ended\":true"));
            Await.until("no call left in sip:calls", Duration.ofSeconds(10), () -> shell.run("sip:calls"), t -> !t.contains("kitchen"));
            assertEquals("listeners of kitchen after BYE", 0, (int) Await.until("no listener left", Duration.ofSeconds(10),
                    () -> bridgeListeners("kitchen"), n -> n == 0));
        } finally {
            if (tone != null) tone.shutdownNow();
            shell.run("config:property-set -p org.screamrouter.sip.stack bind.address 127.0.0.1");
            try {
                for (String p : run(List.of(ip, "netns", "pids", ns), Duration.ofSeconds(10)).split("\\s+")) {
                    if (!p.isBlank()) run(List.of("kill", "-KILL", p.trim()), Duration.ofSeconds(10));
                }
            } catch (AssertionError | IOException ignored) {
                // no namespace, or no processes left in it
            }
            try {
                sh(ip, "link", "del", host);
            } catch (AssertionError ignored) {
                // gone with the namespace
            }
            sh(ip, "netns", "del", ns);
        }
    }
}
