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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * Issue 16's test: sipp re-REGISTERs a few hundred devices over UDP against the built Karaf distribution (a real
 * process, started the way a user starts it) while {@code bundle:update} runs on every bundle of the server in turn,
 * through the Karaf shell over ssh. Each bundle must see 0 failed REGISTERs (sipp counts a call as failed when no 200
 * comes before its retransmissions run out) and every binding must still be there afterwards; retransmissions are
 * allowed. The longest answer per bundle (the gap a device saw) is printed.
 *
 * <p>The load and the updates are {@code bench/hotswap-bench.sh} (the benchmark, with its CI-sized options
 * {@code --devices 300 --rate 150 --seconds 8 --check}); this test runs it, keeps its table and checks every row, so
 * the benchmark and the test cannot drift apart. Implementation bundles get a plain {@code bundle:update}: an update
 * that needed a refresh would show as failed calls or as the old code staying. API and library bundles get
 * {@code bundle:update --refresh}, their documented operation. Loopback only, unusual ports.
 */
public class HotSwapUnderLoadIT {
    private static final Duration RUN_LIMIT = Duration.ofMinutes(10);
    private static final int DEVICES = 300;
    /** Every bundle of the distribution's server features (org.screamrouter.sip.&lt;name&gt;); issue 16's list and more. */
    private static final List<String> BUNDLES = List.of("stack", "registrar", "auth", "presence", "config", "mdns",
            "calls", "audio", "client", "shell", "whep", "whep.relay", "web", "sdp", "api", "audio.api");

    private Process bench;
    private final List<ProcessHandle> started = new ArrayList<>();

    @Test
    public void everyBundleUpdatedUnderReRegisterLoadLosesNoRequestAndNoBinding() throws Exception {
        updatedUnderLoad("register", BUNDLES);
    }

    /**
     * The same with the devices' OPTIONS keep-alives as the load, for the two bundles that answer them without a parse
     * (the stack's UDP threads and the registrar's {@code okHeaders}): a keep-alive that comes while either is updated is
     * answered by the old or the new revision, or held and answered by the new one, never lost.
     */
    @Test
    public void stackAndRegistrarUpdatedUnderKeepAliveLoadLoseNoOptions() throws Exception {
        updatedUnderLoad("options", List.of("stack", "registrar"));
    }

