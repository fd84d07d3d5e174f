package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.screamrouter.sip.stack.standalone.StackSettings;
import org.screamrouter.sip.stack.standalone.StandaloneSipStack;

/**
 * Fuzzing the request path of the stack (issue 13): RFC 4475 / RFC 5118 messages mutated byte by byte, sent over UDP
 * and TCP to a real stack whose handlers read every header of what they get and answer. Nothing may escape to the
 * handlers as an exception, and after each batch the stack still answers a well-formed OPTIONS on both transports.
 * Bounded to a few seconds here; {@code -Djqwik.tries.default} runs it longer (and {@code bench/} does).
 */
class RequestPathFuzzTest {
    private static StandaloneSipStack server;
    private static int port;
    private static List<byte[]> corpus;
    private static final AtomicInteger handled = new AtomicInteger();
    private static final List<Throwable> handlerFailures = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeContainer
    static void open() throws Exception {
        server = StandaloneSipStack.open(StackSettings.loopback("fuzz-test"));
        for (String m : List.of("REGISTER", "OPTIONS", "INVITE", "SUBSCRIBE", "MESSAGE", "BYE")) {
            server.handle(m, exchange -> {
                try {
                    // what a handler does with a request: every header, the body, the flow
                    var request = exchange.request();
                    for (var names = request.getHeaderNames(); names.hasNext(); ) {
                        for (var values = request.getHeaders((String) names.next()); values.hasNext(); ) {
                            values.next().toString();
                        }
                    }
                    request.getRequestURI().toString();
                    byte[] body = request.getRawContent();
                    exchange.flow().toString();
                    handled.incrementAndGet();
                    exchange.respond(exchange.createResponse(body != null && body.length > 0 ? 415 : 200));
                } catch (RuntimeException e) {
                    handlerFailures.add(e);
                    throw e;
                }
            });
        }
        port = server.listeningPoint("udp").port();
        corpus = new ArrayList<>();
        for (Path p : CorpusConformanceTest.corpus()) corpus.add(Files.readAllBytes(p));
    }

    @AfterContainer
    static void close() {
        server.close();
    }

    @Property
    void mutatedMessagesNeverBreakTheStack(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        byte[] message = mutate(corpus.get(random.nextInt(corpus.size())), random);
        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            udp.send(new DatagramPacket(message, Math.min(message.length, 65000), to));
        }
        try (Socket tcp = new Socket()) {
            tcp.connect(to, 2000);
            tcp.setSoLinger(true, 0);
            tcp.getOutputStream().write(message);
            tcp.getOutputStream().flush();
        } catch (IOException e) {
            // the stack may close a connection on a framing fault before all is written
        }
        if (seed % 25 == 0) {
            assertStillAnswers();
        }
        assertThat(handlerFailures).isEmpty();
    }

    private static void assertStillAnswers() throws IOException {
        for (String transport : List.of("udp", "tcp")) {
            Wire.Answer a = transport.equals("udp") ? Wire.udp(port, options("UDP")) : Wire.tcp(port, options("TCP"), true);
            assertThat(a.status()).as("a well-formed OPTIONS over " + transport + " after fuzzing").isEqualTo(200);
        }
    }

    private static byte[] options(String transport) {
        String branch = "z9hG4bK" + Long.toHexString(new Random().nextLong());
        return ("OPTIONS sip:fuzz@127.0.0.1:" + port + " SIP/2.0\r\nVia: SIP/2.0/" + transport + " 127.0.0.1:9;branch=" + branch + ";rport\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:fuzz@127.0.0.1>\r\nCall-ID: " + branch + "\r\n"
                + "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Deletes, duplicates, flips or inserts bytes, or cuts a run, 1 to 8 times. */
    static byte[] mutate(byte[] original, Random random) {
        List<Byte> b = new ArrayList<>(original.length);
        for (byte x : original) b.add(x);
        byte[] inserts = " :;,<>\"\r\n=0@/\\%".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int edits = 1 + random.nextInt(8);
        for (int i = 0; i < edits && !b.isEmpty(); i++) {
            int at = random.nextInt(b.size());
            switch (random.nextInt(5)) {
                case 0 -> b.remove(at);
                case 1 -> b.add(at, b.get(at));
                case 2 -> b.set(at, (byte) random.nextInt(256));
                case 3 -> b.add(at, inserts[random.nextInt(inserts.length)]);
                default -> b.subList(at, Math.min(b.size(), at + random.nextInt(60))).clear();
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) out[i] = b.get(i);
        return out;
    }
}
