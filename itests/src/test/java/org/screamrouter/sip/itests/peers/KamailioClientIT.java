package org.screamrouter.sip.itests.peers;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.screamrouter.sip.client.Credentials;
import org.screamrouter.sip.client.ManagedRegistration;
import org.screamrouter.sip.client.NextHop;
import org.screamrouter.sip.client.Registration;
import org.screamrouter.sip.client.RegistrationState.Phase;
import org.screamrouter.sip.client.standalone.SipClients;
import org.screamrouter.sip.client.SipRejectedException;
import org.screamrouter.sip.client.SipReply;
import org.screamrouter.sip.client.standalone.StandaloneSipClient;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.support.Kamailio;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.digest.DigestAlgorithm;
import org.screamrouter.sip.stack.standalone.StackSettings;

/**
 * The standalone SIP client against Kamailio 5.6, a real third-party registrar (docs/peers.md): register,
 * refresh and unregister without auth and with digest auth (SHA-256 and MD5, one Kamailio each, as its auth
 * module offers one algorithm at a time), a wrong password failing with the 401 and leaving nothing in
 * usrloc, a stale nonce answered again transparently, and a managed registration refreshing a 3 s expiry.
 * Every binding is checked in Kamailio's own usrloc ({@code kamcmd ul.dump}).
 */
public class KamailioClientIT {
    private static final int NONCE_EXPIRES = 3;

    private Kamailio kamailio;
    private StandaloneSipClient client;
    private String contactHost;

    @Before
    public void requireKamailio() {
        if (!Kamailio.installed()) {
            fail("kamailio is not installed: .ci/test.sh installs it (apt-get install kamailio)");
        }
        client = SipClients.standalone(new StackSettings("127.0.0.1", 0, -1, "screamrouter-itest"), Duration.ofSeconds(5));
        contactHost = "127.0.0.1:" + client.stack().listeningPoint("udp").port();
    }

    @After
    public void stop() throws Exception {
        if (client != null) client.close();
        if (kamailio != null) kamailio.close();
    }

