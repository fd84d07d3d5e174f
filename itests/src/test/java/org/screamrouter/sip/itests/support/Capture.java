package org.screamrouter.sip.itests.support;

import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What actually crossed the wire (docs/peers.md: tshark): a live capture on every interface with a BPF filter, one
 * line per packet, {@code src-ip src-port dst-ip dst-port dns-name}; stopped with SIGTERM about 1 s after the
 * last packet. {@link #awaitPacket} lets a test prove the capture runs before it relies on what it did not see.
 */
public final class Capture implements AutoCloseable {
    /** One captured packet. */
    public record Packet(String src, int srcPort, String dst, int dstPort, String dnsName) {
        static Packet parse(String line) {
            String[] f = line.trim().split(" ", -1);
            // UDP ports in fields 1 and 3, TCP ports in 5 and 6 (empty for the other transport)
            int srcPort = port(f, 1) >= 0 ? port(f, 1) : port(f, 5);
            int dstPort = port(f, 3) >= 0 ? port(f, 3) : port(f, 6);
            return new Packet(f.length > 0 ? f[0] : "", srcPort, f.length > 2 ? f[2] : "", dstPort, f.length > 4 ? f[4] : "");
        }

        private static int port(String[] f, int i) {
            try {
                return f.length > i && !f[i].isEmpty() ? Integer.parseInt(f[i].split(",")[0]) : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        @Override
        public String toString() {
            return src + ":" + srcPort + " -> " + dst + ":" + dstPort + (dnsName.isEmpty() ? "" : " dns " + dnsName);
        }
    }

    private final Process process;
    private final List<Packet> packets = new CopyOnWriteArrayList<>();

    private Capture(Process process) {
        this.process = process;
    }

    public static Capture start(String filter) throws Exception {
        String tshark = Tools.require("tshark", "tshark");
        Process p = new ProcessBuilder(tshark, "-i", "any", "-f", filter, "-l", "-n", "-T", "fields", "-E", "separator= ",
                "-e", "ip.src", "-e", "udp.srcport", "-e", "ip.dst", "-e", "udp.dstport", "-e", "dns.qry.name",
                "-e", "tcp.srcport", "-e", "tcp.dstport").start();
        Capture capture = new Capture(p);
        CountDownLatch capturing = new CountDownLatch(1);
        StringBuilder said = new StringBuilder();
        daemon("tshark-stderr", () -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (said) { said.append(line).append('\n'); }
                    if (line.contains("Capturing on")) capturing.countDown();
                }
            } catch (Exception ignored) {
                // ended
            }
        });
        daemon("tshark-stdout", () -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank()) capture.packets.add(Packet.parse(line));
                }
            } catch (Exception ignored) {
                // ended
            }
        });
        if (!capturing.await(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            synchronized (said) { fail("tshark did not start capturing within 20 s: " + said); }
        }
        return capture;
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** Waits for a packet the capture has seen; null at the deadline. */
    public Packet awaitPacket(String what, Duration within, Predicate<Packet> match) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            for (Packet p : packets) if (match.test(p)) return p;
            Thread.sleep(20);
        }
        return null;
    }

    /** Stops the capture about 1 s after the last packet and returns every packet it saw. */
    public List<Packet> stop() throws Exception {
        Thread.sleep(1000);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        Thread.sleep(100);
        return new ArrayList<>(packets);
    }

    @Override
    public void close() {
        if (process.isAlive()) process.destroyForcibly();
    }

    public static File corpus(String name) {
        return new File(System.getProperty("itest.corpus"), name);
    }
}
