package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.Ports;
import org.screamrouter.sip.itests.support.Baresip;
import org.screamrouter.sip.itests.support.DeviceAgent;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;
import org.screamrouter.sip.itests.support.Register;
import org.screamrouter.sip.itests.support.Registry;
import org.screamrouter.sip.itests.support.Tools;
import org.screamrouter.sip.stack.digest.DigestAlgorithm;

/**
 * Real UAs against the registrar with digest authentication on ({@code auth.mode = digest}, realm {@code example.com}):
 * sipsak and baresip register with the right password, sipsak with a wrong one is refused and nothing is stored.
 * Both know only MD5 and fail on SHA-256 challenges (sipsak 0.9.8 reads only the first, baresip 1.0 with libre 1.1
 * gives up on any: "Function not implemented"), so this container offers {@code auth.algorithms = MD5};
 * {@link RegistrarAuthIT} covers the default SHA-256 then MD5.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RegistrarAuthPeersIT {
    private static final String REALM = "example.com";
    private static final Duration SETTLE = Duration.ofSeconds(30);

    @Inject
    private SessionFactory sessionFactory;

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws Exception {
        File users = File.createTempFile("screamrouter-sip", ".users", new File(System.getProperty("itest.target"))); // not /tmp: the fork is killed before deleteOnExit
        users.deleteOnExit();
        Files.writeString(users.toPath(), String.join("\n", "# RegistrarAuthPeersIT users",
                line("alice", "secret"), line("bob", "b0bpass"), line("dave", "right"), ""));
        return KarafRun.options(
                replaceConfigurationFile("etc/screamrouter-sip.users", users),
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "domain", REALM),
                editConfigurationFilePut(KarafRun.AUTH_CFG, "auth.mode", "digest"),
                editConfigurationFilePut(KarafRun.AUTH_CFG, "auth.users.file", "${karaf.etc}/screamrouter-sip.users"),
                editConfigurationFilePut(KarafRun.AUTH_CFG, "auth.algorithms", "MD5"));
    }

    private static String line(String user, String password) {
        return user + " " + DigestAlgorithm.MD5.ha1(user, REALM, password) + " " + DigestAlgorithm.SHA_256.ha1(user, REALM, password);
    }

    private KarafShell shell() {
        return new KarafShell(sessionFactory);
    }

    /** The registrar is up with authentication on: a REGISTER without credentials gets an MD5 challenge. */
    private void awaitChallenge() throws Exception {
        try (DeviceAgent agent = new DeviceAgent()) {
            Await.until("the registrar challenges on udp " + KarafRun.sipPort(), SETTLE,
                    () -> agent.exchange(new Register("probe", KarafRun.sipPort(), agent.port()).expires(60).toString(), KarafRun.sipPort(),
                            Duration.ofMillis(500)),
                    r -> r != null && r.status() == 401 && r.headers("www-authenticate").size() == 1
                            && r.header("www-authenticate").contains("algorithm=MD5"));
        }
    }

    private boolean bound(String aorUser) throws Exception {
        return new Registry(context).bindings().stream().anyMatch(b -> b.aor().startsWith("sip:" + aorUser + "@"));
    }

    @Test
    public void sipsakWithTheRightPasswordRegistersAndWithAWrongOneIsRefusedAndNotStored() throws Exception {
        String sipsak = Tools.require("sipsak", "sipsak");
        awaitChallenge();
        int port = KarafRun.sipPort();
        String wrong = runSipsak(sipsak, "dave", "wrong", port);
        assertFalse("dave has a binding after a wrong password:\n" + wrong, bound("dave"));
        assertFalse("sipsak did not try MD5:\n" + wrong, wrong.contains("unsupported authentication algorithm"));
        // sipsak answered the challenge with credentials, and that answer was refused
        assertTrue("sipsak sent no credentials:\n" + wrong, wrong.contains("Authorization: Digest username=\"dave\""));
        assertTrue("sipsak's credentials were not refused with 401:\n" + wrong, wrong.contains("SIP/2.0 401 Unauthorized"));

        String right = runSipsak(sipsak, "alice", "secret", port);
        assertTrue("alice has no binding after sipsak:\n" + right, bound("alice"));
        String row = Await.until("alice in sip:devices", Duration.ofSeconds(10), () -> shell().deviceRow("alice"), r -> r != null);
        assertEquals(row, "yes", KarafShell.online(row));
    }

    private static String runSipsak(String sipsak, String user, String password, int port) throws Exception {
        List<String> command = List.of(sipsak, "-U", "-C", "sip:" + user + "@127.0.0.1:5999", "-s", "sip:" + user + "@127.0.0.1:" + port,
                "-x", "300", "-i", "-u", user, "-a", password, "-vv");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("sipsak did not finish within 30 s: " + command);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ok = password.equals("wrong") ? process.exitValue() != 0 : process.exitValue() == 0;
        assertTrue("sipsak exit code " + process.exitValue() + " for " + user + ":\n" + output, ok);
        return output;
    }

    @Test
    public void baresipWithTheRightPasswordRegisters() throws Exception {
        String baresip = Tools.require("baresip", "baresip");
        awaitChallenge();
        int server = KarafRun.sipPort();
        int listen = Ports.free();
        Path dir = Files.createTempDirectory("baresip");
        Baresip.config(dir, listen, "module_tmp account.so");
        Files.writeString(dir.resolve("accounts"), "<sip:bob@127.0.0.1:" + server + ";transport=udp>;auth_pass=b0bpass;regint=300\n");
        Process process = new ProcessBuilder(baresip, "-f", dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("baresip.log").toFile()).start();
        try {
            String row = Await.until("baresip bob online in sip:devices", SETTLE, () -> shell().deviceRow("bob"),
                    r -> r != null && "yes".equals(KarafShell.online(r)));
            assertTrue(row, row.contains("@127.0.0.1:" + listen));
            assertTrue("bob has no binding", bound("bob"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nbaresip log:\n" + Files.readString(dir.resolve("baresip.log")), e);
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            Baresip.delete(dir);
        }
    }
}
