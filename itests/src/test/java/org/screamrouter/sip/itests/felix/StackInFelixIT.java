package org.screamrouter.sip.itests.felix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.inject.Inject;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.cm.ConfigurationAdmin;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.Ports;
import org.screamrouter.sip.itests.support.FelixRun;
import org.screamrouter.sip.itests.SipPeer;
import org.screamrouter.sip.itests.SipResponse;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.SipStackStatus;

/**
 * The stack and the registrar in a plain Felix with SCR and ConfigAdmin, driven from a real UDP socket on
 * 127.0.0.1: configuration through ConfigAdmin, REGISTER / OPTIONS / 405 / 400 / 500 answers, live re-bind of
 * the UDP port, handlers coming and going with their bundles, and RFC 3581 response routing.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StackInFelixIT {
    private static final String STACK_PID = "org.screamrouter.sip.stack";
    private static final String STACK_BSN = "org.screamrouter.sip.stack";
    private static final String REGISTRAR_BSN = "org.screamrouter.sip.registrar";
    private static final String CLIENT_BSN = "org.screamrouter.sip.client";
    private static final Duration ANSWER = Duration.ofSeconds(3);
    private static final Duration SETTLE = Duration.ofSeconds(10);

    /** Chosen once per container (the probe class lives as long as the container). */
    private static boolean configured;

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return FelixRun.options(
                FelixRun.runtime("org.apache.felix.eventadmin.jar"),
                FelixRun.runtime("h2-mvstore.jar"),
                FelixRun.reactor("jain-sip", "org.screamrouter.sip.jainsip"),
                FelixRun.reactor("http", "org.screamrouter.sip.http"), // OriginPolicy
                FelixRun.reactor("sdp", "org.screamrouter.sip.sdp"),
                FelixRun.reactor("api", "org.screamrouter.sip.api"), // every API package; the bundles below export nothing
                // started by the first test, after its configuration is in place: nothing binds 5060 on 0.0.0.0
                FelixRun.reactor("stack", "org.screamrouter.sip.stack").start(false),
                FelixRun.reactor("client", "org.screamrouter.sip.client"),
                FelixRun.reactor("auth", "org.screamrouter.sip.auth"),
                FelixRun.reactor("registrar", "org.screamrouter.sip.registrar"));
    }

    @Before
    public void configureStackOnce() throws Exception {
        if (configured) return;
        FelixRun.startAllBut(context, STACK_BSN);
        int udp = Ports.free();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("bind.address", "127.0.0.1");
        props.put("udp.enabled", true);
        props.put("udp.port", udp);
        props.put("tcp.enabled", true);
        props.put("tcp.port", Ports.free());
        props.put("ws.enabled", false);
        // TLS is tested in the stack's own tests and in the distribution; here nothing binds the default ports
        props.put("tls.enabled", false);
        props.put("wss.enabled", false);
        // a handler that leaves is waited for this long before 503 (short: two tests wait it out)
        props.put("handler.wait", 1000);
        org.osgi.service.cm.Configuration configuration = configAdmin.getConfiguration(STACK_PID, "?");
        configuration.update(props);
        installed(STACK_BSN).start();
        Await.until("UDP listening point on " + udp, SETTLE, () -> status().listeningPoints(),
                points -> points.contains(new ListeningPoint("udp", "127.0.0.1", udp)));
        Await.until("REGISTER and OPTIONS served", SETTLE, () -> status().servedMethods(),
                methods -> methods.containsAll(Set.of("REGISTER", "OPTIONS")));
        configured = true;
    }

    @Test
    public void configuredPortsShowAsListeningPoints() throws Exception {
        List<ListeningPoint> points = status().listeningPoints();
        Dictionary<String, Object> props = configAdmin.getConfiguration(STACK_PID, "?").getProperties();
        assertTrue(points.toString(), points.contains(new ListeningPoint("udp", "127.0.0.1", (Integer) props.get("udp.port"))));
        assertTrue(points.toString(), points.contains(new ListeningPoint("tcp", "127.0.0.1", (Integer) props.get("tcp.port"))));
        assertFalse("ws is disabled: " + points, points.stream().anyMatch(p -> p.transport().equals("ws")));
        // every bound transport is also a ListeningPoint service, for bundles that follow the stack
        assertEquals(points.size(), context.getServiceReferences(ListeningPoint.class, null).size());
    }

    @Test
    public void registerAnswers200WithContactAndExpiresAndExpiresZeroRemoves() throws Exception {
        int port = udpPort();
        try (SipPeer peer = new SipPeer()) {
            String contactUri = "sip:alice@127.0.0.1:" + peer.localPort();
            SipResponse ok = peer.exchange(peer.request("REGISTER", "alice", port).expires(300), ANSWER);
            assertNotNull("no answer to REGISTER on udp " + port, ok);
            assertEquals(ok.toString(), 200, ok.status());
            assertEquals(ok.toString(), 1, ok.contacts().size());
            String contact = ok.contacts().get(0);
            assertTrue(contact, contact.contains(contactUri));
            int expires = Integer.parseInt(contact.replaceAll(".*;\\s*expires=(\\d+).*", "$1"));
            assertTrue(contact, expires > 290 && expires <= 300);

            List<Binding> bindings = registry().bindings("sip:alice@127.0.0.1");
            assertEquals(bindings.toString(), 1, bindings.size());
            Binding binding = bindings.get(0);
            assertEquals(contactUri, binding.contactUri());
            assertEquals("udp", binding.transport());
            assertEquals(peer.localPort(), binding.source().getPort());
            assertTrue(registry().bindings().contains(binding));

            SipResponse removed = peer.exchange(peer.request("REGISTER", "alice", port).cseq(2).expires(0), ANSWER);
            assertNotNull("no answer to REGISTER with Expires: 0", removed);
            assertEquals(removed.toString(), 200, removed.status());
            assertTrue(removed.toString(), removed.contacts().isEmpty());
            assertTrue(registry().bindings("sip:alice@127.0.0.1").isEmpty());
            assertTrue(registry().bindings().stream().noneMatch(b -> b.addressOfRecord().contains("alice")));
        }
    }

    @Test
    public void optionsAnswers200WithAllowListingOptionsAndRegister() throws Exception {
        try (SipPeer peer = new SipPeer()) {
            SipResponse ok = peer.exchange(peer.request("OPTIONS", "bob", udpPort()), ANSWER);
            assertNotNull("no answer to OPTIONS", ok);
            assertEquals(ok.toString(), 200, ok.status());
            assertTrue(ok.toString(), ok.tokens("Allow").containsAll(Set.of("OPTIONS", "REGISTER")));
        }
    }

    @Test
    public void unservedMethodGets405AndUnknownMethod501WithAllowListingExactlyTheServedMethods() throws Exception {
        try (SipPeer peer = new SipPeer()) {
            // RFC 3261 8.2.1: 405 for a method the server knows but nobody here serves, 501 for one it does not know
            for (Map.Entry<String, Integer> expected : Map.of("FOO", 501, "SUBSCRIBE", 405).entrySet()) {
                String method = expected.getKey();
                SipResponse answer = peer.exchange(peer.request(method, "carol", udpPort()), ANSWER);
                assertNotNull("no answer to " + method, answer);
                assertEquals(answer.toString(), (int) expected.getValue(), answer.status());
                // NOTIFY: the in-process SipClient takes the NOTIFYs of its subscriptions (481 for others)
                assertEquals(answer.toString(), Set.of("NOTIFY", "OPTIONS", "REGISTER"), answer.tokens("Allow"));
                assertEquals(new TreeSet<>(status().servedMethods()), answer.tokens("Allow"));
            }
        }
    }

    @Test
    public void cseqMethodOtherThanRequestMethodGets400() throws Exception {
        try (SipPeer peer = new SipPeer()) {
            SipResponse answer = peer.exchange(peer.request("REGISTER", "dave", udpPort()).cseqMethod("INVITE"), ANSWER);
            assertNotNull("no answer to a REGISTER with CSeq method INVITE", answer);
            assertEquals(answer.toString(), 400, answer.status());
            assertTrue("nothing stored from a bad request", registry().bindings("sip:dave@127.0.0.1").isEmpty());
        }
    }

    @Test
    public void cseqMethodMismatchGets400WithReasonNamingTheFault() throws Exception {
        try (SipPeer peer = new SipPeer()) {
            SipResponse answer = peer.exchange(peer.request("REGISTER", "dave", udpPort()).cseqMethod("INVITE"), ANSWER);
            assertNotNull("no answer to a REGISTER with CSeq method INVITE", answer);
            assertEquals(answer.toString(), 400, answer.status());
            assertTrue("reason phrase should name the CSeq fault: " + answer, answer.reason().contains("CSeq"));
        }
    }

    @Test
    public void responseGoesToTheSourcePortWhateverTheViaSays() throws Exception {
        try (SipPeer sender = new SipPeer(); SipPeer namedInVia = new SipPeer()) {
            SipResponse ok = sender.exchange(sender.request("OPTIONS", "erin", udpPort()).viaPort(namedInVia.localPort()), ANSWER);
            assertNotNull("the source port got no answer (RFC 3581)", ok);
            assertEquals(ok.toString(), 200, ok.status());
            String via = ok.header("Via");
            assertTrue(via, via.contains("rport=" + sender.localPort()));
            assertTrue(via, via.contains("received=127.0.0.1"));
            assertNull("the port named in Via got an answer", namedInVia.receive(Duration.ofMillis(300)));
        }
    }

    @Test
    public void throwingHandlerGets500AndItsRemovalGets503WithRetryAfter() throws Exception {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(SipRequestHandler.METHOD, "MESSAGE");
        SipRequestHandler throwing = exchange -> {
            throw new IllegalStateException("thrown on purpose by the test");
        };
        ServiceRegistration<SipRequestHandler> registration = context.registerService(SipRequestHandler.class, throwing, props);
        try (SipPeer peer = new SipPeer()) {
            try {
                Await.until("MESSAGE served", SETTLE, () -> status().servedMethods(), m -> m.contains("MESSAGE"));
                SipResponse failed = peer.exchange(peer.request("MESSAGE", "frank", udpPort()), ANSWER);
                assertNotNull("no answer to MESSAGE from a throwing handler", failed);
                assertEquals(failed.toString(), 500, failed.status());
                assertFalse("500 needs a reason phrase", failed.reason().isBlank());
            } finally {
                registration.unregister();
            }
            Await.until("MESSAGE no longer served", SETTLE, () -> status().servedMethods(), m -> !m.contains("MESSAGE"));
            // served a moment ago: held for handler.wait (1 s here) in case a new revision comes, then 503
            SipResponse gone = peer.exchange(peer.request("MESSAGE", "frank", udpPort()), ANSWER);
            assertNotNull("no answer to MESSAGE after its handler left", gone);
            assertEquals(gone.toString(), 503, gone.status());
            assertTrue(gone.toString(), gone.reason().contains("MESSAGE handler is being replaced or was stopped"));
            assertFalse(gone.toString(), gone.tokens("Retry-After").isEmpty());
        }
    }

    @Test
    public void stoppingTheRegistrarTurnsRegisterInto503WithRetryAfterAndStartingItRestores200() throws Exception {
        Bundle registrar = installed(REGISTRAR_BSN);
        try (SipPeer peer = new SipPeer()) {
            registrar.stop();
            try {
                // a stopped registrar is a temporary state, not a method never served: 503, not 405
                SipResponse refused = Await.until("REGISTER refused with 503", SETTLE,
                        () -> peer.exchange(peer.request("REGISTER", "grace", udpPort()), ANSWER),
                        r -> r != null && r.status() == 503);
                assertFalse(refused.toString(), refused.tokens("Retry-After").isEmpty());
                assertFalse(status().servedMethods().contains("REGISTER"));
            } finally {
                registrar.start();
            }
            SipResponse ok = Await.until("REGISTER served again", SETTLE,
                    () -> peer.exchange(peer.request("REGISTER", "grace", udpPort()), ANSWER),
                    r -> r != null && r.status() == 200);
            assertTrue(ok.toString(), ok.contacts().get(0).contains("sip:grace@127.0.0.1:" + peer.localPort()));
        }
    }

    /**
     * Issue 16: {@code bundle:update} of the registrar while a device re-registers back to back. Every REGISTER gets
     * 200 (before the stack held them, those in the gap got 405) and the binding is still there afterwards.
     */
    @Test
    public void updatingTheRegistrarWhileADeviceRegistersLosesNoRequestAndNoBinding() throws Exception {
        org.osgi.service.cm.Configuration configuration = configAdmin.getConfiguration(STACK_PID, "?");
        Dictionary<String, Object> props = configuration.getProperties();
        props.put("handler.wait", 10000);
        configuration.update(props);
        Bundle registrar = installed(REGISTRAR_BSN);
        java.util.Map<Integer, Integer> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean updated = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger afterUpdate = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong longest = new java.util.concurrent.atomic.AtomicLong();
        try (SipPeer peer = new SipPeer()) {
            Await.until("REGISTER served", SETTLE, () -> peer.exchange(peer.request("REGISTER", "ivan", udpPort()).expires(300), ANSWER),
                    r -> r != null && r.status() == 200);
            Thread sender = new Thread(() -> {
                try {
                    while (afterUpdate.get() < 20 && !Thread.currentThread().isInterrupted()) {
                        long t0 = System.nanoTime();
                        SipResponse r = peer.exchange(peer.request("REGISTER", "ivan", udpPort()).expires(300), Duration.ofSeconds(15));
                        longest.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                        statuses.merge(r == null ? -1 : r.status(), 1, Integer::sum);
                        if (updated.get()) afterUpdate.incrementAndGet();
                    }
                } catch (Exception e) {
                    statuses.merge(-2, 1, Integer::sum);
                }
            }, "registering-device");
            sender.start();
            try {
                Await.until("some REGISTERs before the update", SETTLE, () -> statuses.getOrDefault(200, 0), n -> n >= 20);
                registrar.update();
                updated.set(true);
                Await.until("20 REGISTERs after the update", Duration.ofSeconds(30), afterUpdate::get, n -> n >= 20);
            } finally {
                sender.interrupt();
                sender.join(20000);
            }
            System.out.println("StackInFelixIT: REGISTER answers across a registrar update: " + statuses + ", longest answer " + longest.get() + " ms");
            assertEquals("every REGISTER answered 200 across the update: " + statuses, java.util.Set.of(200), statuses.keySet());
            Await.until("ivan's binding in the new registrar", SETTLE, () -> registry().bindings("sip:ivan@127.0.0.1"), b -> b.size() == 1);
        } finally {
            props.put("handler.wait", 1000);
            configuration.update(props);
        }
    }

    /**
     * Issue 16 item 1: implementation bundles export nothing (their API packages are the API bundle's), so a
     * {@code bundle:update} of the client needs no refresh: the new revision's {@code SipClient} is visible to the
     * registrar, whose mandatory reference takes it, and REGISTER is served again. Before the API bundle the new
     * service was built on the new revision's copy of the package and the registrar waited for it until a refresh.
     */
    @Test
    public void updatingTheClientNeedsNoRefreshTheRegistrarTakesTheNewClient() throws Exception {
        for (String bsn : List.of(STACK_BSN, CLIENT_BSN, REGISTRAR_BSN)) {
            assertEquals(bsn + " exports no package", List.of(),
                    installed(bsn).adapt(BundleWiring.class).getCapabilities(PackageNamespace.PACKAGE_NAMESPACE));
        }
        Bundle client = installed(CLIENT_BSN);
        Bundle registrar = installed(REGISTRAR_BSN);
        long before = (Long) context.getServiceReference(SipClient.class).getProperty("service.id");
        Object registryBefore = context.getServiceReference(DeviceRegistry.class).getProperty("service.id");
        try (SipPeer peer = new SipPeer()) {
            client.update();
            ServiceReference<SipClient> fresh = Await.until("the new revision's SipClient", SETTLE,
                    () -> context.getServiceReference(SipClient.class),
                    r -> r != null && (Long) r.getProperty("service.id") != before);
            assertTrue("the registrar can use the new revision's SipClient", fresh.isAssignableTo(registrar, SipClient.class.getName()));
            SipResponse ok = Await.until("REGISTER served after the client update", SETTLE,
                    () -> peer.exchange(peer.request("REGISTER", "judy", udpPort()), ANSWER),
                    r -> r != null && r.status() == 200);
            assertTrue(ok.toString(), ok.contacts().get(0).contains("sip:judy@127.0.0.1:" + peer.localPort()));
            // the registrar was not restarted (its reference to the client is dynamic) and pings through the new client
            assertEquals("the registrar's DeviceRegistry service, before and after the client update", registryBefore,
                    context.getServiceReference(DeviceRegistry.class).getProperty("service.id"));
            context.getService(context.getServiceReference(DeviceRegistry.class)).ping("judy");
            String ping = peer.receiveRequest(SETTLE);
            assertTrue("the keep-alive ping reaches the device through the new client: " + ping,
                    ping != null && ping.startsWith("OPTIONS sip:judy@127.0.0.1:" + peer.localPort()));
        }
    }

    @Test
    public void changingUdpPortThroughConfigAdminMovesTheListener() throws Exception {
        int oldPort = udpPort();
        int newPort = Ports.free();
        org.osgi.service.cm.Configuration configuration = configAdmin.getConfiguration(STACK_PID, "?");
        Dictionary<String, Object> props = configuration.getProperties();
        props.put("udp.port", newPort);
        configuration.update(props);
        Await.until("UDP listening point moved to " + newPort, SETTLE, () -> status().listeningPoints(),
                points -> points.contains(new ListeningPoint("udp", "127.0.0.1", newPort))
                        && points.stream().noneMatch(p -> p.transport().equals("udp") && p.port() == oldPort));
        assertEquals(newPort, (int) context.getServiceReferences(ListeningPoint.class, "(" + ListeningPoint.TRANSPORT + "=udp)")
                .iterator().next().getProperty(ListeningPoint.PORT));
        try (SipPeer peer = new SipPeer()) {
            SipResponse ok = peer.exchange(peer.request("OPTIONS", "heidi", newPort), ANSWER);
            assertNotNull("the new port " + newPort + " does not answer", ok);
            assertEquals(ok.toString(), 200, ok.status());
            assertNull("the old port " + oldPort + " still answers",
                    peer.exchange(peer.request("OPTIONS", "heidi", oldPort), Duration.ofMillis(1500)));
        }
    }

    private int udpPort() {
        return status().listeningPoints().stream().filter(p -> p.transport().equals("udp")).findFirst()
                .orElseThrow(() -> new AssertionError("no UDP listening point")).port();
    }

    private SipStackStatus status() {
        return service(SipStackStatus.class);
    }

    private DeviceRegistry registry() {
        return service(DeviceRegistry.class);
    }

    private <T> T service(Class<T> type) {
        return FelixRun.service(context, type);
    }

    private Bundle installed(String symbolicName) {
        return FelixRun.installed(context, symbolicName);
    }
}
