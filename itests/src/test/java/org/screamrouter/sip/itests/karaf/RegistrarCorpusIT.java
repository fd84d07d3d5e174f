package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.SipResponse;
import org.screamrouter.sip.itests.support.Capture;
import org.screamrouter.sip.itests.support.DeviceAgent;
import org.screamrouter.sip.itests.support.KarafRun;

/**
 * The registrar cases of the RFC 4475 torture corpus ({@code corpus/rfc4475} of the repository, read in place) against the
 * Karaf distribution. The files are sent byte for byte: nothing is rewritten. Their Request-URI is
 * {@code sip:example.com}, so this container's registrar serves domain {@code example.com} (a configuration, not
 * an edit of the messages). {@code cparam01} and {@code cparam02} share branch, sent-by and method, so by RFC 3261
 * 17.2.3 the second is a retransmission of the first while the stateless answer is cached: the test sends
 * {@code cparam02} from another socket, which the stack's cache (keyed by flow) tells apart.
 * <p>
 * Every test runs under a tshark capture on every interface: whatever the messages name (Via hosts such as
 * saturn.example.com:5060, 192.0.2.21:5060, 135.180.130.133:5060, Contact gw1.example.net), the server sends only
 * to the test's own socket on 127.0.0.1 and makes no DNS query for those names.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RegistrarCorpusIT {
    private static final Duration ANSWER = Duration.ofSeconds(3);

    @Inject
    private org.osgi.framework.BundleContext context;

    @Configuration
    public Option[] config() {
        return KarafRun.options(editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "domain", "example.com"));
    }

    private static byte[] corpus(String name) throws Exception {
        var file = Capture.corpus(name + ".dat").toPath();
        assertTrue(file + " is missing: the corpus is read from corpus/rfc4475 of the checkout", Files.isRegularFile(file));
        return Files.readAllBytes(file);
    }

    /** A REGISTER without Contact (RFC 3261 10.2.3): the answer lists the AOR's current bindings. */
    private static String fetch(String aor) {
        String callId = UUID.randomUUID() + "@127.0.0.1";
        return "REGISTER sip:example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK" + UUID.randomUUID().toString().replace("-", "") + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <" + aor + ">;tag=fetch\r\n"
                + "To: <" + aor + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 REGISTER\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private SipResponse send(DeviceAgent agent, byte[] message) throws Exception {
        SipResponse r = agent.exchange(message, KarafRun.sipPort(), ANSWER);
        assertNotNull("no answer within " + ANSWER + " to:\n" + new String(message, java.nio.charset.StandardCharsets.UTF_8), r);
        return r;
    }

    private void awaitStack(DeviceAgent agent) throws Exception {
        Await.until("the registrar answers on udp " + KarafRun.sipPort(), Duration.ofSeconds(30),
                () -> agent.exchange(fetch("sip:probe@example.com"), KarafRun.sipPort(), Duration.ofMillis(500)),
                r -> r != null && r.status() == 200);
    }

    /** The ports of this class's test sockets: the server may still ping a device an earlier test registered. */
    private static final java.util.Set<Integer> AGENT_PORTS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Runs the body under a capture and checks that every datagram from the server's port went to the source of a
     * request of this class's tests (127.0.0.1 and a test socket's port), and that no DNS query named a host of
     * the corpus.
     */
    private void onTheWire(CheckedBody body) throws Exception {
        int server = KarafRun.sipPort();
        try (DeviceAgent agent = new DeviceAgent()) {
            AGENT_PORTS.add(agent.port());
            awaitStack(agent);
            try (Capture capture = Capture.start("udp port " + server + " or port 53")) {
                // the capture is proven live before its silence about other destinations means anything
                Await.until("the capture sees an answer", Duration.ofSeconds(10), () -> {
                    agent.exchange(fetch("sip:probe@example.com"), server, Duration.ofMillis(500));
                    return capture.awaitPacket("a packet from udp " + server, Duration.ofMillis(500), p -> p.srcPort() == server);
                }, p -> p != null);
                body.run(agent);
                List<Capture.Packet> packets = capture.stop();
                for (Capture.Packet p : packets) {
                    String name = p.dnsName().toLowerCase(Locale.ROOT);
                    assertFalse("a DNS query for a name from the corpus: " + p, name.contains("example.com") || name.contains("example.net"));
                    if (p.srcPort() == server) {
                        assertTrue("the server sent somewhere else than a request's source: " + p,
                                p.dst().equals("127.0.0.1") && AGENT_PORTS.contains(p.dstPort()));
                    }
                }
                System.out.println("capture: " + packets.stream().filter(p -> p.srcPort() == server).count()
                        + " datagram(s) from the server, all to test sockets on 127.0.0.1");
                for (DeviceAgent.Datagram d : agent.received()) {
                    assertEquals(server, d.from().getPort());
                }
            }
        }
    }

    interface CheckedBody {
        void run(DeviceAgent agent) throws Exception;
    }

    /**
     * cparam01 (RFC 4475 3.3.12): {@code unknownparam} is a contact-param, not part of the bound URI; cparam02
     * (3.3.13): it is a url-param and a later fetch must show it inside the URI.
     */
    @Test
    public void cparam01AndCparam02AreBoundWithTheirParametersWhereTheyBelong() throws Exception {
        onTheWire(agent -> {
            SipResponse first = send(agent, corpus("cparam01"));
            assertEquals(first.toString(), 200, first.status());
            String bound = onlyContactOf(send(agent, fetch("sip:watson@example.com").getBytes()), "gw1.example.net");
            assertTrue("cparam01: the binding is <sip:+19725552222@gw1.example.net>: " + bound,
                    bound.startsWith("<sip:+19725552222@gw1.example.net>"));
            assertTrue("cparam01: unknownparam stays a contact parameter, outside the URI: " + bound,
                    bound.substring(bound.indexOf('>')).contains(";unknownparam"));
            System.out.println("cparam01 binding: " + bound);

            // from a socket of its own: the retransmission cache is keyed by flow, so cparam02 is not taken for a
            // retransmission of cparam01 (see class comment) and nothing has to wait out the window
            SipResponse second;
            try (DeviceAgent other = new DeviceAgent()) {
                AGENT_PORTS.add(other.port());
                second = send(other, corpus("cparam02"));
            }
            assertEquals(second.toString(), 200, second.status());
            assertTrue("cparam02 answered with cparam01's cached response: " + second,
                    second.contacts().stream().anyMatch(c -> c.contains("gw1.example.net;unknownparam>")));
            List<String> after = send(agent, fetch("sip:watson@example.com").getBytes()).contacts();
            System.out.println("after cparam02: " + after);
            assertTrue("cparam02: a later fetch shows unknownparam as a url-param inside the URI: " + after,
                    after.stream().anyMatch(c -> c.startsWith("<sip:+19725552222@gw1.example.net;unknownparam>")));
        });
    }

    /** regescrt (RFC 4475 3.3.14): the escaped Route header stays in the bound contact URI. */
    @Test
    public void regescrtKeepsTheEscapedRouteHeaderInTheContact() throws Exception {
        onTheWire(agent -> {
            SipResponse r = send(agent, corpus("regescrt"));
            assertEquals(r.toString(), 200, r.status());
            List<String> contacts = send(agent, fetch("sip:user@example.com").getBytes()).contacts();
            System.out.println("regescrt binding: " + contacts);
            assertTrue("regescrt: the fetch lists sip:user@example.com?Route=%3Csip:sip.example.com%3E: " + contacts,
                    contacts.stream().anyMatch(c -> c.toLowerCase(Locale.ROOT).startsWith("<sip:user@example.com?route=%3csip:sip.example.com%3e>")));
        });
    }

    /** unksm2 (RFC 4475 3.3.4): To is not a SIP or SIPS URI, so a registrar rejects it with 400. */
    @Test
    public void unksm2IsRejectedWith400() throws Exception {
        onTheWire(agent -> {
            SipResponse r = send(agent, corpus("unksm2"));
            System.out.println("unksm2: " + r.status() + " " + r.reason());
            assertEquals("RFC 4475 3.3.4: a registrar rejects a To that is no SIP/SIPS AOR with 400 Bad Request; got " + r.status()
                    + " " + r.reason(), 400, r.status());
        });
    }

    /** regbadct (RFC 4475 3.1.2.13): a Contact with URI headers outside <> is invalid: 400, nothing bound. */
    @Test
    public void regbadctIsRejectedWith400AndBindsNothing() throws Exception {
        onTheWire(agent -> {
            List<String> before = send(agent, fetch("sip:user@example.com").getBytes()).contacts();
            SipResponse r = send(agent, corpus("regbadct"));
            System.out.println("regbadct: " + r.status() + " " + r.reason());
            assertEquals("regbadct must be rejected with 400: " + r, 400, r.status());
            List<String> after = send(agent, fetch("sip:user@example.com").getBytes()).contacts();
            assertEquals("regbadct changed the bindings of sip:user@example.com", stripExpires(before), stripExpires(after));
        });
    }

    private static List<String> stripExpires(List<String> contacts) {
        return contacts.stream().map(c -> c.replaceAll(";expires=\\d+", "")).sorted().toList();
    }

    private static String onlyContactOf(SipResponse r, String host) {
        assertEquals(r.toString(), 200, r.status());
        List<String> matching = r.contacts().stream().filter(c -> c.contains(host)).toList();
        assertEquals("contacts naming " + host + " in " + r, 1, matching.size());
        return matching.get(0);
    }
}
