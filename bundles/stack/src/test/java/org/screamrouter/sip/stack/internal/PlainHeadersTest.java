package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.ParserFactory;
import gov.nist.javax.sip.parser.RequestLineParser;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link PlainHeaders} must make, of every line it reads, the object JAIN-SIP's own parser makes of it, field by field
 * (the reference: {@code ParserFactory}, as JAIN-SIP picks a line's parser), and leave to that parser every line it
 * does not read, including every line that parser refuses.
 */
class PlainHeadersTest {
    /** Lines in the shapes peers send (sipp, the ScreamRouter simulator, baresip, linphone, JsSIP), written out here. */
    static final String[] TYPICAL = {
        "Via: SIP/2.0/UDP 127.0.0.1:27821;branch=z9hG4bK-4711-1-0",
        "Via: SIP/2.0/UDP 192.168.1.40:5060;rport;branch=z9hG4bK.a7Rj3kPq",
        "Via: SIP/2.0/TCP 10.0.0.7:40123;branch=z9hG4bKc0ffee;alias",
        "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK9147734",
        "Via: SIP/2.0/UDP speaker-kitchen.local;branch=z9hG4bK1;RPort;TTL=4",
        "v: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK77",
        "VIA: SIP/2.0/UDP 127.0.0.1:1;BRANCH=z9hG4bK77",
        "From: <sip:dev0012345@127.0.0.1>;tag=1",
        "From: \"Kitchen speaker\" <sip:5f2c1b9e-0c44-4a57-9d1e-0b3f6a1c2d3e@192.168.1.40>;tag=8d5e2a",
        "From: <sip:alice@example.com;transport=tcp>;tag=as8f;x-flag",
        "f: <sip:dev@127.0.0.1:27821>;tag=a.b-c",
        "To: <sip:127.0.0.1:27810>",
        "To: <sip:screamrouter@127.0.0.1>",
        "t: \"\" <sip:bob@biloxi.example.com>;tag=x",
        "To: \"  spaced  \" <sip:bob@10.0.0.1:5060;user=phone;lr>",
        "Contact: <sip:dev0012345@127.0.0.1:27821>",
        "Contact: <sip:dev@127.0.0.1:27821;transport=udp>",
        "Contact: <sip:alice@192.168.1.40:5060;ob>;expires=3600;q=0.7",
        "Contact: <sip:alice@192.168.1.40>;+sip.instance=\"<urn:uuid:5f2c1b9e-0c44-4a57-9d1e-0b3f6a1c2d3e>\";reg-id=1",
        "m: <sip:x@df7jal23ls0d.invalid;transport=ws>;expires=600",
        "Call-ID: 1-4711@127.0.0.1",
        "Call-ID: a84b4c76e66710",
        "i: f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com",
        "CSeq: 1 OPTIONS",
        "CSeq: 314159 INVITE",
        "CSeq: 7 register",
        "CSeq: 2147483648 REGISTER",
        "CSeq: 1\tBYE",
        "CSeq: 12 info",
        "CSeq: 3 Subscribe",
        "Max-Forwards: 70",
        "Max-Forwards: 0",
        "Content-Length: 0",
        "Content-Length: 412",
        "l: 12",
        "Expires: 3600",
        "Expires: 0",
        "Content-Type: application/sdp",
        "c: application/pidf+xml;charset=UTF-8",
        "Content-Type: multipart/mixed;boundary=\"unique-boundary-1\"",
        "User-Agent: sipp-bench",
        "User-Agent: ScreamRouter-ESP32/1.4.2",
        "User-Agent: baresip v3.10.1",
        "User-Agent: Linphone Desktop/5.2.0",
        "User-Agent: JsSIP/3.10.1",
    };

    /** Request lines as peers send them. */
    static final String[] REQUEST_LINES = {
        "OPTIONS sip:127.0.0.1:27810 SIP/2.0",
        "REGISTER sip:127.0.0.1 SIP/2.0",
        "INVITE sip:speaker-kitchen@192.168.1.10:5060;transport=udp SIP/2.0",
        "SUBSCRIBE sip:5f2c1b9e-0c44-4a57-9d1e-0b3f6a1c2d3e@10.0.0.2;ob SIP/2.0",
        "BYE sip:df7jal23ls0d.invalid;transport=ws SIP/2.0",
        "ACK sip:bob@10.0.0.1:5062 SIP/2.0",
        "MESSAGE sip:router@127.0.0.1:27810;lr SIP/2.0",
    };

    @Test
    void readsWhatRealPeersSendAsJainSipDoes() {
        for (String line : TYPICAL) {
            SIPHeader plain = plain(line);
            assertThat(plain).as(line).isNotNull();
            assertSameAsJainSip(line, plain);
        }
    }

    @Test
    void leavesEverythingOutsideThePlainShapeToJainSip() {
        String[] others = {
            "Via: SIP/2.0/UDP 127.0.0.1;branch=a, SIP/2.0/UDP 127.0.0.2;branch=b", // two values
            "Via: SIP/2.0/UDP [::1]:5060;branch=z9hG4bK1", // IPv6
            "Via: SIP/2.0/UDP ::1;branch=z9hG4bK1",
            "Via: SIP/2.0/UDP 127.0.0.1;received=10.0.0.1;branch=z9hG4bK1",
            "Via: SIP/2.0/UDP 127.0.0.1 ;branch=z9hG4bK1", // white space inside
            "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1 (comment)",
            "Via: SIP/2.0/UDP 127.0.0.1;branch=",
            "From: sip:alice@127.0.0.1;tag=1", // an addr-spec
            "From: Alice <sip:alice@127.0.0.1>;tag=1", // a display name as tokens
            "From: \"A \\\"quoted\\\" name\" <sip:alice@127.0.0.1>;tag=1",
            "From: <sips:alice@127.0.0.1>;tag=1",
            "From: <SIP:alice@127.0.0.1>;tag=1",
            "From: <sip:alice:secret@127.0.0.1>;tag=1",
            "From: <sip:%61lice@127.0.0.1>;tag=1",
            "From: <sip:alice@127.0.0.1?Subject=x>;tag=1",
            "From: <sip:+1-555;phone-context=x@127.0.0.1>;tag=1",
            "To: <sip:bob@[2001:db8::1]>",
            "To: <sip:bob@h\u00e9.example>",
            "Contact: *",
            "Contact: <sip:a@127.0.0.1>, <sip:b@127.0.0.1>",
            "Call-ID: two words",
            "Call-ID: caf\u00e9",
            "Call-ID: ",
            "CSeq: 99999999999 INVITE",
            "CSeq: 1INVITE",
            "CSeq: -1 INVITE",
            "CSeq: 1 X-CUSTOM",
            "CSeq: 1 Via",
            "Max-Forwards: 256",
            "Max-Forwards: 7O",
            "Content-Length: 1234567890",
            "Content-Length: -1",
            " Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1",
            "Via\u0001: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1",
            "Expires: 9999999999",
            "Content-Type: application / sdp",
            "User-Agent: (comment) x",
            "User-Agent: a/b/c",
            "User-Agent: a/ b",
            "User-Agent: trailing ",
        };
        for (String line : others) {
            assertThat(plain(line)).as(line).isNull();
        }
    }

    @Test
    void readsRequestLinesAsJainSipDoes() throws Exception {
        for (String line : REQUEST_LINES) {
            RequestLine plain = PlainHeaders.requestLine(line);
            assertThat(plain).as(line).isNotNull();
            assertSameRequestLine(line, plain);
        }
        for (String line : new String[] {"options sip:a@127.0.0.1 SIP/2.0", "OPTIONS sip:a@127.0.0.1 SIP/2.1",
            "OPTIONS  sip:a@127.0.0.1 SIP/2.0", "OPTIONS sips:a@127.0.0.1 SIP/2.0", "OPTIONS sip:a@[::1] SIP/2.0",
            "OPTIONS sip:a@127.0.0.1?x=y SIP/2.0", "OPTIONS tel:+1555 SIP/2.0", "SIP/2.0 200 OK", "X-CUSTOM sip:a@b SIP/2.0",
            "OPTIONS sip:a@127.0.0.1 SIP/2.0 "}) {
            assertThat(PlainHeaders.requestLine(line)).as(line).isNull();
        }
    }

    @Property(tries = 3000)
    void agreesWithJainSipOnMutatedRequestLines(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        String line = mutate(REQUEST_LINES[random.nextInt(REQUEST_LINES.length)], random);
        RequestLine plain = PlainHeaders.requestLine(line);
        if (plain != null) {
            assertSameRequestLine(line, plain);
        }
    }

    /** Whole requests as sipp, the ScreamRouter simulator and a soft phone send them. */
    static final String[] MESSAGES = {
        "OPTIONS sip:127.0.0.1:27810 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:27821;branch=z9hG4bK-4711-1-0\r\n"
            + "From: <sip:dev0012345@127.0.0.1>;tag=1\r\n"
            + "To: <sip:127.0.0.1:27810>\r\n"
            + "Call-ID: 1-4711@127.0.0.1\r\n"
            + "CSeq: 1 OPTIONS\r\n"
            + "Contact: <sip:dev0012345@127.0.0.1:27821>\r\n"
            + "Max-Forwards: 70\r\n"
            + "User-Agent: sipp-bench\r\n"
            + "Content-Length: 0\r\n\r\n",
        "REGISTER sip:127.0.0.1:27810 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:27821;branch=z9hG4bK-4711-2-0\r\n"
            + "From: <sip:5f2c1b9e-0c44-4a57-9d1e-0b3f6a1c2d3e@127.0.0.1>;tag=2\r\n"
            + "To: <sip:screamrouter@127.0.0.1>\r\n"
            + "Call-ID: 2-4711@127.0.0.1\r\n"
            + "CSeq: 1 REGISTER\r\n"
            + "Contact: <sip:5f2c1b9e-0c44-4a57-9d1e-0b3f6a1c2d3e@127.0.0.1:27821;transport=udp>\r\n"
            + "Max-Forwards: 70\r\n"
            + "Expires: 3600\r\n"
            + "User-Agent: sipp-bench-device\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Length: 92\r\n\r\n"
            + "v=0\r\no=sink 1 1 IN IP4 127.0.0.1\r\ns=ScreamRouter simulated sink\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n",
        "REGISTER sip:192.168.1.10 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.168.1.40:5060;rport;branch=z9hG4bK.a7Rj3kPq\r\n"
            + "From: \"Kitchen speaker\" <sip:kitchen@192.168.1.10>;tag=8d5e2a\r\n"
            + "To: \"Kitchen speaker\" <sip:kitchen@192.168.1.10>\r\n"
            + "Call-ID: f81d4fae-7dec-11d0-a765-00a0c91e6bf6\r\n"
            + "CSeq: 20 REGISTER\r\n"
            + "Contact: <sip:kitchen@192.168.1.40:5060;ob>;+sip.instance=\"<urn:uuid:5f2c1b9e-0c44-4a57-9d1e-0b3f6a1c2d3e>\";reg-id=1;expires=600\r\n"
            + "Max-Forwards: 70\r\n"
            + "Supported: path, outbound\r\n"
            + "User-Agent: baresip v3.10.1 (x86_64/Linux)\r\n"
            + "Content-Length: 0\r\n\r\n",
    };

    /** Whole messages: our parser (plain lines by hand) makes the message JAIN-SIP's own parser makes. */
    @Test
    void parsesWholeMessagesAsJainSipDoes() throws Exception {
        for (String message : MESSAGES) {
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            SIPMessage ours = new StrictMessageParser().parseSIPMessage(bytes, true, false, null);
            SIPMessage reference = new StringMsgParser().parseSIPMessage(bytes, true, false, null);
            assertThat(difference(ours, reference, "", new IdentityHashMap<>())).as(message).isNull();
        }
        int compared = 0;
        for (Path file : CorpusConformanceTest.corpus()) {
            byte[] message = Files.readAllBytes(file);
            SIPMessage reference;
            SIPMessage ours;
            try {
                reference = new StringMsgParser().parseSIPMessage(message, true, false, null);
                ours = new StrictMessageParser().parseSIPMessage(message, true, false, null);
            } catch (Exception e) {
                continue; // refused by one of them: CorpusConformanceTest's business
            }
            if (reference == null || ours == null || !"SIP/2.0".equals(StrictMessageParser.writtenVersion(message))) {
                continue; // ours keeps the version as written (RFC 4475 badvers)
            }
            compared++;
            assertThat(difference(ours, reference, "", new IdentityHashMap<>())).as(file.getFileName().toString()).isNull();
        }
        assertThat(compared).isGreaterThan(30);
    }

    private static void assertSameRequestLine(String line, RequestLine plain) {
        RequestLine reference;
        try {
            reference = new RequestLineParser(line + "\n").parse();
        } catch (Exception e) {
            fail("read by hand, refused by JAIN-SIP (" + e + "): " + line);
            return;
        }
        assertThat(plain.encode()).as(line).isEqualTo(reference.encode());
        assertThat(difference(plain, reference, "", new IdentityHashMap<>())).as(line).isNull();
    }

    @Test
    void readsTheCorpusLinesItTakesAsJainSipDoes() throws Exception {
        int read = 0;
        int lines = 0;
        for (Path file : CorpusConformanceTest.corpus()) {
            for (String line : headerLines(Files.readAllBytes(file))) {
                lines++;
                SIPHeader plain = plain(line);
                if (plain != null) {
                    read++;
                    assertSameAsJainSip(line, plain);
                }
            }
        }
        // the torture messages are mostly not plain, but their ordinary lines are
        assertThat(read).as("plain lines of %d", lines).isGreaterThan(100);
    }

    @Property(tries = 5000)
    void agreesWithJainSipOnMutatedLines(@ForAll long seed) {
        Random random = new Random(seed);
        String line = mutate(TYPICAL[random.nextInt(TYPICAL.length)], random);
        SIPHeader plain = plain(line);
        if (plain != null) {
            assertSameAsJainSip(line, plain);
        }
    }

    /** Characters that matter to the grammar, and some that must never pass. */
    private static final String EDITS = " \t;:,<>\"@=?/\\[]%#&$+*'()!~`.-_09aZ\u00e9\u0130\u0000\r";

    /** Up to four edits with {@link #EDITS}. */
    private static String mutate(String line, Random random) {
        return mutate(line, random, EDITS, 4);
    }

    /** Up to {@code most} edits (insert, replace, delete) with characters of {@code alphabet}; also PlainOptionsTest's. */
    static String mutate(String line, Random random, String alphabet, int most) {
        StringBuilder b = new StringBuilder(line);
        int edits = 1 + random.nextInt(most);
        for (int k = 0; k < edits && b.length() > 0; k++) {
            int at = random.nextInt(b.length());
            char c = alphabet.charAt(random.nextInt(alphabet.length()));
            switch (random.nextInt(3)) {
                case 0 -> b.insert(at, c);
                case 1 -> b.setCharAt(at, c);
                default -> b.deleteCharAt(at);
            }
        }
        return b.toString();
    }

    private static SIPHeader plain(String line) {
        return CommonHeaderParsers.plain(line);
    }

    private static void assertSameAsJainSip(String line, SIPHeader plain) {
        SIPHeader reference;
        try {
            reference = (SIPHeader) ParserFactory.createParser(line + "\n").parse();
        } catch (Exception e) {
            fail("read by hand, refused by JAIN-SIP (" + e + "): " + line);
            return;
        }
        assertThat(plain.encode()).as(line).isEqualTo(reference.encode());
        String difference = difference(plain, reference, "", new IdentityHashMap<>());
        assertThat(difference).as(line).isNull();
    }

    /** The path of the first field where the two object graphs differ, or null when they are the same. */
    static String difference(Object a, Object b, String path, IdentityHashMap<Object, Object> seen) {
        if (a == b) return null;
        if (a == null || b == null) return path + ": " + a + " / " + b;
        if (a.getClass() != b.getClass()) return path + ": " + a.getClass() + " / " + b.getClass();
        if (a instanceof String || a instanceof Number || a instanceof Boolean || a instanceof Character
                || a instanceof Enum<?> || a instanceof Class<?>) {
            return a.equals(b) ? null : path + ": " + a + " / " + b;
        }
        if (seen.put(a, b) != null) return null;
        if (a.getClass().isArray()) {
            if (Array.getLength(a) != Array.getLength(b)) return path + ": length";
            for (int i = 0; i < Array.getLength(a); i++) {
                String d = difference(Array.get(a, i), Array.get(b, i), path + "[" + i + "]", seen);
                if (d != null) return d;
            }
            return null;
        }
        if (a instanceof Map<?, ?> ma) {
            return difference(new ArrayList<>(ma.entrySet()), new ArrayList<>(((Map<?, ?>) b).entrySet()), path, seen);
        }
        if (a instanceof Map.Entry<?, ?> ea) {
            Map.Entry<?, ?> eb = (Map.Entry<?, ?>) b;
            String d = difference(ea.getKey(), eb.getKey(), path + ".key", seen);
            return d != null ? d : difference(ea.getValue(), eb.getValue(), path + "{" + ea.getKey() + "}", seen);
        }
        if (a instanceof Collection<?> ca) {
            Collection<?> cb = (Collection<?>) b;
            if (ca.size() != cb.size()) return path + ": size " + ca.size() + " / " + cb.size();
            Iterator<?> ib = cb.iterator();
            int i = 0;
            for (Object x : ca) {
                String d = difference(x, ib.next(), path + "[" + i++ + "]", seen);
                if (d != null) return d;
            }
            return null;
        }
        if (a instanceof java.util.Calendar ca) { // JAIN-SIP's Date keeps the milliseconds of the moment it parsed
            return ca.getTimeInMillis() / 1000 == ((java.util.Calendar) b).getTimeInMillis() / 1000 ? null : path + ": date";
        }
        if (a.getClass().getName().startsWith("java.")) { // an InetAddress and the like: their own equality
            return a.equals(b) ? null : path + ": " + a + " / " + b;
        }
        for (Class<?> c = a.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) continue;
                f.setAccessible(true);
                try {
                    String d = difference(f.get(a), f.get(b), path + "." + f.getName(), seen);
                    if (d != null) return d;
                } catch (IllegalAccessException e) {
                    return path + "." + f.getName() + ": " + e;
                }
            }
        }
        return null;
    }

    /** The header lines of a message as the parser hands them over: up to the empty line, continuation lines joined. */
    static List<String> headerLines(byte[] message) {
        String text = new String(message, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        String[] raw = (end < 0 ? text : text.substring(0, end)).split("\r?\n");
        List<String> lines = new ArrayList<>();
        for (int i = 1; i < raw.length; i++) {
            if (!raw[i].isEmpty() && (raw[i].charAt(0) == ' ' || raw[i].charAt(0) == '\t') && !lines.isEmpty()) {
                lines.set(lines.size() - 1, lines.get(lines.size() - 1) + raw[i]);
            } else {
                lines.add(raw[i]);
            }
        }
        return lines;
    }
}
