package org.screamrouter.sip.itests.felix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.inject.Inject;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import org.junit.After;
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
import org.osgi.framework.Version;
import org.osgi.service.cm.ConfigurationAdmin;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.Ports;
import org.screamrouter.sip.itests.support.FelixRun;
import org.screamrouter.sip.mdns.MdnsPublication;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipStackStatus;

/**
 * The mDNS publisher in a plain Felix with SCR and ConfigAdmin, following the real stack, seen by a JmDNS browser in
 * the test. Everything is on 127.0.0.1: the publisher is configured with {@code interfaces=127.0.0.1} before its
 * bundle starts, so nothing is ever announced on a real interface of this machine.
 *
 * <p>What the browser sees is always a fresh resolution (a query answered now, never a cached record): JmDNS reaps
 * goodbye records only every ten seconds, so waiting for its {@code serviceRemoved} would make the test slow.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MdnsInFelixIT {
    private static final String STACK_PID = "org.screamrouter.sip.stack";
    private static final String MDNS_PID = "org.screamrouter.sip.mdns";
    private static final String STACK_BSN = "org.screamrouter.sip.stack";
    private static final String MDNS_BSN = "org.screamrouter.sip.mdns";
    private static final String TYPE = MdnsPublication.SERVICE_TYPE;
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Duration DISCOVERY = Duration.ofSeconds(20);
    /** How long one fresh query waits for answers. */
    private static final int QUERY_MS = 1000;
    private static final String SIP_DOMAIN = "felix-itest.screamrouter.test";

    /** Unique per run: other tests on this machine may announce ScreamRouter on 127.0.0.1 at the same time. */
    private static final String INSTANCE = "ScreamRouter itest " + UUID.randomUUID().toString().substring(0, 8);
    private static final AtomicInteger BROWSERS = new AtomicInteger();
    /**
     * Closing a JmDNS blocks about two seconds (goodbyes for its host record): the throw-away browsers are closed
     * here, beside the test, and every close has finished before the test ends.
     */
    private final ExecutorService closer = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "itest-jmdns-close");
        t.setDaemon(true);
        return t;
    });

    /** Chosen once per container (the probe class lives as long as the container). */
    private static boolean configured;
    private static int wsPort;
    private static int tlsPort;
    private static int wssPort;

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return FelixRun.options(
                FelixRun.runtime("jmdns.jar"),
                FelixRun.reactor("jain-sip", "org.screamrouter.sip.jainsip"),
                FelixRun.reactor("http", "org.screamrouter.sip.http"), // OriginPolicy
                FelixRun.reactor("sdp", "org.screamrouter.sip.sdp"), // imported by the API bundle (registrar API)
                FelixRun.reactor("api", "org.screamrouter.sip.api"), // every API package; the bundles below export nothing
                // both started by the first test, after their configurations are in place: the stack binds nothing on
                // 0.0.0.0:5060 and the publisher never announces on a real interface, not even for a moment
                FelixRun.reactor("stack", "org.screamrouter.sip.stack").start(false),
                FelixRun.reactor("mdns", "org.screamrouter.sip.mdns").start(false));
    }

    @Before
    public void configureOnce() throws Exception {
        if (configured) return;
        FelixRun.startAllBut(context, STACK_BSN, MDNS_BSN);

        Dictionary<String, Object> mdns = new Hashtable<>();
        mdns.put("enabled", true);
        mdns.put("interfaces", new String[] {"127.0.0.1"});
        mdns.put("instance.name", INSTANCE);
        mdns.put("sip.domain", SIP_DOMAIN);
        mdns.put("publish.sip.udp", false);
        configAdmin.getConfiguration(MDNS_PID, "?").update(mdns);

        int udp = Ports.free();
        wsPort = Ports.free();
        Dictionary<String, Object> stack = new Hashtable<>();
        stack.put("bind.address", "127.0.0.1");
        stack.put("udp.enabled", true);
        stack.put("udp.port", udp);
        stack.put("tcp.enabled", true);
        stack.put("tcp.port", Ports.free());
        stack.put("ws.enabled", true);
        stack.put("ws.port", wsPort);
        tlsPort = Ports.free();
        wssPort = Ports.free();
        stack.put("tls.enabled", true);
        stack.put("tls.port", tlsPort);
        stack.put("wss.enabled", true);
        stack.put("wss.port", wssPort);
        configAdmin.getConfiguration(STACK_PID, "?").update(stack);

        installed(STACK_BSN).start();
        Await.until("UDP listening point on " + udp, SETTLE, () -> service(SipStackStatus.class).listeningPoints(),
                points -> points.contains(new ListeningPoint("udp", "127.0.0.1", udp)));
        // the configuration is stored before the bundle starts: SCR activates the publisher with it, never with the
        // default (every non-loopback interface)
        installed(MDNS_BSN).start();
        configured = true;
    }

    @After
    public void closeTheBrowsers() throws InterruptedException {
        closer.shutdown();
        assertTrue("throw-away JmDNS browsers still closing after 20 s", closer.awaitTermination(20, TimeUnit.SECONDS));
    }

    @Test
    public void browserFindsTheServiceWithTheLiveUdpPortAndTheTxtRecord() throws Exception {
        int udp = udpPort();
        long start = System.nanoTime();
        Resolved found = awaitResolved(udp);
        System.out.printf("MdnsInFelixIT: '%s' resolved on port %d after %d ms: %s%n", INSTANCE, udp,
                (System.nanoTime() - start) / 1_000_000, found.txt());

        MdnsPublication publication = service(MdnsPublication.class);
        Version v = installed(MDNS_BSN).getVersion();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("router_uuid", publication.routerUuid());
        expected.put("srv_version", "2.0");
        expected.put("transport", "udp,tcp,ws,tls,wss");
        expected.put("ws_port", Integer.toString(wsPort));
        expected.put("tls_port", Integer.toString(tlsPort));
        expected.put("wss_port", Integer.toString(wssPort));
        expected.put("sip_domain", SIP_DOMAIN);
        expected.put("version", v.getMajor() + "." + v.getMinor() + "." + v.getMicro());
        assertEquals(expected, found.txt());
        assertTrue(publication.routerUuid(), publication.routerUuid().matches("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"));
        assertEquals("published", publication.state());
        assertTrue(found.toString(), found.addresses().contains("127.0.0.1"));
    }

    @Test
    public void udpPortChangeThroughConfigAdminIsSeenByTheBrowser() throws Exception {
        int oldPort = udpPort();
        awaitResolved(oldPort);
        int newPort = Ports.free();
        org.osgi.service.cm.Configuration configuration = configAdmin.getConfiguration(STACK_PID, "?");
        Dictionary<String, Object> props = configuration.getProperties();
        props.put("udp.port", newPort);
        long start = System.nanoTime();
        configuration.update(props);
        Resolved moved = awaitResolved(newPort);
        System.out.printf("MdnsInFelixIT: port change %d -> %d seen by the browser after %d ms%n", oldPort, newPort,
                (System.nanoTime() - start) / 1_000_000);
        assertEquals(service(MdnsPublication.class).routerUuid(), moved.txt().get("router_uuid"));
        assertEquals(newPort, udpPort());
    }

    @Test
    public void stoppingTheBundleRemovesTheServiceAndStartingItRepublishesTheSameRouterUuid() throws Exception {
        int udp = udpPort();
        String uuid = awaitResolved(udp).txt().get("router_uuid");
        assertEquals(service(MdnsPublication.class).routerUuid(), uuid);

        Bundle mdns = installed(MDNS_BSN);
        long start = System.nanoTime();
        mdns.stop(); // returns after the deactivation sent its goodbyes
        try {
            assertEquals(Bundle.RESOLVED, mdns.getState());
            Await.until("'" + INSTANCE + "' gone from a fresh browse", DISCOVERY, () -> resolveFresh(), r -> r == null);
            System.out.printf("MdnsInFelixIT: gone from the browser's view %d ms after bundle stop began%n",
                    (System.nanoTime() - start) / 1_000_000);
            assertTrue("publisher threads left after stop: " + threadsNamed("sip-mdns-publisher"),
                    threadsNamed("sip-mdns-publisher").isEmpty());
        } finally {
            start = System.nanoTime();
            mdns.start();
        }
        Resolved again = awaitResolved(udp);
        System.out.printf("MdnsInFelixIT: republished %d ms after bundle start%n", (System.nanoTime() - start) / 1_000_000);
        assertEquals("router_uuid after a restart of the bundle", uuid, again.txt().get("router_uuid"));
    }

    // --- the browser ------------------------------------------------------------------------------------------------

    /** One fresh resolution of our instance: port, TXT and the addresses its A records name. */
    private record Resolved(int port, Map<String, String> txt, List<String> addresses) {}

    /** Resolves until the SRV port is {@code port} and the TXT record is present. */
    private Resolved awaitResolved(int port) throws Exception {
        return Await.until("'" + INSTANCE + "' resolved with port " + port, DISCOVERY, this::resolveFresh,
                r -> r != null && r.port() == port && !r.txt().isEmpty());
    }

    /**
     * Asks the link now, from a JmDNS on 127.0.0.1 with an empty cache, so that nothing cached (a record that a
     * goodbye has expired, or the SRV of the old port) can answer: null when nobody answers within {@link #QUERY_MS}.
     */
    private Resolved resolveFresh() throws IOException {
        JmDNS browser = JmDNS.create(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}),
                "srsip-browser-" + INSTANCE.substring(INSTANCE.length() - 8) + "-" + BROWSERS.incrementAndGet());
        try {
            ServiceInfo info = browser.getServiceInfo(TYPE, INSTANCE, QUERY_MS);
            if (info == null || info.getPort() == 0) return null;
            Map<String, String> txt = new LinkedHashMap<>();
            for (String key : Collections.list(info.getPropertyNames())) {
                txt.put(key, info.getPropertyString(key));
            }
            List<String> addresses = new ArrayList<>();
            for (InetAddress a : info.getInetAddresses()) addresses.add(a.getHostAddress());
            return new Resolved(info.getPort(), txt, addresses);
        } finally {
            closer.execute(() -> {
                try {
                    browser.close();
                } catch (IOException e) {
                    System.err.println("MdnsInFelixIT: closing a browser: " + e);
                }
            });
        }
    }

    // --- helpers ------------------------------------------------------------------------------------------------------

    private int udpPort() throws Exception {
        return Await.until("a UDP listening point", SETTLE, () -> service(SipStackStatus.class).listeningPoints(),
                        points -> points.stream().anyMatch(p -> p.transport().equals("udp")))
                .stream().filter(p -> p.transport().equals("udp")).findFirst().orElseThrow().port();
    }

    private static List<String> threadsNamed(String part) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).map(Thread::getName).filter(n -> n.contains(part)).toList();
    }

    private <T> T service(Class<T> type) {
        return FelixRun.service(context, type);
    }

    private Bundle installed(String symbolicName) {
        return FelixRun.installed(context, symbolicName);
    }
}