    private Flow start(String algorithm) throws Exception {
        kamailio = new Kamailio(algorithm, NONCE_EXPIRES);
        Flow flow = NextHop.of("udp", "127.0.0.1", kamailio.port());
        Await.until("Kamailio answering OPTIONS on " + flow, Duration.ofSeconds(30), () -> {
            if (!kamailio.alive()) throw new AssertionError("kamailio exited:\n" + kamailio.log());
            try {
                return get(client.options(flow, "sip:127.0.0.1", null, Duration.ofMillis(500))).status();
            } catch (ExecutionException noAnswerYet) {
                return 0;
            }
        }, status -> status == 200);
        return flow;
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private String user(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    private String contact(String user) {
        return "sip:" + user + "@" + contactHost;
    }

    @Test
    public void registerRefreshAndUnregisterWithoutAuth() throws Exception {
        Flow kam = start("SHA-256");
        String user = user("open");
        Registration r = get(client.register(kam, "sip:" + user + "@127.0.0.1", contact(user), 120));
        assertEquals(120, r.grantedExpires());
        assertTrue(r.contacts().toString(), r.contacts().stream().anyMatch(c -> c.contains(contact(user))));
        assertTrue(kamailio.locations(), kamailio.locations().contains(contact(user)));

        Registration refreshed = get(client.refresh(r, 60));
        assertEquals(60, refreshed.grantedExpires());
        SipReply gone = get(client.unregister(refreshed));
        assertEquals(200, gone.status());
        assertFalse(kamailio.locations(), kamailio.locations().contains(contact(user)));
    }

    @Test
    public void goodCredentialsWithSha256() throws Exception {
        registerWithGoodCredentials(start("SHA-256"), Credentials.password("alice", Kamailio.PASSWORD));
    }

    @Test
    public void goodCredentialsWithMd5() throws Exception {
        registerWithGoodCredentials(start("MD5"), Credentials.password("alice", Kamailio.PASSWORD));
    }

    @Test
    public void goodCredentialsAsMd5Ha1() throws Exception {
        String ha1 = DigestAlgorithm.MD5.ha1("alice", "127.0.0.1", Kamailio.PASSWORD);
        registerWithGoodCredentials(start("MD5"), Credentials.ha1("alice", "127.0.0.1", ha1));
    }

    private void registerWithGoodCredentials(Flow kam, Credentials credentials) throws Exception {
        String contact = contact("alice");
        Registration r = get(client.register(kam, "sip:alice@127.0.0.1", contact, 300, credentials));
        assertEquals(300, r.grantedExpires());
        assertTrue(kamailio.locations(), kamailio.locations().contains(contact));
        // challenge + answer
        assertEquals(2, kamailio.registersOf("alice"));

        Registration refreshed = get(client.refresh(r, 200));
        assertEquals(200, refreshed.grantedExpires());
        SipReply gone = get(client.unregister(refreshed));
        assertEquals(200, gone.status());
        assertFalse(kamailio.locations(), kamailio.locations().contains(contact));
    }

    @Test
    public void aWrongPasswordFailsWithThe401AndBindsNothing() throws Exception {
        Flow kam = start("SHA-256");
        String contact = contact("mallory");
        try {
            get(client.register(kam, "sip:mallory@127.0.0.1", contact, 300, Credentials.password("mallory", "not-the-password")));
            fail("registered with a wrong password");
        } catch (ExecutionException e) {
            assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof SipRejectedException);
            SipReply reply = ((SipRejectedException) e.getCause()).reply();
            assertEquals(401, reply.status());
            assertTrue(reply.headers().toString(), reply.header("WWW-Authenticate").orElseThrow().contains("SHA-256"));
        }
        // no loop: the first challenge and the one answer
        assertEquals(2, kamailio.registersOf("mallory"));
        assertFalse(kamailio.locations(), kamailio.locations().contains("mallory"));
    }

    @Test
    public void aStaleNonceIsAnsweredAgainTransparently() throws Exception {
        Flow kam = start("SHA-256");
        String contact = contact("bob");
        Registration r = get(client.register(kam, "sip:bob@127.0.0.1", contact, 300, Credentials.password("bob", Kamailio.PASSWORD)));
        Instant issued = Instant.now();
        // the nonce Kamailio handed out lives NONCE_EXPIRES seconds: the refresh sends it again after that
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), issued.plusSeconds(NONCE_EXPIRES + 1L)).toMillis()));
        Registration refreshed = get(client.refresh(r, 300));
        assertEquals(300, refreshed.grantedExpires());
        assertTrue(kamailio.log(), kamailio.log().contains("auth of bob failed: -4"));
        assertTrue(kamailio.locations().contains(contact));
        assertEquals(200, get(client.unregister(refreshed)).status());
    }

    @Test
    public void aManagedRegistrationRefreshesAShortExpiry() throws Exception {
        Flow kam = start("SHA-256");
        String contact = contact("carol");
        ManagedRegistration managed = client.manage(kam, "sip:carol@127.0.0.1", contact, 3, Credentials.password("carol", Kamailio.PASSWORD));
        // first REGISTER (challenged) + its answer, then refreshes every 2.55 s
        Await.until("refreshes at Kamailio", Duration.ofSeconds(30), () -> kamailio.registersOf("carol"), n -> n >= 4);
        assertTrue(managed.state().toString(), managed.state().phase() == Phase.REGISTERED || managed.state().phase() == Phase.REFRESHING);
        assertEquals(3, managed.state().registration().grantedExpires());
        assertTrue(kamailio.locations().contains(contact));
        SipReply gone = get(managed.unregister());
        assertEquals(200, gone.status());
        assertFalse(kamailio.locations(), kamailio.locations().contains(contact));
    }
}
