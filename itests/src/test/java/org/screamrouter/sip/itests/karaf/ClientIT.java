package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
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
import org.screamrouter.sip.client.ManagedRegistration;
import org.screamrouter.sip.client.NextHop;
import org.screamrouter.sip.client.Registration;
import org.screamrouter.sip.client.RegistrationState.Phase;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.client.standalone.SipClients;
import org.screamrouter.sip.client.SipReply;
import org.screamrouter.sip.client.standalone.StandaloneSipClient;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipStackStatus;
import org.screamrouter.sip.stack.standalone.StackSettings;

/**
 * The SIP client against our own registrar in the distribution: the in-process {@link SipClient} service
 * (sharing the server's stack) and a standalone client (its own stack, as the device simulator will use it)
 * register, refresh, unregister; a managed registration with a 3 s expiry refreshes by itself (counted by
 * the server's stack); OPTIONS and MESSAGE get the server's real answers; the registrar's {@code sip:ping}
 * reaches the standalone client's OPTIONS handler through the client API.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ClientIT {
    @Inject
    private SipClient client;

    @Inject
    private SipStackStatus stack;

    @Inject
    private SessionFactory sessionFactory;

    @Configuration
    public Option[] config() {
        return KarafRun.options(
                KarafRun.standalone(), // SipClients.standalone: the probe acts as devices
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "min.expires", "2"),
                // no keep-alive ping may take a device offline while a test looks at it
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "offline.timeout", "600"));
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static Flow server() {
        return NextHop.of("udp", "127.0.0.1", KarafRun.sipPort());
    }

    private String online(KarafShell shell, String uuid) throws Exception {
        return KarafShell.online(shell.deviceRow(uuid));
    }

    @Test
    public void theInProcessClientRegistersRefreshesAndUnregisters() throws Exception {
        KarafShell shell = new KarafShell(sessionFactory);
        String uuid = "inproc-" + UUID.randomUUID().toString().substring(0, 8);
        String contact = "sip:" + uuid + "@127.0.0.1:" + KarafRun.sipPort();
        Registration r = get(client.register(server(), "sip:" + uuid + "@127.0.0.1", contact, 120));
        assertEquals(120, r.grantedExpires());
        assertTrue(r.contacts().toString(), r.contacts().stream().anyMatch(c -> c.contains(contact)));
        assertEquals("yes", Await.until(uuid + " online", Duration.ofSeconds(10), () -> online(shell, uuid), "yes"::equals));

        Registration refreshed = get(client.refresh(r, 60));
        assertEquals(60, refreshed.grantedExpires());
        assertEquals(r.callId(), refreshed.callId());

        SipReply gone = get(client.unregister(refreshed));
        assertEquals(200, gone.status());
        assertFalse(gone.headers("Contact").toString(), gone.headers("Contact").stream().anyMatch(c -> c.contains(contact)));
        assertEquals("no", Await.until(uuid + " offline", Duration.ofSeconds(10), () -> online(shell, uuid), "no"::equals));
    }

    @Test
    public void aStandaloneManagedRegistrationRefreshesItsShortExpiryAndUnregisters() throws Exception {
        KarafShell shell = new KarafShell(sessionFactory);
        String uuid = "standalone-" + UUID.randomUUID().toString().substring(0, 8);
        try (StandaloneSipClient device = SipClients.standalone(new StackSettings("127.0.0.1", 0, -1, "itest-device"))) {
            device.handle("OPTIONS", exchange -> exchange.respond(exchange.createResponse(200, "Simulated Device")));
            String contact = "sip:" + uuid + "@127.0.0.1:" + device.stack().listeningPoint("udp").port();
            long before = stack.counters().getOrDefault("requests.REGISTER", 0L);
            ManagedRegistration managed = device.manage(server(), "sip:" + uuid + "@127.0.0.1", contact, 3, null);
            // the first REGISTER and two refreshes at 85% of 3 s
            long seen = Await.until("three REGISTERs at the server", Duration.ofSeconds(30),
                    () -> stack.counters().getOrDefault("requests.REGISTER", 0L) - before, n -> n >= 3);
            assertTrue("REGISTERs seen: " + seen, seen >= 3);
            assertTrue(managed.state().toString(), managed.state().phase() == Phase.REGISTERED || managed.state().phase() == Phase.REFRESHING);
            assertEquals(3, managed.state().registration().grantedExpires());
            assertEquals("yes", online(shell, uuid));

            // the registrar's ping goes through the in-process client to the standalone client's handler
            String ping = shell.run("sip:ping " + uuid);
            assertTrue(ping, ping.contains("200 Simulated Device"));

            SipReply gone = get(managed.unregister());
            assertEquals(200, gone.status());
            assertEquals(Phase.CLOSED, managed.state().phase());
            assertEquals("no", Await.until(uuid + " offline", Duration.ofSeconds(10), () -> online(shell, uuid), "no"::equals));
        }
    }

    /**
     * The in-process client subscribes to a notifier on a standalone stack, whose NOTIFYs reach the server's stack and are delivered by the client's NOTIFY
     * handler (whiteboard); a NOTIFY of no subscription gets 481.
     */
    @Test
    public void notifiesReachTheInProcessClientThroughTheServersStack() throws Exception {
        java.util.List<org.screamrouter.sip.client.Notification> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (org.screamrouter.sip.stack.standalone.StandaloneSipStack notifier =
                     org.screamrouter.sip.stack.standalone.StandaloneSipStack.open(new StackSettings("127.0.0.1", 0, -1, "itest-notifier"))) {
            notifier.handle("SUBSCRIBE", exchange -> {
                javax.sip.message.Request sub = exchange.request();
                javax.sip.message.Response ok = exchange.createResponse(200);
                ok.setHeader(notifier.headers().createExpiresHeader(60));
                exchange.respond(ok);
                var from = (javax.sip.header.FromHeader) sub.getHeader(javax.sip.header.FromHeader.NAME);
                var to = (javax.sip.header.ToHeader) ok.getHeader(javax.sip.header.ToHeader.NAME);
                var contact = (javax.sip.header.ContactHeader) sub.getHeader(javax.sip.header.ContactHeader.NAME);
                javax.sip.message.Request notify = notifier.messages().createRequest(contact.getAddress().getURI(), "NOTIFY",
                        (javax.sip.header.CallIdHeader) sub.getHeader(javax.sip.header.CallIdHeader.NAME),
                        notifier.headers().createCSeqHeader(1L, "NOTIFY"),
                        notifier.headers().createFromHeader(to.getAddress(), to.getTag()),
                        notifier.headers().createToHeader(from.getAddress(), from.getTag()),
                        new java.util.ArrayList<>(), notifier.headers().createMaxForwardsHeader(70));
                notify.addHeader(notifier.headers().createEventHeader("presence"));
                notify.addHeader(notifier.headers().createHeader("Subscription-State", "active;expires=60"));
                notify.setContent("<presence/>", notifier.headers().createContentTypeHeader("application", "pidf+xml"));
                notifier.send(notify, exchange.flow(), Duration.ofSeconds(5));
            });
            Flow target = NextHop.of("udp", "127.0.0.1", notifier.listeningPoint("udp").port());
            org.screamrouter.sip.client.Subscription s = get(client.subscribe(target, "sip:dev@127.0.0.1", "presence", 60, notes::add));
            Await.until("the NOTIFY delivered", Duration.ofSeconds(15), notes::size, n -> n >= 1);
            assertEquals("active", notes.get(0).state());
            assertEquals("application/pidf+xml", notes.get(0).contentType());
            assertEquals("<presence/>", notes.get(0).bodyText());
            assertEquals(60, s.grantedExpires());
        }
        try (StandaloneSipClient outsider = SipClients.standalone(new StackSettings("127.0.0.1", 0, -1, null))) {
            SipReply stray = get(outsider.send("NOTIFY sip:client@127.0.0.1:" + KarafRun.sipPort() + " SIP/2.0\r\n"
                    + "Call-ID: stray-1\r\nCSeq: 1 NOTIFY\r\nFrom: <sip:n@127.0.0.1>;tag=a\r\nTo: <sip:client@127.0.0.1>;tag=b\r\n"
                    + "Event: presence\r\nSubscription-State: active\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
                    server(), Duration.ofSeconds(5)));
            assertEquals(481, stray.status());
        }
    }

    /** The client watches a device through this server's presence bundle: open, closed on unregister, terminated. */
    @Test
    public void theClientSubscribesToADevicesPresenceOnThisServer() throws Exception {
        String uuid = "watched-" + UUID.randomUUID().toString().substring(0, 8);
        java.util.List<org.screamrouter.sip.client.Notification> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (StandaloneSipClient device = SipClients.standalone(new StackSettings("127.0.0.1", 0, -1, "itest-device"));
             StandaloneSipClient watcher = SipClients.standalone(new StackSettings("127.0.0.1", 0, -1, "itest-watcher"))) {
            Registration r = get(device.register(server(), "sip:" + uuid + "@127.0.0.1", device.contactUri(uuid), 300));
            org.screamrouter.sip.client.Subscription s = get(watcher.subscribe(server(),
                    "sip:" + uuid + "@127.0.0.1:" + KarafRun.sipPort(), "presence", 120, notes::add));
            assertTrue(s.grantedExpires() > 0);
            // over UDP a NOTIFY without state comes first; the client's 200 to it proves its address (docs/security.md)
            org.screamrouter.sip.client.Notification first = Await.until("the first NOTIFY with state", Duration.ofSeconds(15),
                    () -> notes.stream().filter(n -> !n.bodyText().isEmpty()).findFirst().orElse(null), n -> n != null);
            assertTrue(first.bodyText(), first.bodyText().contains("<basic>open</basic>"));
            assertTrue("the pending NOTIFY came first: " + notes, notes.get(0).bodyText().isEmpty());

            get(device.unregister(r));
            Await.until("a NOTIFY saying closed", Duration.ofSeconds(15),
                    () -> notes.get(notes.size() - 1).bodyText(), b -> b.contains("<basic>closed</basic>"));

            assertEquals(200, get(s.unsubscribe()).status());
            Await.until("the final NOTIFY", Duration.ofSeconds(15), () -> notes.get(notes.size() - 1), n -> n.terminated());
            assertTrue(s.terminated());
        }
    }

    @Test
    public void optionsAndMessageGetTheServersRealAnswers() throws Exception {
        SipReply options = get(client.options(server()));
        assertEquals(200, options.status());
        assertTrue(options.headers("Allow").toString(), options.headers("Allow").contains("REGISTER"));
        try (StandaloneSipClient other = SipClients.standalone(new StackSettings("127.0.0.1", 0, -1, null))) {
            SipReply fromOutside = get(other.options(server()));
            assertEquals(200, fromOutside.status());
            SipReply message = get(other.message(server(), "sip:someone@127.0.0.1", "hello", "text/plain"));
            // nobody serves MESSAGE in this server: 405 listing what is served
            assertEquals(405, message.status());
            assertFalse(message.headers("Allow").toString(), message.headers("Allow").contains("MESSAGE"));
            assertTrue(message.headers("Allow").toString(), message.headers("Allow").contains("REGISTER"));
        }
    }
}
