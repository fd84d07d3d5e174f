package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.screamrouter.sip.client.Credentials;
import org.screamrouter.sip.client.NextHop;
import org.screamrouter.sip.client.Registration;
import org.screamrouter.sip.client.standalone.SipClients;
import org.screamrouter.sip.client.SipRejectedException;
import org.screamrouter.sip.client.SipReply;
import org.screamrouter.sip.client.standalone.StandaloneSipClient;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.Registry;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipStackStatus;
import org.screamrouter.sip.stack.digest.DigestAlgorithm;
import org.screamrouter.sip.stack.standalone.StackSettings;

/**
 * The SIP client with credentials against our own registrar with digest authentication on (realm
 * {@code example.com}, nonces living {@value #NONCE_LIFETIME} s): good credentials register (SHA-256, the first
 * challenge), a wrong password fails with the 401 after exactly one answered challenge and binds nothing, and a
 * refresh with an expired nonce is answered {@code stale=true} and retried by the client without failing. The
 * other bundles ask the same authenticator: SUBSCRIBE (presence) and INVITE (calls) without credentials get the
 * registrar's 401, and with them reach their handler.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ClientAuthIT {
    private static final String REALM = "example.com";
    private static final int NONCE_LIFETIME = 3;

    @Inject
    private BundleContext context;

    @Inject
    private SipStackStatus stack;

    @Configuration
    public Option[] config() throws Exception {
        File users = File.createTempFile("screamrouter-sip", ".users", new File(System.getProperty("itest.target"))); // not /tmp: the fork is killed before deleteOnExit
        users.deleteOnExit();
        Files.writeString(users.toPath(), String.join("\n", line("alice", "wonder"), line("bob", "builder"), ""));
        return KarafRun.options(
                KarafRun.standalone(), // SipClients.standalone: the probe acts as devices
                replaceConfigurationFile("etc/screamrouter-sip.users", users),
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "domain", REALM),
                // where an upgraded server still has it (the registrar's file of before the auth bundle): the auth bundle
                // adopts it over the shipped auth.mode = none (docs/auth.md, Upgrading); RegistrarAuthIT sets its own PID
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "auth.mode", "digest"),
                editConfigurationFilePut(KarafRun.AUTH_CFG, "auth.users.file", "${karaf.etc}/screamrouter-sip.users"),
                editConfigurationFilePut(KarafRun.AUTH_CFG, "auth.nonce.lifetime", Integer.toString(NONCE_LIFETIME)),
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "offline.timeout", "600"));
    }

    private static String line(String user, String password) {
        return user + " " + DigestAlgorithm.MD5.ha1(user, REALM, password) + " " + DigestAlgorithm.SHA_256.ha1(user, REALM, password);
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static Flow server() {
        return NextHop.of("udp", "127.0.0.1", KarafRun.sipPort());
    }

    private static StandaloneSipClient device() {
        return SipClients.standalone(new StackSettings("127.0.0.1", 0, -1, "itest-auth"));
    }

    private long registers() {
        return stack.counters().getOrDefault("requests.REGISTER", 0L);
    }

    private boolean bound(String user) throws Exception {
        return new Registry(context).bindings().stream().anyMatch(b -> b.aor().startsWith("sip:" + user + "@"));
    }

    /** The registrar is up with authentication on: a REGISTER without credentials is refused with 401. */
    private void awaitChallenges(StandaloneSipClient c) throws Exception {
        Await.until("the registrar challenges", Duration.ofSeconds(60), () -> {
            try {
                get(c.register(server(), "sip:probe@" + REALM, "sip:probe@127.0.0.1:9", 60));
                return 200;
            } catch (ExecutionException e) {
                return e.getCause() instanceof SipRejectedException r ? r.reply().status() : -1;
            }
        }, s -> s == 401);
    }

    /** The upgrade path: auth.mode = digest left in the registrar's file is in force, and one line says to move it. */
    @Test
    public void anAuthModeLeftInTheRegistrarsFileIsUsedAndTheLogSaysToMoveIt() throws Exception {
        try (StandaloneSipClient probe = device()) {
            awaitChallenges(probe);
        }
        java.nio.file.Path log = java.nio.file.Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
        String advice = Await.until("the advice to move auth.mode in " + log, Duration.ofSeconds(10),
                () -> java.nio.file.Files.readAllLines(log).stream()
                        .filter(l -> l.contains("(org.screamrouter.sip.registrar) still has auth.mode")).findFirst().orElse(null),
                l -> l != null);
        assertTrue(advice, advice.contains("used [auth.mode]") && advice.contains("move them to etc/org.screamrouter.sip.auth.cfg"));
    }

    @Test
    public void goodCredentialsRegisterAndAStaleNonceIsRetriedOnRefresh() throws Exception {
        try (StandaloneSipClient alice = device()) {
            awaitChallenges(alice);
            String contact = alice.contactUri("alice");
            long before = registers();
            Registration r = get(alice.register(server(), "sip:alice@" + REALM, contact, 300, Credentials.password("alice", "wonder")));
            assertEquals("a REGISTER, its 401, and the answer with credentials", 2, registers() - before);
            assertEquals(300, r.grantedExpires());
            assertTrue("alice is bound", bound("alice"));

            // the nonce expires; the client sends the credentials of the old nonce, gets stale=true, answers again
            long expired = System.nanoTime() + TimeUnit.SECONDS.toNanos(NONCE_LIFETIME + 1);
            Await.until("the nonce to expire", Duration.ofSeconds(NONCE_LIFETIME + 5), System::nanoTime, t -> t > expired);
            before = registers();
            Registration refreshed = get(alice.refresh(r, 120));
            assertEquals(120, refreshed.grantedExpires());
            assertEquals("the refresh with the expired nonce, and its retry with the new one", 2, registers() - before);
            assertEquals(200, get(alice.unregister(refreshed)).status());
            assertFalse("alice unbound", bound("alice"));
        }
    }

    @Test
    public void aWrongPasswordFailsWithThe401AfterOneAnsweredChallengeAndBindsNothing() throws Exception {
        try (StandaloneSipClient bob = device()) {
            awaitChallenges(bob);
            long before = registers();
            try {
                get(bob.register(server(), "sip:bob@" + REALM, bob.contactUri("bob"), 300, Credentials.password("bob", "wrong")));
                fail("a wrong password registered");
            } catch (ExecutionException e) {
                assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof SipRejectedException);
                SipReply reply = ((SipRejectedException) e.getCause()).reply();
                assertEquals(reply.toString(), 401, reply.status());
            }
            assertEquals("no loop: the REGISTER and one answer to its challenge", 2, registers() - before);
            assertFalse("bob is not bound", bound("bob"));
        }
    }

    @Test
    public void subscribeAndInviteAreChallengedByTheRegistrarsAuthenticator() throws Exception {
        try (StandaloneSipClient alice = device()) {
            awaitChallenges(alice);
            Registration r = get(alice.register(server(), "sip:alice@" + REALM, alice.contactUri("alice"), 300,
                    Credentials.password("alice", "wonder")));

            String subscribeUri = "sip:alice@127.0.0.1:" + KarafRun.sipPort();
            SipReply challenge = get(alice.send(subscribe(alice, subscribeUri, null), server(), Duration.ofSeconds(5)));
            assertEquals(challenge.toString(), 401, challenge.status());
            assertEquals(challenge.toString(), 2, challenge.headers("WWW-Authenticate").size());
            SipReply served = get(alice.send(subscribe(alice, subscribeUri, authorization("SUBSCRIBE", subscribeUri, challenge)),
                    server(), Duration.ofSeconds(5)));
            assertEquals(served.toString(), 200, served.status());

            String inviteUri = "sip:no-such-sink-" + UUID.randomUUID().toString().substring(0, 6) + "@127.0.0.1:" + KarafRun.sipPort();
            SipReply inviteChallenge = get(alice.send(invite(alice, inviteUri, null), server(), Duration.ofSeconds(5)));
            assertEquals(inviteChallenge.toString(), 401, inviteChallenge.status());
            SipReply reached = get(alice.send(invite(alice, inviteUri, authorization("INVITE", inviteUri, inviteChallenge)),
                    server(), Duration.ofSeconds(5)));
            assertEquals("authenticated, the INVITE reaches the calls bundle, which knows no such sink: " + reached, 404, reached.status());
            get(alice.unregister(r));
        }
    }

    /** The Authorization for the SHA-256 challenge of a 401 (the first one), as a UA computes it. */
    private static String authorization(String method, String uri, SipReply challenge) {
        String header = challenge.headers("WWW-Authenticate").get(0);
        Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(header);
        assertTrue(header, m.find() && header.contains("SHA-256"));
        String nonce = m.group(1);
        DigestAlgorithm alg = DigestAlgorithm.SHA_256;
        String response = alg.response(alg.ha1("alice", REALM, "wonder"), nonce, "00000001", "c0ffee", "auth", method, uri);
        return "Authorization: Digest username=\"alice\", realm=\"" + REALM + "\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", response=\"" + response + "\", algorithm=SHA-256, qop=auth, nc=00000001, cnonce=\"c0ffee\"\r\n";
    }

    private static String subscribe(StandaloneSipClient c, String uri, String authorization) {
        return "SUBSCRIBE " + uri + " SIP/2.0\r\n"
                + "From: <sip:alice@" + REALM + ">;tag=" + UUID.randomUUID().toString().substring(0, 8) + "\r\n"
                + "To: <" + uri + ">\r\n"
                + "Call-ID: " + UUID.randomUUID() + "\r\n"
                + "CSeq: " + (authorization == null ? 1 : 2) + " SUBSCRIBE\r\n"
                + "Contact: <" + c.contactUri("alice") + ">\r\n"
                + "Event: presence\r\nExpires: 0\r\nAccept: application/pidf+xml\r\nMax-Forwards: 70\r\n"
                + (authorization == null ? "" : authorization)
                + "Content-Length: 0\r\n\r\n";
    }

    private static String invite(StandaloneSipClient c, String uri, String authorization) {
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"
                + "a=rtpmap:0 PCMU/8000\r\n";
        return "INVITE " + uri + " SIP/2.0\r\n"
                + "From: <sip:alice@" + REALM + ">;tag=" + UUID.randomUUID().toString().substring(0, 8) + "\r\n"
                + "To: <" + uri + ">\r\n"
                + "Call-ID: " + UUID.randomUUID() + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <" + c.contactUri("alice") + ">\r\nMax-Forwards: 70\r\n"
                + (authorization == null ? "" : authorization)
                + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }
}
