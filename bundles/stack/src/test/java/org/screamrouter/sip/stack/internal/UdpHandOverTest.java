package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Version;
import org.screamrouter.sip.stack.SipRequestHandler;

/**
 * Issue 16 item 3: a {@code bundle:update} of the stack loses no datagram. Two revisions of the stack component on a
 * real loopback port, one after the other, as an update runs them: the first deactivates, datagrams arrive while no
 * stack runs, the second activates. The framework is the collaborator here: a small in-memory service registry
 * stands for the system bundle's context, where the parked socket waits.
 */
class UdpHandOverTest {
    /** The system bundle's context: the services registered in it, with their properties. */
    private final List<Object[]> registry = new ArrayList<>();
    /** What each service reference handed out refers to. */
    private final Map<ServiceReference<?>, Object> references = new java.util.IdentityHashMap<>();
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path data;
    private DatagramSocket client;
    private SipStackComponent first;
    private SipStackComponent second;

    @BeforeEach
    void client() throws Exception {
        client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() {
        if (first != null) first.deactivate();
        if (second != null) second.deactivate();
        client.close();
        // a parked socket nobody claimed (the control test) is closed here rather than after 10 s
        synchronized (registry) {
            for (Object[] entry : registry) {
                if (((Map<?, ?>) entry[0]).remove("socket") instanceof DatagramSocket s) s.close();
            }
        }
    }

    @Test
    void datagramsArrivingBetweenTwoRevisionsAreAnsweredByTheSecond() throws Exception {
        int port = freePort();
        first = revision(port, "first", true);
        assertThat(exchange(port, 1)).startsWith("SIP/2.0 200 first");

        first.deactivate();
        first = null;
        Set<String> sent = new TreeSet<>();
        for (int cseq = 2; cseq <= 6; cseq++) sent.add(send(port, cseq)); // no stack runs now

        second = revision(port, "second", true);
        Set<String> answered = new TreeSet<>();
        client.setSoTimeout(3000);
        while (answered.size() < sent.size()) {
            String answer = receive();
            assertThat(answer).startsWith("SIP/2.0 200 second");
            answered.add(branchOf(answer));
        }
        assertThat(answered).as("every datagram sent while no stack ran is answered by the next one").isEqualTo(sent);
        assertThat(registry).as("the claimed socket's service is withdrawn").isEmpty();
        assertThat(exchange(port, 7)).startsWith("SIP/2.0 200 second");
    }

    @Test
    void withoutTheHandOverTheDatagramsOfTheGapAreLost() throws Exception {
        // the control: a stack with nowhere to park (no system bundle context) closes its socket, as before the fix
        int port = freePort();
        first = revision(port, "first", false);
        assertThat(exchange(port, 1)).startsWith("SIP/2.0 200 first");
        first.deactivate();
        first = null;
        send(port, 2);
        second = revision(port, "second", false);
        client.setSoTimeout(700);
        List<String> late = new ArrayList<>();
        try {
            while (true) late.add(receive());
        } catch (SocketTimeoutException | java.net.PortUnreachableException nothing) {
            // what a device sees: silence, then its retransmission timer
        }
        assertThat(late).as("answers to the datagram sent in the gap").isEmpty();
        assertThat(exchange(port, 3)).as("the second revision serves what comes after the gap").startsWith("SIP/2.0 200 second");
    }

    @Test
    void aParkedSocketNobodyClaimsIsClosedAndItsPortFreed() throws Exception {
        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        int port = socket.getLocalPort();
        new FrameworkParkedSockets(systemContext(), Duration.ofMillis(200)).park(socket, new java.util.concurrent.LinkedBlockingQueue<>());
        assertThat(registry).hasSize(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!socket.isClosed() && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(socket.isClosed()).as("closed once nobody claimed it").isTrue();
        assertThat(registry).isEmpty();
        try (DatagramSocket again = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
        assertThat(new FrameworkParkedSockets(systemContext(), Duration.ofMillis(200)).claim(InetAddress.getLoopbackAddress(), port))
                .as("nothing to claim any more").isNull();
    }

    // --- helpers

    private SipStackComponent revision(int port, String reason, boolean withFramework) {
        SipStackComponent stack = new SipStackComponent();
        stack.activate(context(withFramework), TestStackConfig.of(Map.of("udp_enabled", true, "udp_port", port, "tcp_enabled", false,
                "tcp_port", port, "ws_enabled", false, "ws_port", 1)));
        SipRequestHandler handler = exchange -> exchange.respond(exchange.createResponse(200, reason));
        stack.addHandler(TestStacks.objects(handler), Map.of("service.id", 1L, SipRequestHandler.METHOD, "OPTIONS"));
        return stack;
    }

    private String exchange(int port, int cseq) throws Exception {
        send(port, cseq);
        client.setSoTimeout(3000);
        return receive();
    }

    /** Sends an OPTIONS and returns its branch. */
    private String send(int port, int cseq) throws Exception {
        String branch = "z9hG4bKhandover" + cseq + "x" + System.nanoTime();
        String raw = "OPTIONS sip:127.0.0.1:" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + client.getLocalPort() + ";branch=" + branch + "\r\n"
                + "Max-Forwards: 70\r\nTo: <sip:t@127.0.0.1>\r\nFrom: <sip:f@127.0.0.1>;tag=1\r\n"
                + "Call-ID: handover-" + cseq + "\r\nCSeq: " + cseq + " OPTIONS\r\nContent-Length: 0\r\n\r\n";
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
        return branch;
    }

    private String receive() throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
        client.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    private static String branchOf(String response) {
        int at = response.indexOf("branch=") + "branch=".length();
        int end = at;
        while (end < response.length() && response.charAt(end) != ';' && response.charAt(end) != '\r') end++;
        return response.substring(at, end);
    }

    private static int freePort() throws SocketException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private BundleContext context(boolean withFramework) {
        BundleContext system = withFramework ? systemContext() : null;
        Bundle systemBundle = (Bundle) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, a) -> m.getName().equals("getBundleContext") ? system : null);
        Bundle bundle = (Bundle) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, a) -> m.getName().equals("getVersion") ? new Version(1, 0, 0) : null);
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getBundle" -> a != null && a.length == 1 ? systemBundle : bundle;
                    // the bundle's data area, kept across revisions as Karaf keeps it across bundle:update: the next
                    // revision knows OPTIONS was served and holds the gap's requests until its handler is there
                    case "getDataFile" -> data.resolve((String) a[0]).toFile();
                    case "registerService" -> Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class},
                            (p2, m2, a2) -> null); // listening points: not looked at here
                    default -> null;
                });
    }

    /** Service registration and lookup by one property, which is all FrameworkParkedSockets asks of the framework. */
    private BundleContext systemContext() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "registerService" -> {
                        Object[] entry = {a[1], ((Dictionary<?, ?>) a[2]).get(FrameworkParkedSockets.PROPERTY)};
                        synchronized (registry) {
                            registry.add(entry);
                        }
                        yield Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class},
                                (p2, m2, a2) -> {
                                    if (m2.getName().equals("unregister")) {
                                        synchronized (registry) {
                                            if (!registry.remove(entry)) throw new IllegalStateException("already unregistered");
                                        }
                                    }
                                    return null;
                                });
                    }
                    case "getServiceReferences" -> {
                        String wanted = "(" + FrameworkParkedSockets.PROPERTY + "=";
                        String filter = (String) a[1];
                        String key = filter.substring(wanted.length(), filter.length() - 1);
                        List<ServiceReference<?>> refs = new ArrayList<>();
                        synchronized (registry) {
                            for (Object[] entry : registry) {
                                if (key.equals(entry[1])) {
                                    ServiceReference<?> ref = (ServiceReference<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                                            new Class<?>[] {ServiceReference.class}, (p3, m3, a3) -> null);
                                    references.put(ref, entry[0]);
                                    refs.add(ref);
                                }
                            }
                        }
                        yield refs.isEmpty() ? null : refs.toArray(new ServiceReference<?>[0]);
                    }
                    case "getService" -> references.get(a[0]);
                    case "ungetService" -> true;
                    default -> null;
                });
    }
}
