package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.Ports;
import org.screamrouter.sip.itests.SipPeer;
import org.screamrouter.sip.itests.SipResponse;
import org.screamrouter.sip.itests.support.Baresip;
import org.screamrouter.sip.itests.support.DeviceAgent;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;
import org.screamrouter.sip.itests.support.Register;
import org.screamrouter.sip.itests.support.Tools;
import org.screamrouter.sip.itests.support.Watcher;

/**
 * Presence against the distribution, with a short keep-alive (2 s) and offline timeout (5 s), as RegistrarKeepAliveIT: a watcher on a real
 * UDP socket subscribes to a device and gets NOTIFYs that follow its registration (closed, open, closed, open) and
 * a terminated one on unsubscribe; 489 for an unknown package; PUBLISH with its entity-tag lifecycle reaches
 * watchers; the reg package sees a new registration; a subscription survives {@code bundle:update} of the presence
 * bundle; baresip's presence module subscribes to a device and answers the NOTIFYs.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PresenceIT {
    private static final int INTERVAL = 2;
    private static final int TIMEOUT = 5;
    private static final int FAN_OUT = 500;
    private static final Duration STATE_CHANGE = Duration.ofSeconds(TIMEOUT + 2L * INTERVAL + 8);
    private static final String PIDF = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:%s@127.0.0.1\">\n"
            + "  <tuple id=\"speaker\"><status><basic>%s</basic></status><note>%s</note></tuple>\n</presence>\n";

    /**
     * Karaf's boot provisioning has ended (docs/architecture.md, "Boot"): while the features service still deploys,
     * Felix can refuse a bundle update ("Unable to acquire global lock for resolve").
     */
    @Inject
    @Filter(timeout = 120_000)
    private BootFinished bootFinished;

    @Inject
    private BundleContext context;

    @Inject
    private SessionFactory sessionFactory;

    @Configuration
    public Option[] config() {
        Path bundles = Path.of(System.getProperty("itest.bundles")).toAbsolutePath().normalize();
        String tcp = Integer.toString(Ports.free());
        return KarafRun.options(
                // after KarafRun's own tcp.port: the later edit wins, and the probe learns the port
                editConfigurationFilePut(KarafRun.STACK_CFG, "tcp.port", tcp),
                systemProperty("itest.sip.tcp.port").value(tcp),
                // our INFO lines (a state change each) in data/log/karaf.log, to read when a test fails
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.screamrouter.name", "org.screamrouter"),
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.screamrouter.level", "INFO"),
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "keepalive.interval", Integer.toString(INTERVAL)),
                editConfigurationFilePut("etc/org.screamrouter.sip.presence.cfg", "reg.all.watchers", "ui"),
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "offline.timeout", Integer.toString(TIMEOUT)),
                systemProperty("itest.presence.jar").value(bundles.resolve("presence/target/org.screamrouter.sip.presence-"
                        + System.getProperty("itest.projectVersion") + ".jar").toString()));
    }

    private SipResponse register(DeviceAgent device, String uuid, int expires) throws Exception {
        int server = KarafRun.sipPort();
        String text = new Register(uuid, server, device.port()).expires(expires).toString();
        return Await.until("200 to the REGISTER of " + uuid, Duration.ofSeconds(30),
                () -> device.exchange(text, server, Duration.ofMillis(500)), r -> r != null && r.status() == 200);
    }

    private static List<Watcher.Notify> awaitNotifies(Watcher w, int n, Duration within) throws Exception {
        return Await.until(n + " NOTIFY(s)", within, w::dialogNotifies, l -> l.size() >= n);
    }

    private String subscriptionRow(String id) throws Exception {
        for (String line : new KarafShell(sessionFactory).run("sip:subscriptions").split("\\R")) {
            if (line.contains(id)) return line;
        }
        return null;
    }

    @Test
    public void watcherSeesClosedOpenClosedOpenThenTerminatedOnUnsubscribe() throws Exception {
        int server = KarafRun.sipPort();
        String uuid = UUID.randomUUID().toString();
        try (DeviceAgent device = new DeviceAgent(); Watcher watcher = new Watcher("ui-" + uuid.substring(0, 8))) {
            // the device is known but offline: registered once, then unregistered
            register(device, uuid, 600);
            assertEquals(200, register(device, uuid, 0).status());

            SipResponse ok = Await.until("200 to SUBSCRIBE", Duration.ofSeconds(20),
                    () -> watcher.subscribe(uuid, "presence", 600, server), r -> r != null);
            assertEquals(ok.toString(), 200, ok.status());
            assertEquals("600", ok.header("expires"));
            assertNotNull("a To-tag", watcher.toTag());
            assertEquals("closed", awaitNotifies(watcher, 1, Duration.ofSeconds(10)).get(0).basic());
            // over UDP, before any state: one NOTIFY without a body, whose 200 proved the watcher's address (issue 13)
            List<Watcher.Notify> pending = watcher.pendingNotifies();
            assertEquals(pending.toString(), 1, pending.size());
            assertTrue(pending.get(0).text(), pending.get(0).body().isEmpty() && pending.get(0).cseq() < watcher.dialogNotifies().get(0).cseq());

            register(device, uuid, 600);
            assertEquals("open", awaitNotifies(watcher, 2, Duration.ofSeconds(10)).get(1).basic());

            long silent = System.nanoTime();
            device.answerPings(false);
            assertEquals("closed", awaitNotifies(watcher, 3, STATE_CHANGE).get(2).basic());
            System.out.println("closed NOTIFY " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silent)
                    + " ms after the device went silent (offline timeout " + TIMEOUT + " s)");

            device.answerPings(true);
            long back = System.nanoTime();
            register(device, uuid, 600);
            List<Watcher.Notify> all = awaitNotifies(watcher, 4, Duration.ofSeconds(10));
            System.out.println("open NOTIFY " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back) + " ms after its REGISTER");
            assertEquals(List.of("closed", "open", "closed", "open"), all.stream().map(Watcher.Notify::basic).toList());
            for (int i = 0; i < all.size(); i++) {
                Watcher.Notify n = all.get(i);
                if (i > 0) assertTrue("CSeq increases", n.cseq() > all.get(i - 1).cseq());
                assertTrue(n.text(), n.header("Subscription-State").startsWith("active;expires="));
                assertEquals("presence", n.header("Event"));
                assertEquals("application/pidf+xml", n.header("Content-Type"));
                assertTrue(n.text(), n.header("From").contains("tag=" + watcher.toTag()));
            }
            String row = Await.until("the subscription in sip:subscriptions", Duration.ofSeconds(5), () -> subscriptionRow(watcher.toTag()),
                    r -> r != null && r.contains(" 5")); // 4 with state and the pending one
            assertTrue(row, row.contains(uuid) && row.contains("presence") && row.contains("open"));

            SipResponse bye = watcher.subscribe(uuid, "presence", 0, server);
            assertEquals(bye.toString(), 200, bye.status());
            Watcher.Notify last = awaitNotifies(watcher, 5, Duration.ofSeconds(10)).get(4);
            assertTrue(last.text(), last.header("Subscription-State").startsWith("terminated"));
            Await.until("the subscription gone from sip:subscriptions", Duration.ofSeconds(10), () -> subscriptionRow(watcher.toTag()),
                    r -> r == null);
            assertEquals("a refresh of the ended subscription", 481, watcher.subscribe(uuid, "presence", 600, server).status());
        }
    }

    @Test
    public void unknownEventPackageGets489WithAllowEvents() throws Exception {
        int server = KarafRun.sipPort();
        String uuid = UUID.randomUUID().toString();
        try (DeviceAgent device = new DeviceAgent(); Watcher watcher = new Watcher("ui")) {
            register(device, uuid, 600);
            SipResponse r = Await.until("an answer to SUBSCRIBE", Duration.ofSeconds(20),
                    () -> watcher.subscribe(uuid, "dialog", 600, server), x -> x != null);
            assertEquals(r.toString(), 489, r.status());
            assertTrue(r.toString(), r.tokens("allow-events").containsAll(List.of("PRESENCE", "REG")));
            assertEquals("404 for nobody", 404, watcher.subscribe("nobody-" + uuid, "presence", 600, server).status());
            assertTrue("no NOTIFY for refused subscriptions", watcher.notifies().isEmpty());
        }
    }

    @Test
    public void publishedStateReachesWatchersWithItsEntityTagLifecycle() throws Exception {
        int server = KarafRun.sipPort();
        String uuid = UUID.randomUUID().toString();
        try (DeviceAgent device = new DeviceAgent(); Watcher watcher = new Watcher("ui"); Watcher publisher = new Watcher(uuid)) {
            register(device, uuid, 600);
            assertEquals(200, Await.until("200 to SUBSCRIBE", Duration.ofSeconds(20),
                    () -> watcher.subscribe(uuid, "presence", 600, server), r -> r != null).status());
            assertEquals("open", awaitNotifies(watcher, 1, Duration.ofSeconds(10)).get(0).basic());

            assertEquals(415, publisher.publish(uuid, null, 600, "text/plain", "muted", server).status());
            SipResponse bad = publisher.publish(uuid, null, 600, "application/pidf+xml", "<presence", server);
            assertEquals(400, bad.status());
            assertTrue(bad.reason(), bad.reason().startsWith("Bad PIDF body"));

            String doc = String.format(PIDF, uuid, "closed", "muted for the night");
            SipResponse created = publisher.publish(uuid, null, 600, "application/pidf+xml", doc, server);
            assertEquals(created.toString(), 200, created.status());
            String etag = created.header("sip-etag");
            assertNotNull(created.toString(), etag);
            Watcher.Notify published = awaitNotifies(watcher, 2, Duration.ofSeconds(10)).get(1);
            assertEquals("closed", published.basic());
            assertTrue(published.body(), published.body().contains("muted for the night"));

            SipResponse refreshed = publisher.publish(uuid, etag, 600, null, null, server);
            assertEquals(refreshed.toString(), 200, refreshed.status());
            String etag2 = refreshed.header("sip-etag");
            assertNotEquals("a new entity-tag on refresh", etag, etag2);
            SipResponse stale = publisher.publish(uuid, etag, 600, null, null, server);
            assertEquals(stale.toString(), 412, stale.status());
            assertTrue(new KarafShell(sessionFactory).run("sip:subscriptions -p").contains(etag2));

            SipResponse removed = publisher.publish(uuid, etag2, 0, null, null, server);
            assertEquals(removed.toString(), 200, removed.status());
            Watcher.Notify back = awaitNotifies(watcher, 3, Duration.ofSeconds(10)).get(2);
            assertEquals("the registrar's view again", "open", back.basic());
            assertEquals("no NOTIFY for the refresh", 3, watcher.dialogNotifies().size());
        }
    }

    @Test
    public void regPackageOfTheRouterSeesANewRegistration() throws Exception {
        int server = KarafRun.sipPort();
        String uuid = UUID.randomUUID().toString();
        try (DeviceAgent device = new DeviceAgent(); Watcher ui = new Watcher("ui")) {
            SipResponse ok = Await.until("200 to SUBSCRIBE reg", Duration.ofSeconds(20),
                    () -> ui.subscribe("screamrouter", "reg", 600, server), r -> r != null && r.status() == 200);
            Watcher.Notify first = awaitNotifies(ui, 1, Duration.ofSeconds(10)).get(0);
            assertEquals("application/reginfo+xml", first.header("Content-Type"));
            assertEquals("reg", first.header("Event"));
            assertTrue(first.body(), first.body().contains("version=\"0\"") && first.body().contains("state=\"full\""));
            assertTrue(first.body(), !first.body().contains(uuid));

            register(device, uuid, 600);
            Watcher.Notify seen = Await.until("a reginfo NOTIFY naming " + uuid, Duration.ofSeconds(10), () -> ui.dialogNotifies(),
                    l -> l.stream().anyMatch(n -> n.body().contains("sip:" + uuid + "@"))).stream()
                    .filter(n -> n.body().contains("sip:" + uuid + "@")).findFirst().orElseThrow();
            assertTrue(seen.body(), seen.body().contains("<uri>sip:" + uuid + "@127.0.0.1:" + device.port()));
            assertTrue(seen.body(), seen.body().contains("event=\"registered\""));
            // after the first full state the router-wide subscription gets only what changed
            assertTrue(seen.body(), seen.body().contains("state=\"partial\"") && !seen.body().contains("version=\"0\""));
            assertTrue(ok.toString(), ui.subscribe("screamrouter", "reg", 0, server).status() == 200);
        }
    }

    @Test
    public void subscriptionSurvivesBundleUpdateOfPresence() throws Exception {
        int server = KarafRun.sipPort();
        String uuid = UUID.randomUUID().toString();
        try (DeviceAgent device = new DeviceAgent(); Watcher watcher = new Watcher("ui")) {
            register(device, uuid, 600);
            assertEquals(200, Await.until("200 to SUBSCRIBE", Duration.ofSeconds(20),
                    () -> watcher.subscribe(uuid, "presence", 600, server), r -> r != null).status());
            Watcher.Notify before = awaitNotifies(watcher, 1, Duration.ofSeconds(10)).get(0);
            assertEquals("open", before.basic());

            File jar = new File(System.getProperty("itest.presence.jar"));
            assertTrue(jar + " is missing", jar.isFile());
            Bundle presence = null;
            for (Bundle b : context.getBundles()) if ("org.screamrouter.sip.presence".equals(b.getSymbolicName())) presence = b;
            assertNotNull("presence bundle installed", presence);
            long modified = presence.getLastModified();
            KarafShell shell = new KarafShell(sessionFactory);
            long start = System.nanoTime();
            String output = shell.run("bundle:update " + presence.getBundleId() + " " + jar.toURI());
            Bundle updated = presence;
            Await.until("presence bundle active again", Duration.ofSeconds(30), updated::getState, s -> s == Bundle.ACTIVE);
            Await.until("the subscription listed after the update", Duration.ofSeconds(30), () -> subscriptionRow(watcher.toTag()),
                    r -> r != null);
            System.out.println("bundle:update of presence: subscription listed again after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
            assertTrue("the presence bundle was not updated (" + output + ")", presence.getLastModified() > modified);
            assertEquals("no NOTIFY from the swap itself", 1, watcher.dialogNotifies().size());

            device.answerPings(false);
            Watcher.Notify after = awaitNotifies(watcher, 2, STATE_CHANGE).get(1);
            assertEquals("closed", after.basic());
            assertEquals("the next CSeq of the same dialog", before.cseq() + 1, after.cseq());
            assertEquals(before.header("Call-ID"), after.header("Call-ID"));
            assertEquals(before.header("From"), after.header("From"));
            assertTrue(after.header("Subscription-State").startsWith("active"));
            assertEquals("an in-dialog refresh after the update", 200, watcher.subscribe(uuid, "presence", 600, server).status());
        }
    }

    /**
     * Fan-out: {@value #FAN_OUT} subscriptions (one UDP socket, a dialog each) to one device; the device publishes
     * closed and every watcher gets its closed NOTIFY. Prints how long the SUBSCRIBEs and the NOTIFYs took. The
     * keep-alive is relaxed meanwhile (config:property-set, applied live): under the burst a 5 s offline timeout on
     * two shared cores can take the device offline, and this test measures NOTIFY fan-out, not keep-alive timing.
     */
    @Test
    public void everyOneOfManyWatchersGetsTheChange() throws Exception {
        int server = KarafRun.sipPort();
        String uuid = UUID.randomUUID().toString();
        KarafShell shell = new KarafShell(sessionFactory);
        shell.run("config:property-set -p org.screamrouter.sip.registrar offline.timeout 120");
        try (DeviceAgent device = new DeviceAgent(); Watcher publisher = new Watcher(uuid);
                DatagramSocket socket = new DatagramSocket(new InetSocketAddress(SipPeer.LOOPBACK, 0))) {
            socket.setReceiveBufferSize(4 << 20);
            register(device, uuid, 600);
            Map<String, List<String>> basics = new ConcurrentHashMap<>();
            Map<String, Integer> answers = new ConcurrentHashMap<>();
            Map<String, String> toTags = new ConcurrentHashMap<>();
            Map<String, java.util.Set<Long>> cseqs = new ConcurrentHashMap<>();
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[65535];
                while (!socket.isClosed()) {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    try {
                        socket.receive(packet);
                    } catch (IOException closed) {
                        return;
                    }
                    String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
                    String callId = DeviceAgent.headerValue(text, "Call-ID", "i");
                    if (text.startsWith("SIP/2.0 ")) {
                        SipResponse r = SipResponse.parse(text);
                        String to = r.header("to");
                        if (to.contains(";tag=")) toTags.putIfAbsent(callId, to.substring(to.indexOf(";tag=") + 5).split(";")[0]);
                        answers.put(callId, r.status());
                    } else if (text.startsWith("NOTIFY ")) {
                        Watcher.Notify n = new Watcher.Notify(text);
                        // the first NOTIFY over UDP is pending, without state, until this 200 proves the address
                        boolean pending = String.valueOf(n.header("Subscription-State")).startsWith("pending");
                        if (!pending && cseqs.computeIfAbsent(callId, k -> ConcurrentHashMap.newKeySet()).add(n.cseq())) {
                            basics.computeIfAbsent(callId, k -> new CopyOnWriteArrayList<>()).add(n.basic());
                        }
                        byte[] ok = Watcher.okFor(text).getBytes(StandardCharsets.UTF_8);
                        try {
                            socket.send(new DatagramPacket(ok, ok.length, packet.getSocketAddress()));
                        } catch (IOException e) {
                            return;
                        }
                    }
                }
            }, "fan-out-watchers");
            reader.setDaemon(true);
            reader.start();
            long t0 = System.nanoTime();
            for (int i = 0; i < FAN_OUT; i++) {
                String callId = "fan" + i + "-" + uuid;
                String text = "SUBSCRIBE sip:" + uuid + "@127.0.0.1:" + server + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bKfan" + i + uuid.substring(0, 8) + ";rport\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:fan" + i + "@127.0.0.1>;tag=f" + i + "\r\nTo: <sip:" + uuid + "@127.0.0.1>\r\n"
                        + "Call-ID: " + callId + "\r\nCSeq: 1 SUBSCRIBE\r\nEvent: presence\r\nExpires: 600\r\n"
                        + "Contact: <sip:fan" + i + "@127.0.0.1:" + socket.getLocalPort() + ">\r\nContent-Length: 0\r\n\r\n";
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(SipPeer.LOOPBACK, server)));
                if (i % 25 == 24) Thread.sleep(10); // stay below the socket buffers; this measures NOTIFY fan-out, not UDP loss
            }
            Await.until(FAN_OUT + " SUBSCRIBEs answered and first NOTIFYs in", Duration.ofSeconds(60),
                    () -> answers.size() + "/" + basics.values().stream().filter(l -> !l.isEmpty()).count(),
                    x -> x.equals(FAN_OUT + "/" + FAN_OUT));
            long subscribedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue("every SUBSCRIBE answered 200: " + answers.values(), answers.values().stream().allMatch(v -> v == 200));
            assertTrue("first NOTIFYs: " + basics.values().stream().map(l -> l.get(0)).collect(java.util.stream.Collectors.groupingBy(
                    String::valueOf, java.util.stream.Collectors.counting())) + "; device: " + new KarafShell(sessionFactory).deviceRow(uuid),
                    basics.values().stream().allMatch(l -> "open".equals(l.get(0))));

            long published = System.nanoTime();
            SipResponse ok = publisher.publish(uuid, null, 600, "application/pidf+xml", String.format(PIDF, uuid, "closed", "muted"), server);
            assertEquals(ok.toString(), 200, ok.status());
            Await.until("every watcher's closed NOTIFY", Duration.ofSeconds(60),
                    () -> basics.values().stream().filter(l -> l.size() >= 2).count(), n -> n == FAN_OUT);
            long notifiedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - published);
            assertTrue(basics.values().stream().allMatch(l -> List.of("open", "closed").equals(l)));
            System.out.printf("fan-out: %d SUBSCRIBEs answered with their first NOTIFY in %d ms; the closed NOTIFY reached all %d "
                    + "watchers %d ms after the PUBLISH was sent%n", FAN_OUT, subscribedMs, FAN_OUT, notifiedMs);
            for (int i = 0; i < FAN_OUT; i++) {
                // leave no subscriptions behind for the other tests' listings
                String text = "SUBSCRIBE sip:" + uuid + "@127.0.0.1:" + server + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bKfanx" + i + uuid.substring(0, 8) + ";rport\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:fan" + i + "@127.0.0.1>;tag=f" + i + "\r\nTo: <sip:" + uuid + "@127.0.0.1>;tag="
                        + toTags.get("fan" + i + "-" + uuid) + "\r\n"
                        + "Call-ID: fan" + i + "-" + uuid + "\r\nCSeq: 2 SUBSCRIBE\r\nEvent: presence\r\nExpires: 0\r\n"
                        + "Content-Length: 0\r\n\r\n";
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(SipPeer.LOOPBACK, server)));
                if (i % 25 == 24) Thread.sleep(10);
            }
            Await.until("every watcher's final NOTIFY", Duration.ofSeconds(60),
                    () -> basics.values().stream().filter(l -> l.size() >= 3).count(), n -> n == FAN_OUT);
        } finally {
            shell.run("config:property-set -p org.screamrouter.sip.registrar offline.timeout " + TIMEOUT);
        }
    }

    /**
     * Over TCP the NOTIFY comes back on the connection the SUBSCRIBE came on (the flow), not on a new connection
     * to the Contact's address.
     */
    @Test
    public void notifyOverTcpComesOnTheSubscribersConnection() throws Exception {
        int tcp = Integer.getInteger("itest.sip.tcp.port");
        String uuid = UUID.randomUUID().toString();
        try (DeviceAgent device = new DeviceAgent()) {
            register(device, uuid, 600);
            Socket socket = Await.until("a TCP connection to " + tcp, Duration.ofSeconds(20),
                    () -> new Socket(SipPeer.LOOPBACK, tcp), x -> x != null);
            try (socket) {
                socket.setSoTimeout(10_000);
                int local = socket.getLocalPort();
                String callId = UUID.randomUUID() + "@127.0.0.1";
                String subscribe = "SUBSCRIBE sip:" + uuid + "@127.0.0.1:" + tcp + ";transport=tcp SIP/2.0\r\n"
                        + "Via: SIP/2.0/TCP 127.0.0.1:" + local + ";branch=z9hG4bK" + UUID.randomUUID().toString().replace("-", "") + "\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:ui@127.0.0.1>;tag=tcpw\r\nTo: <sip:" + uuid + "@127.0.0.1>\r\n"
                        + "Call-ID: " + callId + "\r\nCSeq: 1 SUBSCRIBE\r\nEvent: presence\r\nExpires: 600\r\n"
                        // a Contact port nobody listens on: only the connection can carry the NOTIFY
                        + "Contact: <sip:ui@127.0.0.1:" + Ports.free() + ";transport=tcp>\r\nContent-Length: 0\r\n\r\n";
                socket.getOutputStream().write(subscribe.getBytes(StandardCharsets.UTF_8));
                InputStream in = socket.getInputStream();
                String answer = readMessage(in);
                assertTrue(answer, answer.startsWith("SIP/2.0 200"));
                String notify = readMessage(in);
                assertTrue(notify, notify.startsWith("NOTIFY sip:ui@127.0.0.1:"));
                assertTrue(notify, notify.contains("<basic>open</basic>"));
                assertTrue(notify, notify.contains("SIP/2.0/TCP"));
                socket.getOutputStream().write(Watcher.okFor(notify).getBytes(StandardCharsets.UTF_8));
                String row = Await.until("the TCP subscription listed", Duration.ofSeconds(10), () -> subscriptionRowFor(uuid),
                        r -> r != null && r.contains("tcp:127.0.0.1:" + local));
                assertTrue(row, row.trim().endsWith("1"));
            }
        }
    }

    /** One SIP message off a stream: headers up to the blank line, then Content-Length bytes of body. */
    private static String readMessage(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) throw new IOException("connection closed after: " + head);
            if (head.length() == 0 && (c == '\r' || c == '\n')) continue; // keep-alive CRLFs
            head.append((char) c);
        }
        String length = DeviceAgent.headerValue(head.toString(), "Content-Length", "l");
        byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length.trim()));
        return head + new String(body, StandardCharsets.UTF_8);
    }

    @Test
    public void baresipSubscribesToADeviceAndAnswersItsNotifies() throws Exception {
        String baresip = Tools.require("baresip", "baresip");
        int server = KarafRun.sipPort();
        String uuid = UUID.randomUUID().toString();
        int listen = Ports.free();
        Path dir = Files.createTempDirectory("baresip-presence");
        try (DeviceAgent device = new DeviceAgent()) {
            register(device, uuid, 600);
            Baresip.config(dir, listen, "module_tmp account.so", "module_app contact.so", "module_app presence.so");
            Files.writeString(dir.resolve("accounts"), "<sip:watcher-" + uuid.substring(0, 8) + "@127.0.0.1:" + server
                    + ";transport=udp>;regint=0\n");
            Files.writeString(dir.resolve("contacts"), "\"speaker\" <sip:" + uuid + "@127.0.0.1:" + server + ">;presence=p2p\n");
            Process process = new ProcessBuilder(baresip, "-f", dir.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("baresip.log").toFile()).start();
            try {
                String row = Await.until("baresip's subscription to " + uuid + " with a NOTIFY sent", Duration.ofSeconds(30),
                        // 2 NOTIFYs: the pending one (baresip's 200 proved its address) and the one with state
                        () -> subscriptionRowFor(uuid), r -> r != null && r.matches(".*\\bopen\\b.*") && r.trim().endsWith("2"));
                System.out.println("baresip subscription: " + row.replaceAll("\\s+", " "));
                device.answerPings(false);
                String log = Await.until("baresip logs the device going offline", STATE_CHANGE,
                        () -> Files.readString(dir.resolve("baresip.log")).replaceAll("\u001b\\[[;0-9]*m", ""),
                        l -> l.contains("changed status from Online to Offline"));
                assertTrue(log, log.contains(uuid));
                // every NOTIFY answered 2xx: a NOTIFY answered otherwise, or not at all, would have ended the subscription
                String after = Await.until("the subscription still there with 3 NOTIFYs", Duration.ofSeconds(10),
                        () -> subscriptionRowFor(uuid), r -> r != null && r.contains("closed") && r.trim().endsWith("3"));
                System.out.println("baresip subscription after the device went silent: " + after.replaceAll("\\s+", " "));
                assertTrue("baresip is still running", process.isAlive());
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nbaresip log:\n" + Files.readString(dir.resolve("baresip.log")), e);
            } finally {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                Baresip.delete(dir);
            }
        }
    }

    private String subscriptionRowFor(String resource) throws Exception {
        for (String line : new KarafShell(sessionFactory).run("sip:subscriptions").split("\\R")) {
            if (line.contains(resource) && line.contains("presence")) return line;
        }
        return null;
    }
}
