package org.screamrouter.sip.itests.peers;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Issue 5's "Done when": the built Karaf distribution, started inside a network namespace that the test creates, with
 * its mDNS bound to that namespace's veth, is found by Avahi's {@code avahi-browse} at the other end of the veth with
 * the live SIP port and the router UUID, follows a live port change, and is withdrawn when Karaf stops.
 *
 * <p>The topology, the Avahi peer and the checks are {@code itests/peers/mdns-avahi.sh}; the server side is
 * {@code itests/peers/mdns-karaf-server.sh} (unpack the tarball, point the mDNS {@code interfaces} and the stack's
 * {@code bind.address} at the veth, unusual ports, {@code bin/karaf server}); the port change rewrites
 * {@code etc/org.screamrouter.sip.stack.cfg} and Karaf's fileinstall applies it. Nothing is announced outside the two
 * namespaces, which the script removes on exit; the teardown here removes whatever a killed run left behind.
 *
 * <p>Needs root ({@code ip netns}, {@code unshare}); CI runs as root. The script installs Avahi when it is missing.
 */
public class AvahiFindsDistributionIT {
    private static final Duration RUN_LIMIT = Duration.ofMinutes(6);
    /** From the stack bound on its new port to avahi resolving it: the goal is 1 s (docs/performance.md). */
    private static final Duration PORT_CHANGE_BOUND = Duration.ofSeconds(2);
    /**
     * From the stack bound to avahi resolving the router: the goal is 1 s, RFC 6762's probing takes 0.75 to 1 s of it;
     * the margin is for a slow CI machine's first boot.
     */
    private static final Duration FIRST_ANNOUNCEMENT_BOUND = Duration.ofMillis(2500);
    private static final Pattern KARAF_LOG_TIME = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT(\\d\\d:\\d\\d:\\d\\d),(\\d{3}) ");

    private Path karafDir;
    private Process script;

    @Before
    public void requireRoot() throws IOException {
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (!Integer.valueOf(0).equals(uid)) {
            fail("AvahiFindsDistributionIT needs root (uid " + uid + "): it creates network namespaces (ip netns), "
                    + "mounts a private /run for dbus + avahi (unshare -m) and may apt-get install avahi-daemon avahi-utils "
                    + "dbus. Run the itests as root (CI does), or run itests/peers/mdns-avahi.sh by hand as root.");
        }
    }

