package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import java.io.File;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.Ports;
import org.screamrouter.sip.itests.SipResponse;
import org.screamrouter.sip.itests.support.Capture;
import org.screamrouter.sip.itests.support.DeviceAgent;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;
import org.screamrouter.sip.itests.support.Register;
import org.screamrouter.sip.itests.support.Registry;
import org.screamrouter.sip.stack.digest.DigestAlgorithm;

/**
 * Digest authentication of the registrar in the Karaf distribution ({@code auth.mode = digest}, realm = domain
 * {@code example.com}, a credentials file of H(A1) hashes copied into the container's etc; sipsak and baresip are in
 * {@link RegistrarAuthPeersIT}): RFC 4475 regaut01 is challenged, a SHA-256 exchange computed here registers, an expired nonce gets {@code stale=true}, a replayed nonce count is refused,
 * someone else's AOR gets 403, a user made with {@code sip:passwd} can register, and a {@code bundle:update} of the auth
 * bundle under re-registration loses no REGISTER, keeps nonces authentic and restarts no consumer. The configuration is not changed while the container runs
 * (Karaf writes a changed configuration back to its .cfg file, which the file watcher then reads again). A refused REGISTER leaves no
 * binding ({@code DeviceRegistry}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RegistrarAuthIT {
    private static final String REALM = "example.com";
    private static final Duration ANSWER = Duration.ofSeconds(3);
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final int NONCE_LIFETIME = 4;

    /**
     * Karaf's boot provisioning has ended (docs/architecture.md, "Boot"): while the features service still deploys,
     * Felix can refuse a bundle update ("Unable to acquire global lock for resolve").
     */
    @Inject
    @Filter(timeout = 120_000)
    private BootFinished bootFinished;

    @Inject
    private SessionFactory sessionFactory;

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Configuration
    public Option[] config() throws Exception {
        File users = File.createTempFile("screamrouter-sip", ".users", new File(System.getProperty("itest.target"))); // not /tmp: the fork is killed before deleteOnExit
        users.deleteOnExit();
        Files.writeString(users.toPath(), String.join("\n", "# RegistrarAuthIT users",
                line("alice", "secret"), line("bob", "b0bpass"), line("carol", "c4rol"), line("dave", "right"), ""));
        String tcp = Integer.toString(Ports.free());
        return KarafRun.options(
                editConfigurationFilePut(KarafRun.STACK_CFG, "tcp.port", tcp),
                // the registrar's INFO lines (refusals, mode changes) in data/log/karaf.log
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.screamrouter.name", "org.screamrouter.sip.registrar"),
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.screamrouter.level", "INFO"),
                systemProperty("itest.sip.tcp.port").value(tcp),
                replaceConfigurationFile("etc/screamrouter-sip.users", users),
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "domain", REALM),
                editConfigurationFilePut(KarafRun.AUTH_CFG, "auth.mode", "digest"),
                editConfigurationFilePut(KarafRun.AUTH_CFG, "auth.users.file", "${karaf.etc}/screamrouter-sip.users"),
                editConfigurationFilePut(KarafRun.AUTH_CFG, "auth.nonce.lifetime", Integer.toString(NONCE_LIFETIME)));
    }

    private static String line(String user, String password) {
        return user + " " + DigestAlgorithm.MD5.ha1(user, REALM, password) + " " + DigestAlgorithm.SHA_256.ha1(user, REALM, password);
    }

    private KarafShell shell() {
        return new KarafShell(sessionFactory);
    }

    /** The registrar is up with authentication on: a REGISTER without credentials is challenged. */
    private void awaitChallenge(DeviceAgent agent) throws Exception {
        Await.until("the registrar challenges on udp " + KarafRun.sipPort(), SETTLE,
                () -> agent.exchange(new Register("probe", KarafRun.sipPort(), agent.port()).expires(60).toString(), KarafRun.sipPort(),
                        Duration.ofMillis(500)),
                r -> r != null && r.status() == 401);
    }

    private boolean bound(String aorUser) throws Exception {
        return new Registry(context).bindings().stream().anyMatch(b -> b.aor().startsWith("sip:" + aorUser + "@"));
    }

    /** The parameters of each WWW-Authenticate header, in order. */
    private static List<Map<String, String>> challenges(SipResponse r) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String value : r.headers("www-authenticate")) {
            assertTrue(value, value.startsWith("Digest "));
            Map<String, String> p = new HashMap<>();
            Matcher m = Pattern.compile("(\\w+)=(\"([^\"]*)\"|[^,\\s]+)").matcher(value.substring(7));
            while (m.find()) p.put(m.group(1).toLowerCase(), m.group(3) != null ? m.group(3) : m.group(2));
            out.add(p);
        }
        return out;
    }

    /** What a UA computes for a challenge (RFC 7616 3.4), here with the server's own digest arithmetic. */
    private static String authorization(DigestAlgorithm alg, String user, String password, String nonce, int nc, String uri) {
        String count = String.format("%08x", nc);
        String response = alg.response(alg.ha1(user, REALM, password), nonce, count, "0a4f113b", "auth", "REGISTER", uri);
        return "Authorization: Digest username=\"" + user + "\", realm=\"" + REALM + "\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", response=\"" + response + "\", algorithm=" + alg.token() + ", qop=auth, nc=" + count + ", cnonce=\"0a4f113b\"";
    }

    private static SipResponse send(DeviceAgent agent, String message) throws Exception {
        SipResponse r = agent.exchange(message, KarafRun.sipPort(), ANSWER);
        assertNotNull("no answer within " + ANSWER + " to:\n" + message, r);
        return r;
    }

    /** A REGISTER of {@code user}'s own AOR from the agent, To sip:{@code to}@example.com. */
    private static Register register(DeviceAgent agent, String user, String to) {
        return new Register(user, KarafRun.sipPort(), agent.port()).to("<sip:" + to + "@" + REALM + ">").expires(300);
    }

    /** The SHA-256 challenge of a 401, checked for form: SHA-256 first, then MD5, one nonce, qop auth. */
    private static Map<String, String> sha256Challenge(SipResponse r) {
        assertEquals(r.toString(), 401, r.status());
        List<Map<String, String>> c = challenges(r);
        assertEquals(r.toString(), 2, c.size());
        assertEquals(r.toString(), "SHA-256", c.get(0).get("algorithm"));
        assertEquals(r.toString(), "MD5", c.get(1).get("algorithm"));
        assertEquals(r.toString(), c.get(0).get("nonce"), c.get(1).get("nonce"));
        for (Map<String, String> one : c) {
            assertEquals(r.toString(), REALM, one.get("realm"));
            assertEquals(r.toString(), "auth", one.get("qop"));
        }
        return c.get(0);
    }

    /** regaut01's Via names TCP, so it is sent byte for byte over TCP; the answer comes back on that connection. */
    @Test
    public void regaut01AnUnknownAuthorizationSchemeIsChallenged() throws Exception {
        byte[] message = Files.readAllBytes(Capture.corpus("regaut01.dat").toPath());
        try (DeviceAgent agent = new DeviceAgent()) {
            awaitChallenge(agent);
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), Integer.getInteger("itest.sip.tcp.port")), 3000);
            socket.setSoTimeout((int) ANSWER.toMillis());
            socket.getOutputStream().write(message);
            socket.getOutputStream().flush();
            SipResponse r = SipResponse.parse(readResponse(socket.getInputStream()));
            sha256Challenge(r);
            assertEquals(r.toString(), "regaut01.0ha0isndaksdj", r.header("call-id"));
            assertFalse("j.user was bound", bound("j.user"));
        }
    }

    /** One response off a stream: up to the blank line, then Content-Length bytes (zero here). */
    private static String readResponse(InputStream in) throws Exception {
        StringBuilder text = new StringBuilder();
        while (text.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) break;
            text.append((char) b);
        }
        return text.toString();
    }

    @Test
    public void aSha256ExchangeRegistersAndAReplayedNonceCountIsRefused() throws Exception {
        try (DeviceAgent agent = new DeviceAgent()) {
            awaitChallenge(agent);
            Register reg = register(agent, "carol", "carol");
            String nonce = sha256Challenge(send(agent, reg.toString())).get("nonce");
            String credentials = authorization(DigestAlgorithm.SHA_256, "carol", "c4rol", nonce, 1, "sip:127.0.0.1:" + KarafRun.sipPort());
            SipResponse ok = send(agent, reg.nextCseq().header(credentials).toString());
            assertEquals(ok.toString(), 200, ok.status());
            assertTrue("carol has no binding", bound("carol"));

            // the same credentials in a new request: the count did not grow
            Register replay = register(agent, "carol", "carol").header(credentials);
            SipResponse refused = send(agent, replay.toString());
            assertEquals(refused.toString(), 401, refused.status());
            assertFalse(refused.toString(), refused.toString().contains("stale=true"));

            Register next = register(agent, "carol", "carol")
                    .header(authorization(DigestAlgorithm.SHA_256, "carol", "c4rol", nonce, 2, "sip:127.0.0.1:" + KarafRun.sipPort()));
            SipResponse again = send(agent, next.toString());
            assertEquals(again.toString(), 200, again.status());
        }
    }

    @Test
    public void aWrongPasswordGetsA401AndNoBinding() throws Exception {
        try (DeviceAgent agent = new DeviceAgent()) {
            awaitChallenge(agent);
            Register reg = register(agent, "dave", "dave");
            String nonce = sha256Challenge(send(agent, reg.toString())).get("nonce");
            for (DigestAlgorithm alg : DigestAlgorithm.values()) {
                SipResponse r = send(agent, reg.nextCseq().header(authorization(alg, "dave", "guess", nonce, 1, "sip:127.0.0.1:" + KarafRun.sipPort())).toString());
                assertEquals(r.toString(), 401, r.status());
                reg = register(agent, "dave", "dave").callId(reg.callId()).cseq(10 + alg.ordinal());
            }
            assertFalse("dave was bound with a wrong password", bound("dave"));
        }
    }

    @Test
    public void anExpiredNonceWithTheRightResponseGetsStaleTrue() throws Exception {
        try (DeviceAgent agent = new DeviceAgent()) {
            awaitChallenge(agent);
            String nonce = sha256Challenge(send(agent, register(agent, "carol", "carol").toString())).get("nonce");
            int[] nc = {0};
            // each try uses the next count; until the nonce is NONCE_LIFETIME s old they succeed, then stale=true
            SipResponse stale = Await.until("stale=true for a nonce older than " + NONCE_LIFETIME + " s", Duration.ofSeconds(NONCE_LIFETIME * 4L),
                    () -> send(agent, register(agent, "carol", "carol")
                            .header(authorization(DigestAlgorithm.MD5, "carol", "c4rol", nonce, ++nc[0], "sip:127.0.0.1:" + KarafRun.sipPort()))
                            .toString()),
                    r -> r.status() != 200);
            Map<String, String> challenge = sha256Challenge(stale);
            assertEquals(stale.toString(), "true", challenge.get("stale"));
            assertNotEquals("a stale answer brings a new nonce", nonce, challenge.get("nonce"));
            assertTrue("no request with the fresh nonce succeeded first (" + nc[0] + " tries)", nc[0] >= 1);
        }
    }

    /**
     * Issue 16: a {@code bundle:update} of the auth bundle while a device with credentials re-registers back to back
     * loses no REGISTER: every one is answered within {@link #ANSWER}, with 200, or with a 401 {@code stale=true}
     * (the new revision's replay memory is empty; the nonce MAC key lives in the data folder, so the old nonce is still
     * authentic: never a plain 401) that the next REGISTER with the fresh nonce turns into 200. Never 503: the
     * registrar waits for the authenticator ({@code AuthenticatorSlot}). And the registrar's component is not
     * restarted (its {@code DeviceRegistry} service is the same registration), nor are presence and calls.
     */
    @Test
    public void anAuthBundleUpdateUnderReRegistrationLosesNoRegisterAndRestartsNoConsumer() throws Exception {
        try (DeviceAgent agent = new DeviceAgent()) {
            awaitChallenge(agent);
            File jar = new File(System.getProperty("itest.auth.jar"));
            assertTrue(jar + " is missing", jar.isFile());
            org.osgi.framework.Bundle auth = java.util.Arrays.stream(context.getBundles())
                    .filter(b -> "org.screamrouter.sip.auth".equals(b.getSymbolicName())).findFirst().orElseThrow();
            Map<String, Object> before = consumerServiceIds();
            assertTrue("the registrar's service is registered: " + before, before.containsKey("org.screamrouter.sip.registrar.DeviceRegistry"));
            String nonce = sha256Challenge(send(agent, register(agent, "carol", "carol").toString())).get("nonce");
            int nc = 0;
            long modified = auth.getLastModified();
            java.util.concurrent.CompletableFuture<String> update = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return shell().run("bundle:update " + auth.getBundleId() + " " + jar.toURI());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            List<Integer> statuses = new ArrayList<>();
            int stale = 0;
            long doneAt = 0;
            long deadline = System.nanoTime() + SETTLE.toNanos();
            // back to back until the update is done and 2 s more, so the requests span the whole swap
            while (doneAt == 0 || System.nanoTime() - doneAt < Duration.ofSeconds(2).toNanos()) {
                assertTrue("the update did not finish within " + SETTLE + ", answers " + statuses, System.nanoTime() < deadline);
                if (doneAt == 0 && update.isDone() && auth.getLastModified() != modified) doneAt = System.nanoTime();
                SipResponse r = send(agent, register(agent, "carol", "carol").header(authorization(DigestAlgorithm.SHA_256, "carol", "c4rol", nonce, ++nc,
                        "sip:127.0.0.1:" + KarafRun.sipPort())).toString());
                statuses.add(r.status());
                if (r.status() == 401) {
                    Map<String, String> challenge = sha256Challenge(r);
                    assertEquals("a nonce of the old revision after the update is authentic: " + r, "true", challenge.get("stale"));
                    stale++;
                    nonce = challenge.get("nonce");
                    nc = 0;
                } else {
                    assertEquals("every REGISTER across the update gets 200 or a stale 401, answers " + statuses + "\n" + r, 200, r.status());
                }
            }
            update.join();
            assertTrue("answers " + statuses, statuses.size() >= 3);
            // a 401 is followed by a 200 with the fresh nonce: never two in a row
            for (int i = 1; i < statuses.size(); i++) {
                assertFalse("two 401 in a row: " + statuses, statuses.get(i) == 401 && statuses.get(i - 1) == 401);
            }
            assertEquals("the last answer is 200: " + statuses, 200, (int) statuses.get(statuses.size() - 1));
            assertEquals("the registrar, presence and calls were not restarted", before, consumerServiceIds());
            System.out.println("RegistrarAuthIT: " + statuses.size() + " REGISTERs across an auth bundle update, " + stale + " stale 401, the rest 200");
        }
    }

    /** The service.id of the registrar's, presence's and calls' services that are registered now. */
    private Map<String, Object> consumerServiceIds() throws Exception {
        Map<String, Object> ids = new java.util.TreeMap<>();
        for (String type : List.of("org.screamrouter.sip.registrar.DeviceRegistry", "org.screamrouter.sip.presence.PresenceService",
                "org.screamrouter.sip.calls.Calls")) {
            org.osgi.framework.ServiceReference<?>[] refs = context.getAllServiceReferences(type, null);
            if (refs != null) ids.put(type, refs[0].getProperty("service.id"));
        }
        return ids;
    }

    @Test
    public void someoneElsesAorGets403AndIsNotStored() throws Exception {
        try (DeviceAgent agent = new DeviceAgent()) {
            awaitChallenge(agent);
            Register reg = register(agent, "alice", "mallory-target");
            String nonce = sha256Challenge(send(agent, reg.toString())).get("nonce");
            SipResponse r = send(agent, reg.nextCseq()
                    .header(authorization(DigestAlgorithm.SHA_256, "alice", "secret", nonce, 1, "sip:127.0.0.1:" + KarafRun.sipPort())).toString());
            assertEquals(r.toString(), 403, r.status());
            assertEquals(r.toString(), "Forbidden (AOR not yours)", r.reason());
            assertFalse("mallory-target was bound", bound("mallory-target"));
        }
    }

    @Test
    public void aUserMadeWithSipPasswdRegisters() throws Exception {
        String user = "erin-" + UUID.randomUUID().toString().substring(0, 8);
        String out = shell().run("sip:passwd " + user + " pa55w0rd");
        assertTrue(out, out.contains("Credentials of " + user + " set for realm " + REALM));
        String list = shell().run("sip:users");
        assertTrue(list, list.contains(user));
        assertFalse("sip:users shows a hash: " + list, list.contains(DigestAlgorithm.MD5.ha1(user, REALM, "pa55w0rd")));
        Path file = Path.of(System.getProperty("karaf.etc"), "screamrouter-sip.users");
        String stored = Files.readString(file);
        assertFalse("the password is in the file", stored.contains("pa55w0rd"));
        assertTrue("the old users are kept: " + stored, stored.contains("alice ") && stored.contains("# RegistrarAuthIT users"));

        try (DeviceAgent agent = new DeviceAgent()) {
            awaitChallenge(agent);
            Register reg = register(agent, user, user);
            String nonce = sha256Challenge(send(agent, reg.toString())).get("nonce");
            SipResponse ok = send(agent, reg.nextCseq()
                    .header(authorization(DigestAlgorithm.MD5, user, "pa55w0rd", nonce, 1, "sip:127.0.0.1:" + KarafRun.sipPort())).toString());
            assertEquals(ok.toString(), 200, ok.status());
            assertTrue(user + " has no binding", bound(user));
        }
    }
}
