package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.screamrouter.sip.testsupport.FakeExchange;

/**
 * Fuzzing the registrar's handler (issue 13: "the request path, parser and every handler"): device REGISTERs with
 * ScreamRouter SDP bodies, OPTIONS, and the RFC 4475 / RFC 5118 REGISTERs, mutated byte by byte. What JAIN-SIP's parser
 * accepts goes to the real {@link RegistrarComponent}, which must answer exactly once, with a status, and never throw;
 * what it refuses is the stack's business ({@code RequestPathFuzzTest}). Bounded here; {@code bench/fuzz.sh} runs more.
 */
class RegisterFuzzTest {
    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "a=x-screamrouter-role:sink\r\na=x-screamrouter-uuid:5f7c1a2e-0000-4000-8000-00000000000f\r\n"
            + "a=x-screamrouter-supported-protocols:scream,rtp\r\n"
            + "m=audio 4010 RTP/AVP 96 0\r\na=rtpmap:96 L16/48000/2\r\na=rtpmap:0 PCMU/8000\r\na=recvonly\r\n";

    private static Path dir;
    private static TestHarness harness;
    private static RegistrarComponent registrar;
    private static final List<String> seeds = new ArrayList<>();

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("register-fuzz");
        harness = new TestHarness();
        registrar = harness.start(dir.resolve("registrar.mv"), Map.of());
        seeds.add("REGISTER sip:screamrouter.local SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKf1\r\nMax-Forwards: 70\r\n"
                + "To: <sip:5f7c1a2e-0000-4000-8000-00000000000f@screamrouter.local>\r\n"
                + "From: <sip:5f7c1a2e-0000-4000-8000-00000000000f@127.0.0.1>;tag=t\r\nCall-ID: fuzz-1\r\nCSeq: 1 REGISTER\r\n"
                + "Contact: <sip:5f7c1a2e-0000-4000-8000-00000000000f@127.0.0.1:5999>;+sip.instance=\"<urn:uuid:5f7c1a2e-0000-4000-8000-00000000000f>\""
                + ";expires=300\r\nExpires: 300\r\nContent-Type: application/sdp\r\nContent-Length: " + SDP.length() + "\r\n\r\n" + SDP);
        seeds.add("REGISTER sip:screamrouter.local SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKf2\r\nMax-Forwards: 70\r\n"
                + "To: <sip:dev@screamrouter.local>\r\nFrom: <sip:dev@screamrouter.local>;tag=t\r\nCall-ID: fuzz-2\r\nCSeq: 2 REGISTER\r\n"
                + "Contact: *\r\nExpires: 0\r\nContent-Length: 0\r\n\r\n");
        seeds.add("OPTIONS sip:screamrouter@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKf3\r\nMax-Forwards: 70\r\n"
                + "To: <sip:screamrouter@127.0.0.1>\r\nFrom: <sip:dev@127.0.0.1>;tag=o\r\nCall-ID: fuzz-3\r\nCSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n");
        Path corpus = Path.of(System.getProperty("corpus.dir"));
        try (Stream<Path> a = Files.list(corpus.resolve("rfc4475")); Stream<Path> b = Files.list(corpus.resolve("rfc5118/wire-crlf"))) {
            for (Path p : Stream.concat(a, b).filter(p -> p.toString().endsWith(".dat")).sorted().toList()) {
                String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                if (text.startsWith("REGISTER ") || text.startsWith("OPTIONS ")) seeds.add(text);
            }
        }
    }

    @AfterContainer
    static void stop() throws Exception {
        registrar.deactivate();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }

    @Property
    void everyParsedRequestGetsExactlyOneAnswer(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        String message = mutate(seeds.get(random.nextInt(seeds.size())), random);
        FakeExchange exchange;
        try {
            exchange = new FakeExchange(message.replace("\r\n", "\n"), "127.0.0." + (1 + random.nextInt(3)), 40000 + random.nextInt(100));
        } catch (Exception | Error unparsed) {
            return; // the stack's parser answers those (RequestPathFuzzTest, CorpusConformanceTest)
        }
        if (!passesTheStack(exchange.request)) return;
        registrar.handle(exchange);
        assertThat(exchange.responses).as("answers to:\n" + message).hasSize(1);
        assertThat(exchange.last().getStatusCode()).isBetween(200, 699);
    }

    /**
     * What the stack's parser guarantees a handler (StrictMessageParser, docs/architecture.md): each of To, From,
     * Call-ID, CSeq, Via present, the single-valued ones once, and the CSeq method the request's. JAIN-SIP's own
     * message factory, used here, is more lenient.
     */
    private static boolean passesTheStack(javax.sip.message.Request r) {
        for (String h : List.of("To", "From", "Call-ID", "CSeq", "Via")) {
            if (r.getHeader(h) == null) return false;
        }
        for (String h : List.of("To", "From", "Call-ID", "CSeq", "Max-Forwards", "Content-Length", "Content-Type", "Expires")) {
            java.util.ListIterator<?> it = r.getHeaders(h);
            int n = 0;
            while (it != null && it.hasNext()) {
                it.next();
                n++;
            }
            if (n > 1) return false;
        }
        return ((javax.sip.header.CSeqHeader) r.getHeader("CSeq")).getMethod().equals(r.getMethod());
    }

    static String mutate(String text, Random random) {
        StringBuilder sb = new StringBuilder(text);
        String inserts = " :;,<>\"\r\n=0@/\\%*";
        int edits = 1 + random.nextInt(6);
        for (int i = 0; i < edits && sb.length() > 0; i++) {
            int at = random.nextInt(sb.length());
            switch (random.nextInt(5)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, sb.charAt(at));
                case 2 -> sb.setCharAt(at, (char) random.nextInt(256));
                case 3 -> sb.insert(at, inserts.charAt(random.nextInt(inserts.length())));
                default -> sb.delete(at, Math.min(sb.length(), at + random.nextInt(40)));
            }
        }
        return sb.toString();
    }
}