    @Test
    public void avahiResolvesTheDistributionOnTheVethAndFollowsALivePortChange() throws Exception {
        File distribution = new File(System.getProperty("itest.distribution"));
        assertTrue(distribution + " is missing: build the reactor first (mvn -o install -DskipTests)", distribution.isFile());
        String peersDir = System.getProperty("itest.peers");
        assertTrue("system property itest.peers is not set: run this through the failsafe execution 'peers' "
                + "(mvn -f itests/pom.xml verify)", peersDir != null);
        Path peers = Path.of(peersDir);
        Path avahiScript = peers.resolve("mdns-avahi.sh");
        Path serverScript = peers.resolve("mdns-karaf-server.sh");
        Path target = Path.of(System.getProperty("itest.target"));
        Files.createDirectories(target);
        karafDir = Files.createTempDirectory(target, "avahi-karaf-");

        // unusual ports, all inside the server's namespace (which has nothing else listening)
        int udp = ThreadLocalRandom.current().nextInt(20000, 29000) & ~1;
        int udpAfter = udp + 2;
        ProcessBuilder pb = new ProcessBuilder("bash", avahiScript.toString()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("SERVER_CMD", quote(serverScript) + " start");
        env.put("CHANGE_CMD", quote(serverScript) + " set-udp-port \"$EXPECT_PORT_AFTER\"");
        env.put("KARAF_DIR", karafDir.resolve("karaf").toString());
        env.put("DISTRIBUTION", distribution.getAbsolutePath());
        env.put("EXPECT_PORT", Integer.toString(udp));
        env.put("EXPECT_PORT_AFTER", Integer.toString(udpAfter));
        env.put("TCP_PORT", Integer.toString(udp + 1));
        env.put("WS_PORT", Integer.toString(udp + 500));
        env.put("EXPECT_ROUTER_UUID_FILE", karafDir.resolve("karaf/data/router-uuid").toString());
        // Karaf boots from a clean data folder (features resolved and installed), then the responder probes and announces
        env.put("DISCOVERY_TIMEOUT", "150");
        env.put("CHECK_GOODBYE", "1");
        // the script's scratch directory goes in our folder too, so the teardown removes it even after a kill
        env.put("TMPDIR", karafDir.toString());

        long started = System.nanoTime();
        script = pb.start();
        long pid = script.pid();
        List<String> output = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(script.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    System.out.println(line);
                    synchronized (output) {
                        output.add(line);
                    }
                }
            } catch (IOException e) {
                System.out.println("AvahiFindsDistributionIT: reading the script's output: " + e);
            }
        }, "mdns-avahi-output");
        reader.start();
        if (!script.waitFor(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            stopScript();
            fail("mdns-avahi.sh did not finish within " + RUN_LIMIT + "\n" + karafLogTail());
        }
        reader.join(10_000);
        int exit = script.exitValue();
        double total = (System.nanoTime() - started) / 1e9;
        List<String> lines;
        synchronized (output) {
            lines = List.copyOf(output);
        }
        assertEquals("mdns-avahi.sh exit code (0 = Avahi resolved port " + udp + " and the router UUID, followed the change to "
                + udpAfter + " and saw the goodbye); its output is above\n" + karafLogTail(), 0, exit);

        String first = find(lines, "resolved by avahi after ([0-9.]+)s");
        String change = find(lines, "new port resolved by avahi after ([0-9.]+)s");
        String goodbye = find(lines, "withdrawal seen by avahi ([0-9.]+)s after SIGTERM");
        assertTrue("no first discovery in the output", first != null);
        assertTrue("no port change in the output", change != null);
        assertTrue("no withdrawal in the output", goodbye != null);
        // issue 15's figures: from the stack's "listening on" line in karaf.log to the arrival of avahi-browse's line
        Duration firstSinceBound = sinceBound(lines, "resolved by avahi after", udp);
        Duration changeSinceBound = sinceBound(lines, "new port resolved by avahi after", udpAfter);
        System.out.printf("AvahiFindsDistributionIT: Karaf distribution found by avahi-browse %ss after it was started "
                        + "(unpack + boot + mDNS; %s after the stack was bound), port change %d -> %d seen %ss after the "
                        + "cfg was rewritten (%s after the stack was bound on the new port), goodbye seen %ss after SIGTERM; "
                        + "whole run %.1f s%n",
                first, seconds(firstSinceBound), udp, udpAfter, change, seconds(changeSinceBound), goodbye, total);

        assertNothingLeftBehind(pid);
        assertTrue("no 'listening on' line for port " + udp + " in karaf.log", firstSinceBound != null);
        assertTrue("avahi resolved the router " + seconds(firstSinceBound) + " after the stack was bound (bound: "
                + FIRST_ANNOUNCEMENT_BOUND.toMillis() + " ms)", firstSinceBound.compareTo(FIRST_ANNOUNCEMENT_BOUND) <= 0);
        // issue 15: the port change is announced in place, at once; 2 s leaves room for a slow CI machine
        assertTrue("no 'listening on' line for port " + udpAfter + " in karaf.log", changeSinceBound != null);
        assertTrue("avahi resolved the new port " + seconds(changeSinceBound) + " after the stack was bound on it (bound: "
                + PORT_CHANGE_BOUND.toSeconds() + " s)", changeSinceBound.compareTo(PORT_CHANGE_BOUND) <= 0);
    }

    @After
    public void leaveNothingBehind() throws Exception {
        long pid = -1;
        if (script != null) {
            pid = script.pid();
            stopScript();
        }
        if (pid > 0) {
            // a killed script could not run its trap: remove what it created (its names carry its PID)
            for (String ns : List.of("srsip-mdns-srv-" + pid, "srsip-mdns-peer-" + pid)) {
                if (!namespaces().contains(ns)) continue;
                for (String p : run("ip", "netns", "pids", ns).split("\\s+")) {
                    if (!p.isBlank()) run("kill", "-KILL", p.trim());
                }
                run("ip", "netns", "del", ns);
            }
        }
        if (karafDir != null) {
            for (ProcessHandle h : karafProcesses()) {
                h.destroyForcibly();
                h.onExit().get(10, TimeUnit.SECONDS);
            }
            try (Stream<Path> walk = Files.walk(karafDir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** SIGTERM lets the script's trap stop Karaf and Avahi and delete the namespaces; KILL only if that hangs. */
    private void stopScript() throws InterruptedException {
        if (!script.isAlive()) return;
        script.destroy();
        if (!script.waitFor(40, TimeUnit.SECONDS)) {
            script.destroyForcibly();
            script.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void assertNothingLeftBehind(long pid) throws Exception {
        List<String> left = new ArrayList<>();
        for (String ns : namespaces()) {
            if (ns.equals("srsip-mdns-srv-" + pid) || ns.equals("srsip-mdns-peer-" + pid)) left.add("netns " + ns);
        }
        for (ProcessHandle h : karafProcesses()) left.add("Karaf process " + h.pid());
        assertTrue("mdns-avahi.sh left behind: " + left, left.isEmpty());
    }

    private static List<String> namespaces() throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        for (String line : run("ip", "netns", "list").split("\n")) {
            if (!line.isBlank()) out.add(line.trim().split("\\s+")[0]);
        }
        return out;
    }

    /** Processes started from our unpacked distribution (their command line names its folder). */
    private List<ProcessHandle> karafProcesses() {
        String dir = karafDir.toString();
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(dir)).orElse(false))
                .toList();
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
        return out;
    }

    private static String quote(Path path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }

    private static String find(List<String> lines, String regex) {
        Pattern p = Pattern.compile(regex);
        for (String line : lines) {
            Matcher m = p.matcher(line);
            if (m.find()) return m.group(1);
        }
        return null;
    }

    /**
     * From the stack's "SIP stack ... listening on [...]" line in karaf.log that first names the UDP port to the arrival
     * time of avahi-browse's line, which mdns-avahi.sh prints as "{@code <what> ...s (at HH:MM:SS.mmm)}". Both clocks
     * are this machine's local time. Null when either line is missing.
     */
    private Duration sinceBound(List<String> lines, String what, int port) throws IOException {
        LocalTime resolved = null;
        Pattern at = Pattern.compile(Pattern.quote(what) + " [0-9.]+s \\(at (\\d\\d:\\d\\d:\\d\\d\\.\\d{3})\\)");
        for (String line : lines) {
            Matcher m = at.matcher(line);
            if (m.find()) {
                resolved = LocalTime.parse(m.group(1));
                break;
            }
        }
        Path log = karafDir.resolve("karaf/data/log/karaf.log");
        if (resolved == null || !Files.isRegularFile(log)) return null;
        Pattern udpPoint = Pattern.compile("ListeningPoint\\[transport=udp, address=[^,\\]]*, port=" + port + "\\]");
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = KARAF_LOG_TIME.matcher(line);
            if (line.contains(" listening on ") && udpPoint.matcher(line).find() && m.find()) {
                return Duration.between(LocalTime.parse(m.group(1) + "." + m.group(2)), resolved);
            }
        }
        return null;
    }

    private static String seconds(Duration d) {
        return d == null ? "?" : String.format("%.2f s", d.toMillis() / 1000.0);
    }

    private String karafLogTail() {
        Path log = karafDir == null ? null : karafDir.resolve("karaf/data/log/karaf.log");
        try {
            if (log == null || !Files.isRegularFile(log)) return "(no Karaf log)";
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "----- karaf.log (last 60 lines)\n" + String.join("\n", all.subList(Math.max(0, all.size() - 60), all.size()));
        } catch (IOException e) {
            return "(Karaf log unreadable: " + e + ")";
        }
    }
}
