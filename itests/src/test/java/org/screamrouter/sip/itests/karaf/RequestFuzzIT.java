package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;

/**
 * Fuzzing every handler of the distribution at once (issue 13): the RFC 4475 / RFC 5118 corpus and requests of every
 * method the server serves (a device REGISTER with ScreamRouter SDP, SUBSCRIBE presence and reg, PUBLISH, INVITE with
 * an RTP and a WebRTC offer to a configured sink, INFO, BYE, CANCEL, ACK, MESSAGE, OPTIONS), mutated byte by byte,
 * sent over UDP and TCP to the running server. Afterwards no handler may have thrown ({@code errors.handler} stays
 * absent from {@code sip:status}), the server still answers a well-formed OPTIONS, and every component is up. The seed
 * is printed; {@code -Ditest.fuzz.seed=N -Ditest.fuzz.count=M} replays or extends a run.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RequestFuzzIT {
    @Inject
    private SessionFactory sessionFactory;

    @Configuration
    public Option[] config() throws IOException {
        return KarafRun.options(
                KarafRun.kitchenSink("request-fuzz-it"),
                editConfigurationFilePut("etc/org.screamrouter.sip.presence.cfg", "reg.all.watchers", "ui"),
                systemProperty("itest.fuzz.seed").value(System.getProperty("itest.fuzz.seed", Long.toString(new Random().nextLong()))),
                systemProperty("itest.fuzz.count").value(System.getProperty("itest.fuzz.count", "1500")));
    }

    private static String request(String method, String uri, String callId, String extra, String type, String body, int port) {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        return method + " " + uri + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK" + callId + ";rport\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:ui@127.0.0.1>;tag=f" + callId + "\r\nTo: <" + uri + ">\r\nCall-ID: " + callId + "\r\n"
                + "CSeq: 1 " + method + "\r\nContact: <sip:ui@127.0.0.1:" + port + ">\r\n" + extra
                + (type == null ? "" : "Content-Type: " + type + "\r\n") + "Content-Length: " + b.length + "\r\n\r\n" + (body == null ? "" : body);
    }

    private List<byte[]> seeds(int server, int local) throws IOException {
        List<String> text = new ArrayList<>();
        String dev = "5f7c1a2e-0000-4000-8000-0000000000aa";
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\na=x-screamrouter-role:sink\r\n"
                + "m=audio 4010 RTP/AVP 96 0\r\na=rtpmap:96 L16/48000/2\r\na=rtpmap:0 PCMU/8000\r\na=recvonly\r\n";
        String rtpOffer = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8\r\n"
                + "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=recvonly\r\n";
        Path corpus = Path.of(System.getProperty("itest.corpus")).getParent();
        String webrtcOffer = Files.readString(corpus.resolve("sdp/chrome-audio-only.sdp"), StandardCharsets.ISO_8859_1);
        String pidf = "<?xml version=\"1.0\"?><presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:" + dev + "@127.0.0.1\">"
                + "<tuple id=\"a\"><status><basic>open</basic></status></tuple></presence>";
        String sink = "sip:kitchen@127.0.0.1:" + server;
        text.add(request("REGISTER", "sip:127.0.0.1:" + server, "r1", "Expires: 300\r\n", "application/sdp", sdp, local)
                .replace("sip:ui@127.0.0.1", "sip:" + dev + "@127.0.0.1"));
        text.add(request("SUBSCRIBE", "sip:" + dev + "@127.0.0.1:" + server, "s1", "Event: presence\r\nExpires: 60\r\n", null, null, local));
        text.add(request("SUBSCRIBE", "sip:screamrouter@127.0.0.1:" + server, "s2", "Event: reg\r\nExpires: 0\r\n", null, null, local));
        text.add(request("PUBLISH", "sip:" + dev + "@127.0.0.1:" + server, "p1", "Event: presence\r\nExpires: 60\r\n", "application/pidf+xml", pidf, local));
        text.add(request("INVITE", sink, "i1", "", "application/sdp", rtpOffer, local));
        text.add(request("INVITE", sink, "i2", "", "application/sdp", webrtcOffer, local));
        text.add(request("INFO", sink, "n1", "", "application/trickle-ice-sdpfrag", "a=mid:0\r\na=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n", local));
        for (String m : List.of("BYE", "CANCEL", "ACK", "MESSAGE", "OPTIONS")) text.add(request(m, sink, m.toLowerCase() + "1", "", null, null, local));
        List<byte[]> out = new ArrayList<>();
        for (String t : text) out.add(t.getBytes(StandardCharsets.UTF_8));
        try (Stream<Path> a = Files.list(corpus.resolve("rfc4475")); Stream<Path> b = Files.list(corpus.resolve("rfc5118/wire-crlf"))) {
            for (Path p : Stream.concat(a, b).filter(p -> p.toString().endsWith(".dat")).sorted().toList()) out.add(Files.readAllBytes(p));
        }
        return out;
    }

    static byte[] mutate(byte[] original, Random random) {
        List<Byte> b = new ArrayList<>(original.length);
        for (byte x : original) b.add(x);
        byte[] inserts = " :;,<>\"\r\n=0@/\\%*".getBytes(StandardCharsets.ISO_8859_1);
        int edits = 1 + random.nextInt(6);
        for (int i = 0; i < edits && !b.isEmpty(); i++) {
            int at = random.nextInt(b.size());
            switch (random.nextInt(5)) {
                case 0 -> b.remove(at);
                case 1 -> b.add(at, b.get(at));
                case 2 -> b.set(at, (byte) random.nextInt(256));
                case 3 -> b.add(at, inserts[random.nextInt(inserts.length)]);
                default -> b.subList(at, Math.min(b.size(), at + random.nextInt(40))).clear();
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) out[i] = b.get(i);
        return out;
    }

    private int options(DatagramSocket socket, int server) throws IOException {
        String callId = "probe" + System.nanoTime();
        byte[] b = request("OPTIONS", "sip:127.0.0.1:" + server, callId, "", null, null, socket.getLocalPort()).getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), server)));
        socket.setSoTimeout(2000);
        byte[] buffer = new byte[65535];
        try {
            while (true) {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                socket.receive(p);
                String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                if (text.contains(callId) && text.startsWith("SIP/2.0 ")) return Integer.parseInt(text.substring(8, 11));
            }
        } catch (java.net.SocketTimeoutException e) {
            return 0;
        }
    }

    @Test
    public void mutatedRequestsOfEveryMethodBreakNoHandler() throws Exception {
        int server = KarafRun.sipPort();
        long seed = Long.parseLong(System.getProperty("itest.fuzz.seed"));
        int count = Integer.getInteger("itest.fuzz.count");
        KarafShell shell = new KarafShell(sessionFactory);
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Await.until("the server answers OPTIONS", Duration.ofSeconds(60), () -> options(probe, server), s -> s == 200);
            Await.until("the calls and presence handlers are up", Duration.ofSeconds(60), () -> shell.run("sip:status"),
                    s -> s.contains("INVITE") && s.contains("SUBSCRIBE"));
            List<byte[]> seeds = seeds(server, udp.getLocalPort());
            Random random = new Random(seed);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), server);
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                byte[] m = mutate(seeds.get(random.nextInt(seeds.size())), random);
                if (i % 10 == 9) {
                    try (Socket tcp = new Socket()) {
                        tcp.connect(to, 2000);
                        OutputStream out = tcp.getOutputStream();
                        out.write(m);
                        out.flush();
                    } catch (IOException e) {
                        // closed on a framing fault: fine
                    }
                } else {
                    udp.send(new DatagramPacket(m, Math.min(m.length, 65000), to));
                }
                // 500 messages a second: fuzzing the handlers, not measuring overload
                long due = t0 + (i + 1) * 2_000_000L;
                while (System.nanoTime() < due) Thread.onSpinWait();
            }
            String status = Await.until("the server answers OPTIONS after the fuzzing", Duration.ofSeconds(30),
                    () -> options(probe, server) == 200 ? shell.run("sip:status") : null, s -> s != null);
            Matcher handlerErrors = Pattern.compile("errors\\.handler\\s*│?\\s*\\|?\\s*(\\d+)").matcher(status);
            String report = "seed " + seed + ", " + count + " mutated messages; sip:status:\n" + status;
            System.out.println("request fuzzing: " + report);
            assertTrue("a handler threw: " + report, !status.contains("errors.handler"));
            assertTrue(report, !handlerErrors.find());
        }
    }
}
