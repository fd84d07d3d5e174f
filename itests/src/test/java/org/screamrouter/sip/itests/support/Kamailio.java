package org.screamrouter.sip.itests.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.screamrouter.sip.itests.Ports;

/**
 * Kamailio 5.6 as a reference registrar (docs/peers.md): a minimal configuration written into a temporary folder,
 * listening on 127.0.0.1 and a free port over UDP, in-memory usrloc ({@code db_mode=0}), digest auth with
 * {@code pv_auth_check} against one fixed password (users whose name starts with {@code open} register
 * without auth), a short nonce lifetime answered with {@code stale=true}, and every REGISTER logged. Run in
 * the foreground; {@link #close()} stops it and removes the folder.
 */
public final class Kamailio implements AutoCloseable {
    public static final String PASSWORD = "itest-password";

    private final Path dir;
    private final int port;
    private final Process process;

    /**
     * @param algorithm    {@code MD5} or {@code SHA-256} (the auth module offers one at a time)
     * @param nonceExpires nonce lifetime in seconds
     */
    public Kamailio(String algorithm, int nonceExpires) throws IOException {
        this.dir = Files.createTempDirectory("kamailio-itest");
        this.port = Ports.free();
        Path cfg = dir.resolve("kamailio.cfg");
        Files.writeString(cfg, config(algorithm, nonceExpires), StandardCharsets.UTF_8);
        this.process = new ProcessBuilder("kamailio", "-f", cfg.toString(), "-DD", "-E", "-Y", dir.toString(),
                "-P", dir.resolve("pid").toString(), "-m", "32", "-M", "8", "-n", "2")
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
    }

    private String config(String algorithm, int nonceExpires) {
        return String.join("\n",
                "#!KAMAILIO",
                "debug=2",
                "log_stderror=yes",
                "children=2",
                "disable_tcp=yes",
                "listen=udp:127.0.0.1:" + port,
                "mpath=\"/usr/lib/x86_64-linux-gnu/kamailio/modules/\"",
                "loadmodule \"kex.so\"",
                "loadmodule \"corex.so\"",
                "loadmodule \"tm.so\"",
                "loadmodule \"sl.so\"",
                "loadmodule \"pv.so\"",
                "loadmodule \"xlog.so\"",
                "loadmodule \"textops.so\"",
                "loadmodule \"ctl.so\"",
                "loadmodule \"usrloc.so\"",
                "loadmodule \"registrar.so\"",
                "loadmodule \"auth.so\"",
                "modparam(\"ctl\", \"binrpc\", \"unix:" + dir.resolve("ctl") + "\")",
                "modparam(\"usrloc\", \"db_mode\", 0)",
                "modparam(\"registrar\", \"min_expires\", 2)",
                "modparam(\"auth\", \"nonce_expire\", " + nonceExpires + ")",
                "modparam(\"auth\", \"algorithm\", \"" + algorithm + "\")",
                "modparam(\"auth\", \"secret\", \"itest-secret-0123456789abcdef\")",
                "request_route {",
                "    if (is_method(\"OPTIONS\")) { sl_send_reply(\"200\", \"OK\"); exit; }",
                "    if (!is_method(\"REGISTER\")) { sl_send_reply(\"405\", \"Method Not Allowed\"); exit; }",
                "    xlog(\"L_NOTICE\", \"REGISTER of $fU cseq $cs expires $hdr(Expires)\\n\");",
                "    if ($fU =~ \"^open\") { save(\"location\"); exit; }",
                "    pv_auth_check(\"$fd\", \"" + PASSWORD + "\", \"0\", \"1\");",
                "    $var(rc) = $rc;",
                "    if ($var(rc) < 0) {",
                "        xlog(\"L_NOTICE\", \"auth of $fU failed: $var(rc)\\n\");",
                "        if ($var(rc) == -4) { auth_challenge(\"$fd\", \"17\"); exit; }",
                "        auth_challenge(\"$fd\", \"1\");",
                "        exit;",
                "    }",
                "    consume_credentials();",
                "    save(\"location\");",
                "    exit;",
                "}",
                "");
    }

    public int port() {
        return port;
    }

    /** What Kamailio logged so far. */
    public String log() throws IOException {
        return Files.readString(dir.resolve("log"), StandardCharsets.UTF_8);
    }

    /** How many REGISTERs of this user Kamailio has seen. */
    public long registersOf(String user) throws IOException {
        return log().lines().filter(l -> l.contains("REGISTER of " + user + " ")).count();
    }

    /** {@code kamcmd ul.dump}: every AoR and contact in usrloc. */
    public String locations() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kamcmd", "-s", "unix:" + dir.resolve("ctl"), "ul.dump")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("kamcmd did not finish");
        }
        return out;
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> all = files.sorted(Comparator.reverseOrder()).toList();
            for (Path f : all) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** Whether the kamailio binary is installed (.ci/test.sh installs it). */
    public static boolean installed() {
        return new File("/usr/sbin/kamailio").canExecute();
    }
}
