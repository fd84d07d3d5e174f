package org.screamrouter.sip.itests.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace this test makes and removes: a veth pair, {@code 198.18.k.1} on the host side (where the server
 * listens for the test) and {@code 198.18.k.2} inside, no route but the veth. A browser runs inside it because
 * libwebrtc ignores loopback. Closing it kills what still runs inside and removes the pair and the namespace.
 * Needs root and {@code ip} (iproute2).
 */
public final class VethNamespace implements AutoCloseable {
    private final String ip;
    private final String name;
    private final String hostSide;
    private final String serverIp;

    private VethNamespace(String ip, String name, String hostSide, String serverIp) {
        this.ip = ip;
        this.name = name;
        this.hostSide = hostSide;
        this.serverIp = serverIp;
    }

    /** Makes one named {@code <prefix>-<random>}. */
    public static VethNamespace create(String prefix) throws IOException, InterruptedException {
        String ip = Tools.require("ip", "iproute2");
        int k = 100 + new Random().nextInt(150);
        String id = Integer.toHexString(new Random().nextInt(0xffff));
        VethNamespace ns = new VethNamespace(ip, prefix + "-" + id, "vh" + prefix.charAt(0) + id, "198.18." + k + ".1");
        String peer = "vn" + prefix.charAt(0) + id;
        try {
            run(List.of(ip, "netns", "add", ns.name), Duration.ofSeconds(20));
            run(List.of(ip, "link", "add", ns.hostSide, "type", "veth", "peer", "name", peer), Duration.ofSeconds(20));
            run(List.of(ip, "link", "set", peer, "netns", ns.name), Duration.ofSeconds(20));
            run(List.of(ip, "addr", "add", ns.serverIp + "/30", "dev", ns.hostSide), Duration.ofSeconds(20));
            run(List.of(ip, "link", "set", ns.hostSide, "up"), Duration.ofSeconds(20));
            run(List.of(ip, "netns", "exec", ns.name, ip, "addr", "add", "198.18." + k + ".2/30", "dev", peer), Duration.ofSeconds(20));
            run(List.of(ip, "netns", "exec", ns.name, ip, "link", "set", peer, "up"), Duration.ofSeconds(20));
            run(List.of(ip, "netns", "exec", ns.name, ip, "link", "set", "lo", "up"), Duration.ofSeconds(20));
        } catch (IOException | InterruptedException | AssertionError e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** The host side's address: where the server listens for the test. */
    public String serverIp() {
        return serverIp;
    }

    /** A command line that runs {@code command} inside the namespace. */
    public List<String> exec(String... command) {
        List<String> out = new ArrayList<>(List.of(ip, "netns", "exec", name));
        out.addAll(List.of(command));
        return out;
    }

    /** Runs a command to its end within the time given; its output, or an AssertionError with it. */
    public static String run(List<String> command, Duration within) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new AssertionError(command + " exited " + p.exitValue() + ": " + out);
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            for (String p : run(List.of(ip, "netns", "pids", name), Duration.ofSeconds(10)).split("\\s+")) {
                if (!p.isBlank()) run(List.of("kill", "-KILL", p.trim()), Duration.ofSeconds(10));
            }
        } catch (AssertionError | IOException ignored) {
            // no namespace, or no processes left in it
        }
        try {
            run(List.of(ip, "link", "del", hostSide), Duration.ofSeconds(20));
        } catch (AssertionError ignored) {
            // gone with the namespace, or never made
        }
        try {
            run(List.of(ip, "netns", "del", name), Duration.ofSeconds(20));
        } catch (AssertionError ignored) {
            // never made
        }
    }
}
