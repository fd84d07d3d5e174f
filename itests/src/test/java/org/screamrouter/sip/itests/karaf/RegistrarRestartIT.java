package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.Ports;
import org.screamrouter.sip.itests.SipResponse;
import org.screamrouter.sip.itests.support.Bulk;
import org.screamrouter.sip.itests.support.DeviceAgent;
import org.screamrouter.sip.itests.support.Register;

/**
 * A full restart of the container keeps every binding. Pax Exam cannot restart its Karaf, so this plain JUnit test
 * unpacks the distribution tarball into target/, sets unusual ports on 127.0.0.1 and mDNS on 127.0.0.1, starts
 * {@code bin/karaf server}, registers 1,000 devices over one UDP socket, stops it with {@code bin/stop}, starts it
 * again and fetches every device's bindings with a REGISTER without Contact: same single contact, and an
 * {@code expires} consistent with the absolute expiry granted before the restart. No Karaf process outlives it.
 */
public class RegistrarRestartIT {
    private static final int DEVICES = 1000;
    private Path home;
    private int sipPort;
    private final List<Process> started = new ArrayList<>();

    @Before
    public void unpack() throws Exception {
        File tarball = new File(System.getProperty("itest.distribution"));
        assertTrue(tarball + " is missing: build the reactor first", tarball.isFile());
        Path dir = Path.of(System.getProperty("itest.target"), "karaf-restart-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(dir);
        Process tar = new ProcessBuilder("tar", "xzf", tarball.getAbsolutePath(), "-C", dir.toString()).inheritIO().start();
        assertTrue("tar did not finish", tar.waitFor(60, TimeUnit.SECONDS));
        assertEquals("tar exit code", 0, tar.exitValue());
        try (Stream<Path> s = Files.list(dir)) {
            home = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        sipPort = Ports.free();
        set("etc/org.screamrouter.sip.stack.cfg", "bind.address", "127.0.0.1");
        set("etc/org.screamrouter.sip.stack.cfg", "udp.port", Integer.toString(sipPort));
        set("etc/org.screamrouter.sip.stack.cfg", "tcp.port", Integer.toString(Ports.free()));
        set("etc/org.screamrouter.sip.stack.cfg", "ws.port", Integer.toString(Ports.free()));
        set("etc/org.screamrouter.sip.stack.cfg", "tls.port", Integer.toString(Ports.free()));
        set("etc/org.screamrouter.sip.stack.cfg", "wss.port", Integer.toString(Ports.free()));
        set("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(Ports.free()));
        set("etc/org.apache.felix.http.cfg", "org.osgi.service.http.port", Integer.toString(Ports.free()));
        // 1,000 devices from one address (127.0.0.1): no per-source request rate, as in KarafRun
        set("etc/org.screamrouter.sip.stack.cfg", "rate.per.source", "0");
        set("etc/org.screamrouter.sip.mdns.cfg", "interfaces", "127.0.0.1");
        // the bulk devices do not answer pings: keep them from going offline during the test
        set("etc/org.screamrouter.sip.registrar.cfg", "keepalive.interval", "3600");
        set("etc/org.screamrouter.sip.registrar.cfg", "offline.timeout", "7200");
    }

    /** Sets a key in a .cfg file (replacing an existing line, else appending). */
    private void set(String cfg, String key, String value) throws IOException {
        Path file = home.resolve(cfg);
        List<String> lines = Files.isRegularFile(file) ? new ArrayList<>(Files.readAllLines(file)) : new ArrayList<>();
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("^#?\\s*" + java.util.regex.Pattern.quote(key) + "\\s*=.*")) {
                lines.set(i, key + " = " + value);
                replaced = true;
            }
        }
        if (!replaced) lines.add(key + " = " + value);
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    private Process start() throws Exception {
        Process p = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server").directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("console.log").toFile())).start();
        started.add(p);
        return p;
    }

    private void stop(Process p) throws Exception {
        Process stop = new ProcessBuilder(home.resolve("bin/stop").toString()).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("console.log").toFile())).start();
        assertTrue("bin/stop did not return", stop.waitFor(60, TimeUnit.SECONDS));
        if (!p.waitFor(60, TimeUnit.SECONDS)) fail("Karaf did not stop within 60 s of bin/stop");
    }

