package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.junit.Test;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.support.Capture;
import org.screamrouter.sip.itests.support.CorpusWire;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.stack.ListeningPoint;

/**
 * The whole conformance corpus ({@code corpus/rfc4475/*.dat} and {@code corpus/rfc5118/wire-crlf/*.dat}, read in place,
 * sent byte for byte) over UDP and over TCP against the distribution, with every bundle's handler in place, and the
 * answer each file must get. Expectations follow the corpus READMEs (which quote the RFCs); where an RFC leaves a choice
 * the comment says which one this server makes (a table per file: status, "none" for no answer, on TCP "closed").
 * {@code RegistrarCorpusIT} checks what the registrar cases bind.
 *
 * <p>Each file goes from a socket (UDP) or connection (TCP) of its own, followed by a probe on the same one: an answer
 * to the probe with none to the file means the file got none ({@link CorpusWire}). Each file is sent once (over UDP
 * {@link CorpusWire} retransmits it as a UA would while nothing answers); files that share a branch with the one before
 * them (cparam01/cparam02, ipv6-bad/ipv6-bug-abnf-3-colons, port-ambiguous/port-unambiguous) come from a new socket, so
 * they are new transactions and must be answered ({@code BranchCollisionTest} in the stack). Files whose declared length is never
 * reached are sent alone on TCP, and the sender then ends its side.
 *
 * <p>One container per transport ({@link CorpusOverUdpIT}, {@link CorpusOverTcpIT}): a file sent byte for byte over
 * UDP and then over TCP to the same server is, by RFC 3261 17.2.3, the same transaction twice (same branch, sent-by
 * and method), and JAIN-SIP matches the TCP copy to the UDP copy's transaction (an INVITE's lives 32 s) and answers
 * it there; a registrar would also take the second REGISTER for a replay.
 *
 * <p>Everything runs under a tshark capture on every interface: whatever the messages name (example.com hosts,
 * 192.0.2.x, [2001:db8::10]), the server sends only to the test's own sockets on 127.0.0.1 and resolves no name.
 */