    private void updatedUnderLoad(String scenario, List<String> bundles) throws Exception {
        Path top = Path.of(System.getProperty("itest.bundles")).toAbsolutePath().normalize().getParent();
        Path script = top.resolve("bench/hotswap-bench.sh");
        assertTrue(script + " is missing", Files.isRegularFile(script));
        assertTrue("the distribution is not built: mvn -o install -DskipTests",
                new File(top.toFile(), "distribution/target/assembly/bin/karaf").isFile());
        Path work = Path.of(System.getProperty("itest.target"), "hotswap-under-load-" + scenario);
        int port = 20000 + 2 * ThreadLocalRandom.current().nextInt(2000, 4000);

        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "--no-build", "--check", "--devices",
                Integer.toString(DEVICES), "--rate", "150", "--seconds", "8", "--work", work.toString(), "--scenario", scenario,
                "--bundles", String.join(" ", bundles)).directory(top.toFile()).redirectErrorStream(true);
        pb.environment().put("SIP_PORT", Integer.toString(port));
        long t0 = System.nanoTime();
        bench = pb.start();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(bench.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    System.out.println("[hotswap " + scenario + "] " + line);
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                System.out.println("HotSwapUnderLoadIT: reading the benchmark's output: " + e);
            }
        }, "hotswap-output");
        reader.start();
        if (!bench.waitFor(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            fail("bench/hotswap-bench.sh did not finish within " + RUN_LIMIT + "\n" + karafLogTail(work));
        }
        reader.join(10_000);
        List<String> output;
        synchronized (lines) {
            output = List.copyOf(lines);
        }

        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : output) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 7 && bundles.contains(f[0]) && f[1].startsWith("update")) rows.put(f[0], f);
        }
        String requests = scenario.equals("register") ? "REGISTERs" : "OPTIONS";
        System.out.printf("HotSwapUnderLoadIT: %d devices sending %s at 150/s, %d bundles updated in %.0f s%n", DEVICES,
                requests, rows.size(), (System.nanoTime() - t0) / 1e9);
        System.out.println("HotSwapUnderLoadIT: bundle, operation, " + requests + ", failed, retransmissions, longest answer (ms), bindings after");
        rows.values().forEach(f -> System.out.println("HotSwapUnderLoadIT:   " + String.join(" ", f)));

        for (String name : bundles) {
            String[] f = rows.get(name);
            assertTrue("no result for bundle org.screamrouter.sip." + name + " (missing from the distribution?); output above\n"
                    + karafLogTail(work), f != null);
            if (!"0".equals(f[3])) {
                fail("failed " + requests + " while org.screamrouter.sip." + name + " was updated (" + f[1] + "): " + f[3] + "\n"
                        + whatFailed(work, name));
            }
            assertEquals("bindings after the update of org.screamrouter.sip." + name, Integer.toString(DEVICES), f[6]);
            assertTrue("sipp sent no " + requests + " while " + name + " was updated", Integer.parseInt(f[2]) > 0);
        }
        if (scenario.equals("options")) {
            // the load took the path under test: the stack's own count of keep-alives answered without a parse
            String plain = output.stream().filter(l -> l.startsWith("keep-alives answered without a parse")).findFirst()
                    .orElseThrow(() -> new AssertionError("the benchmark printed no count of plain answers; output above"));
            assertTrue(plain, Long.parseLong(plain.substring(plain.lastIndexOf(' ') + 1)) > 0);
        }
        assertEquals("the benchmark's exit status with --check (0: every bundle clean); output above", 0, bench.exitValue());
    }

    /** The benchmark's EXIT trap stops the server; if the benchmark itself hangs, its whole process tree goes. */
    @After
    public void leaveNothingBehind() throws Exception {
        if (bench == null) return;
        bench.descendants().forEach(started::add);
        if (bench.isAlive()) {
            bench.destroy();
            if (!bench.waitFor(40, TimeUnit.SECONDS)) bench.destroyForcibly();
        }
        for (ProcessHandle h : started) {
            if (h.isAlive()) {
                h.destroyForcibly();
                h.onExit().get(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * What sipp saw of the failed calls (its error file: the unexpected answers, or the calls that timed out) and what
     * the server logged at WARN or above: a failure in CI is explained by its output alone.
     */
    private static String whatFailed(Path work, String name) {
        StringBuilder out = new StringBuilder("----- sipp's errors while " + name + " was updated (first 40 lines)\n");
        Path errors = work.resolve(name + "-errors.log");
        try {
            if (Files.isRegularFile(errors)) {
                Files.readAllLines(errors, StandardCharsets.ISO_8859_1).stream().filter(l -> !l.isBlank()).limit(40)
                        .forEach(l -> out.append(l).append('\n'));
            } else {
                out.append("(no error file at ").append(errors).append(")\n");
            }
            Path log = work.resolve("server/data/log/karaf.log");
            out.append("----- karaf.log, WARN and ERROR (last 40)\n");
            if (Files.isRegularFile(log)) {
                List<String> bad = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                        .filter(l -> l.contains("| WARN ") || l.contains("| ERROR")).toList();
                bad.subList(Math.max(0, bad.size() - 40), bad.size()).forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            out.append("(unreadable: ").append(e).append(")\n");
        }
        return out.toString();
    }

    private static String karafLogTail(Path work) {
        Path log = work.resolve("server/data/log/karaf.log");
        try {
            if (!Files.isRegularFile(log)) return "(no Karaf log at " + log + ")";
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "----- karaf.log (last 60 lines)\n" + String.join("\n", all.subList(Math.max(0, all.size() - 60), all.size()));
        } catch (IOException e) {
            return "(Karaf log unreadable: " + e + ")";
        }
    }
}