    private long awaitRegistrar(DeviceAgent probe) throws Exception {
        long t0 = System.nanoTime();
        try {
            Await.until("the registrar answers on udp " + sipPort, Duration.ofSeconds(90), () -> probe.exchange(
                    new Register("probe", sipPort, probe.port()).expires(60).toString(), sipPort, Duration.ofMillis(500)),
                    r -> r != null && r.status() == 200);
        } catch (AssertionError e) {
            // the Karaf folder is removed after the test: keep what it said in the failure
            throw new AssertionError(e.getMessage() + "\nconsole.log:\n" + tail(home.resolve("console.log"), 40)
                    + "\nkaraf.log:\n" + tail(home.resolve("data/log/karaf.log"), 80), e);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static String tail(Path file, int lines) throws IOException {
        if (!Files.isRegularFile(file)) return "(none)";
        List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Test
    public void aFullRestartKeeps1000BindingsWithTheirAbsoluteExpiry() throws Exception {
        String run = "rs" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Bulk.Answer> registered;
        List<String> contacts = new ArrayList<>();
        try (DeviceAgent probe = new DeviceAgent(); Bulk bulk = new Bulk()) {
            Process first = start();
            System.out.println("karaf up (REGISTER answered) after " + awaitRegistrar(probe) + " ms");
            long t0 = System.nanoTime();
            registered = bulk.exchangeAll(sipPort, bulk.registers(sipPort, DEVICES, i -> uuid(run, i), 3600), 64, Duration.ofSeconds(60));
            System.out.println(DEVICES + " devices registered in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
            for (Bulk.Answer a : registered.values()) {
                assertEquals(a.response().toString(), 200, a.response().status());
                assertEquals(a.response().toString(), 1, a.response().contacts().size());
                contacts.add(a.response().contacts().get(0));
            }
            long stopStart = System.nanoTime();
            stop(first);
            System.out.println("bin/stop took " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStart) + " ms");
        }
        try (DeviceAgent probe = new DeviceAgent(); Bulk bulk = new Bulk()) {
            Process second = start();
            long up = awaitRegistrar(probe);
            long t0 = System.nanoTime();
            Map<String, Bulk.Answer> fetched = bulk.exchangeAll(sipPort, bulk.fetches(sipPort, DEVICES, i -> uuid(run, i)), 64, Duration.ofSeconds(60));
            System.out.println("after the restart: REGISTER answered after " + up + " ms; bindings of " + DEVICES + " devices fetched in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
            List<Bulk.Answer> answers = new ArrayList<>(fetched.values());
            int i = 0;
            long worstDrift = 0;
            for (Bulk.Answer before : registered.values()) {
                Bulk.Answer after = answers.get(i);
                SipResponse r = after.response();
                assertEquals(r.toString(), 200, r.status());
                assertEquals("device " + uuid(run, i) + " bindings after the restart: " + r.contacts(), 1, r.contacts().size());
                String was = contacts.get(i);
                assertEquals("same contact for " + uuid(run, i), Bulk.withoutExpires(was), Bulk.withoutExpires(r.contacts().get(0)));
                long absoluteBefore = before.at().toEpochMilli() / 1000 + Bulk.expiresOf(was);
                long absoluteAfter = after.at().toEpochMilli() / 1000 + Bulk.expiresOf(r.contacts().get(0));
                worstDrift = Math.max(worstDrift, Math.abs(absoluteAfter - absoluteBefore));
                assertTrue("expiry of " + uuid(run, i) + " moved by " + (absoluteAfter - absoluteBefore) + " s across the restart",
                        Math.abs(absoluteAfter - absoluteBefore) <= 2);
                i++;
            }
            System.out.println("absolute expiry across the restart: worst drift " + worstDrift + " s over " + DEVICES + " devices");
            stop(second);
        }
    }

    private static String uuid(String run, int i) {
        return String.format("%s-%04d", run, i);
    }

    @After
    public void noKarafLeftBehind() throws Exception {
        for (Process p : started) {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (home != null && !Boolean.getBoolean("itest.keepKaraf")) {
            try (Stream<Path> s = Files.walk(home.getParent())) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