public abstract class CorpusConformance {
    /** "udp" or "tcp": each transport gets a container of its own (see the class comment). */
    protected abstract String transport();

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return KarafRun.options(editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "domain", "example.com"));
    }

    /** What a file gets over each transport: a status code, "none" (no answer) or, on TCP, "closed". */
    private record Expected(String udp, String tcp, boolean probe) {
        static Expected both(String answer) {
            return new Expected(answer, answer, true);
        }
    }

    private static final Map<String, Expected> EXPECTED = Map.ofEntries(
            // 3.1.1 valid messages
            Map.entry("wsinv", Expected.both("481")),        // its To has a tag: a re-INVITE of a dialog that does not exist
            Map.entry("intmeth", Expected.both("501")),      // an endpoint answers an unknown method 501 with Allow
            Map.entry("esc01", Expected.both("404")),
            Map.entry("escnull", Expected.both("200")),      // REGISTER, two contacts
            Map.entry("esc02", Expected.both("501")),        // RE%47IST%45R is not REGISTER: unknown method
            Map.entry("lwsdisp", Expected.both("200")),
            Map.entry("longreq", Expected.both("404")),
            Map.entry("dblreq", Expected.both("200")),       // the REGISTER; UDP ignores the trailing octets, TCP reads them as the next message
            Map.entry("semiuri", Expected.both("200")),
            Map.entry("transports", Expected.both("200")),
            Map.entry("mpart01", Expected.both("405")),      // MESSAGE: nobody serves it here
            Map.entry("unreason", Expected.both("none")),    // responses are never answered
            Map.entry("noreason", Expected.both("none")),
            // 3.1.2 invalid messages
            Map.entry("badinv01", Expected.both("400")),
            // UDP: the datagram holds less than its Content-Length says, 400; TCP: the server waits for the rest, and
            // the connection ends without an answer when the sender ends it
            Map.entry("clerr", new Expected("400", "closed", false)),
            Map.entry("ncl", Expected.both("400")),          // TCP: 400, then the connection is closed
            Map.entry("scalar02", Expected.both("400")),
            Map.entry("scalarlg", Expected.both("none")),
            Map.entry("quotbal", Expected.both("400")),
            Map.entry("ltgtruri", Expected.both("400")),
            Map.entry("lwsruri", Expected.both("400")),
            Map.entry("lwsstart", Expected.both("404")),     // the RFC lets a liberal parser accept it; JAIN-SIP does
            Map.entry("trws", Expected.both("200")),         // likewise
            Map.entry("escruri", Expected.both("404")),      // likewise (INVITE to nobody)
            Map.entry("baddate", Expected.both("404")),      // the Date does not matter here: ignored, as allowed
            Map.entry("regbadct", Expected.both("400")),
            Map.entry("badaspec", Expected.both("200")),     // the parser does not break; the RFC makes 400 optional
            Map.entry("baddn", Expected.both("200")),        // likewise
            Map.entry("badvers", Expected.both("505")),
            Map.entry("mismatch01", Expected.both("400")),
            Map.entry("mismatch02", Expected.both("400")),   // RFC 4475 prefers 501, allows 400: the CSeq check comes first
            Map.entry("bigcode", Expected.both("none")),
            // 3.2, 3.3, 3.4
            Map.entry("badbranch", Expected.both("200")),    // answered statelessly
            Map.entry("insuf", Expected.both("400")),
            Map.entry("unkscm", Expected.both("416")),
            Map.entry("novelsc", Expected.both("416")),      // never an accepted scheme here: 416 rather than 404
            Map.entry("unksm2", Expected.both("400")),       // a registrar: To must be a SIP or SIPS AOR
            Map.entry("bext01", Expected.both("420")),
            Map.entry("invut", Expected.both("404")),
            Map.entry("regaut01", Expected.both("200")),     // authentication off (auth.mode = none): the header is ignored
            Map.entry("multi01", Expected.both("400")),
            Map.entry("mcl01", Expected.both("400")),        // RFC: discard or 400; we answer 400 (TCP: then close)
            Map.entry("bcast", Expected.both("none")),
            Map.entry("zeromf", Expected.both("200")),       // an endpoint serves Max-Forwards 0
            Map.entry("cparam01", Expected.both("200")),
            Map.entry("cparam02", Expected.both("200")),
            Map.entry("regescrt", Expected.both("200")),
            Map.entry("sdp01", Expected.both("400")),         // RFC 4475 allows 400: its rtpmap has no clock rate (RFC 4566)
            Map.entry("inv2543", Expected.both("404")),
            Map.entry("test", Expected.both("none")),        // no SIP version and no Via: nothing to answer to
            // RFC 5118
            // REGISTERs for [2001:db8::10]: not the domain this registrar serves (example.com)
            Map.entry("ipv6-good", Expected.both("404")),
            Map.entry("ipv6-bad", Expected.both("404")),     // RFC 5118 says "should" 400; the domain check answers first
            Map.entry("port-ambiguous", Expected.both("404")),
            Map.entry("port-unambiguous", Expected.both("404")),
            Map.entry("via-received-param-with-delim", Expected.both("481")),
            Map.entry("via-received-param-no-delim", Expected.both("200")),
            Map.entry("ipv6-in-sdp", new Expected("400", "closed", false)), // Content-Length 268, body 251
            Map.entry("mult-ip-in-header", Expected.both("481")),
            Map.entry("mult-ip-in-sdp", Expected.both("400")), // its SDP has an empty s= (RFC 4566: "s= " at least)
            // Content-Length 236 but 245 octets of SDP: over TCP the message ends at 236, mid-attribute, and the SDP is
            // malformed (400); over UDP the whole datagram's SDP reaches the calls bundle, which refuses the offer (488)
            Map.entry("ipv4-mapped-ipv6", new Expected("488", "400", true)),
            Map.entry("ipv6-bug-abnf-3-colons", Expected.both("200")),
            Map.entry("ipv6-correct-abnf-2-colons", Expected.both("200")));

    private static List<Path> corpus() throws Exception {
        Path rfc4475 = Path.of(System.getProperty("itest.corpus"));
        List<Path> out = new ArrayList<>();
        try (Stream<Path> a = Files.list(rfc4475); Stream<Path> b = Files.list(rfc4475.resolveSibling("rfc5118").resolve("wire-crlf"))) {
            Stream.concat(a, b).filter(p -> p.toString().endsWith(".dat")).sorted().forEach(out::add);
        }
        return out;
    }

    private int port(String transport) throws Exception {
        for (ServiceReference<ListeningPoint> ref : context.getServiceReferences(ListeningPoint.class, null)) {
            ListeningPoint lp = context.getService(ref);
            try {
                if (lp != null && lp.transport().equals(transport)) return lp.port();
            } finally {
                context.ungetService(ref);
            }
        }
        return -1;
    }

    private static String outcome(CorpusWire.Answer a) {
        return a.closed() ? "closed" : a.status() == 0 ? "none" : Integer.toString(a.status());
    }

    @Test
    public void everyCorpusMessageGetsItsAnswerAndNothingLeavesForAnAddressFromAMessage() throws Exception {
        int udp = KarafRun.sipPort();
        int[] tcp = {-1};
        Await.until("the stack listens on UDP and TCP", Duration.ofSeconds(60), () -> {
            tcp[0] = port("tcp");
            return tcp[0] > 0 && port("udp") == udp ? tcp[0] : null;
        }, p -> p != null);
        Await.until("the registrar answers on udp " + udp, Duration.ofSeconds(30),
                () -> CorpusWire.udp(udp, ("OPTIONS sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKwarm"
                        + System.nanoTime() + "\r\nMax-Forwards: 70\r\nTo: <sip:example.com>\r\nFrom: <sip:w@example.com>;tag=w\r\n"
                        + "Call-ID: warm" + System.nanoTime() + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").getBytes()),
                a -> a.status() == 200);

        List<Path> files = corpus();
        assertEquals("an expectation for each corpus file, and a file for each expectation", EXPECTED.size(), files.size());
        StringBuilder table = new StringBuilder();
        List<String> wrong = new ArrayList<>();
        try (Capture capture = Capture.start("udp port " + udp + " or tcp port " + tcp[0] + " or port 53")) {
            Await.until("the capture sees an answer", Duration.ofSeconds(10), () -> {
                CorpusWire.udp(udp, Files.readAllBytes(files.stream().filter(f -> f.endsWith("lwsdisp.dat")).findFirst().orElseThrow()));
                return capture.awaitPacket("a packet from udp " + udp, Duration.ofMillis(500), p -> p.srcPort() == udp);
            }, p -> p != null);
            for (Path file : files) {
                String name = file.getFileName().toString().replace(".dat", "");
                Expected expected = EXPECTED.get(name);
                assertTrue("an expectation for " + name, expected != null);
                byte[] bytes = Files.readAllBytes(file);
                boolean overUdp = transport().equals("udp");
                CorpusWire.Answer answer = overUdp ? CorpusWire.udp(udp, bytes) : CorpusWire.tcp(tcp[0], bytes, expected.probe());
                String want = overUdp ? expected.udp() : expected.tcp();
                table.append(String.format("%-30s %s: %-50s expected %s%n", name, transport(), answer, want));
                if (!outcome(answer).equals(want)) wrong.add(name + " over " + transport() + ": " + answer + ", expected " + want);
            }
            System.out.println(table);
            List<Capture.Packet> packets = capture.stop();
            for (Capture.Packet p : packets) {
                String dns = p.dnsName().toLowerCase(Locale.ROOT);
                assertFalse("a DNS query for a name from the corpus: " + p, dns.contains("example.") || dns.contains("jasomi"));
                if (p.srcPort() == udp || p.srcPort() == tcp[0]) {
                    assertTrue("the server sent somewhere else than a test socket on 127.0.0.1: " + p,
                            p.dst().equals("127.0.0.1") && CorpusWire.LOCAL_PORTS.contains(p.dstPort()));
                }
            }
            System.out.println("capture: " + packets.stream().filter(p -> p.srcPort() == udp || p.srcPort() == tcp[0]).count()
                    + " packet(s) from the server, all to test sockets on 127.0.0.1");
        }
        assertTrue("answers that differ from the table:\n" + String.join("\n", wrong) + "\n\n" + table, wrong.isEmpty());
    }
}
