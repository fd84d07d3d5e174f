package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.stack.Flow;

/**
 * What {@link PlainOptions} reads of a datagram must be what the usual path reads of it (our parser, JAIN-SIP's
 * objects, the dispatcher's checks), and its 200 OK must carry what the usual path's 200 carries (Via with received
 * and rport, From, To with the same tag, Call-ID, CSeq); every datagram outside the plain shape is left alone.
 */
class PlainOptionsTest {
    private static final Flow FLOW = new Flow("udp", new InetSocketAddress("127.0.0.1", 40123));
    private static final MessageSupport MESSAGES = new MessageSupport("ScreamRouter-SIP/test");
    private static final byte[] LINES = "Allow: OPTIONS, REGISTER\r\nAccept: application/sdp\r\n".getBytes(StandardCharsets.US_ASCII);

    /** bench/sipp/options.xml as sipp sends it. */
    static final String SIPP = "OPTIONS sip:127.0.0.1:27860 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:27871;branch=z9hG4bK-4711-1-0\r\n"
            + "From: <sip:dev0000001@127.0.0.1>;tag=1\r\n"
            + "To: <sip:127.0.0.1:27860>\r\n"
            + "Call-ID: 1-4711@127.0.0.1\r\n"
            + "CSeq: 1 OPTIONS\r\n"
            + "Contact: <sip:dev0000001@127.0.0.1:27871>\r\n"
            + "Max-Forwards: 70\r\n"
            + "User-Agent: sipp-bench\r\n"
            + "Content-Length: 0\r\n\r\n";

    /** Keep-alives in the shapes devices send them, all plain. */
    static final List<String> PLAIN = List.of(
            SIPP,
            "OPTIONS sip:192.168.1.10:5060 SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 192.168.1.40:5060;rport;branch=z9hG4bK.a7Rj3kPq\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: \"Kitchen speaker\" <sip:5f2c1b9e-0c44-4a57-9d1e-0b3f6a1c2d3e@192.168.1.10>;tag=8d5e2a\r\n"
                    + "To: <sip:192.168.1.10>\r\n"
                    + "Call-ID: a84b4c76e66710\r\n"
                    + "CSeq: 42 OPTIONS\r\n"
                    + "User-Agent: ScreamRouter-ESP32/1.4.2\r\n\r\n",
            "OPTIONS sip:screamrouter@speaker-hub.local SIP/2.0\r\n"
                    + "v: SIP/2.0/udp Speaker-Kitchen.LOCAL;BRANCH=z9hG4bK77;TTL=4\r\n"
                    + "f: <sip:speaker-hub.local>;TAG=x.y-z\r\n"
                    + "t: \"\" <sip:screamrouter@speaker-hub.local;transport=udp>\r\n"
                    + "i: f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com\r\n"
                    + "CSeq:   2147483647   OPTIONS\r\n"
                    + "max-forwards :0\r\n"
                    + "m: <sip:x@10.0.0.7:40123;ob>;expires=600\r\n"
                    + "l: 0\r\n\r\n");

    private static SIPRequest usual(String message) throws Exception {
        SIPMessage parsed = new StrictMessageParser().parseSIPMessage(message.getBytes(StandardCharsets.ISO_8859_1), true, false, null);
        assertThat(parsed).as(message).isInstanceOf(SIPRequest.class);
        return (SIPRequest) parsed;
    }

    private static PlainOptions.Fields read(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.ISO_8859_1);
        return PlainOptions.read(bytes, 0, bytes.length, FLOW);
    }

    /** The usual path reads the same of the message, and answers it with the same headers. */
    private static void assertSameAsUsual(String message, PlainOptions.Fields fields) {
        SIPRequest request;
        try {
            request = usual(message);
        } catch (Exception e) {
            fail("read as plain, refused by the usual parser (" + e + "): " + message);
            return;
        }
        assertThat(RequestDispatcher.malformation(request)).as(message).isNull();
        assertThat(request.getMethod()).isEqualTo(Request.OPTIONS);
        assertThat(StatelessRequests.applies(request)).as("outside a dialog").isTrue();
        assertThat(request.getRawContent()).as("no body").isNull();
        assertThat(request.getHeader("Require")).isNull();
        assertThat(request.getHeader("Proxy-Require")).isNull();
        assertThat(request.getRequestURI().getScheme()).isEqualTo("sip");
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        assertThat(fields.fromUser()).as(message).isEqualTo(((SipUri) from.getAddress().getURI()).getUser());
        assertThat(fields.fromTag).as(message).isEqualTo(from.getTag());
        assertThat(fields.callId).isEqualTo(((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId());
        assertThat(fields.cseqNumber).isEqualTo(((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber());
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        assertThat(fields.branch).isEqualTo(via.getBranch());
        assertThat(fields.viaHost).isEqualTo(via.getHost());
        assertThat(fields.viaPort).isEqualTo(via.getPort());
        assertThat(via.getTransport()).isEqualToIgnoringCase("UDP");
        assertThat(request.getViaHeaders().size()).as("one Via").isEqualTo(1);

        // the answers: the usual one as the dispatcher sends it over UDP, and the plain one, read back by JAIN-SIP
        javax.sip.message.Response expected = MESSAGES.response(request, 200, null);
        try {
            Via top = (Via) expected.getHeader(ViaHeader.NAME);
            top.setReceived(FLOW.address());
            top.setParameter("rport", Integer.toString(FLOW.port()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        String tag = MESSAGES.tagFor(fields.callId, fields.fromTag, fields.cseqNumber, Request.OPTIONS, fields.branch,
                fields.viaHost, fields.viaPort);
        byte[] answer = PlainOptions.ok(fields, tag, LINES, MESSAGES.serverLine());
        SIPMessage parsed;
        try {
            parsed = new StringMsgParser().parseSIPMessage(answer, true, false, null);
        } catch (Exception e) {
            fail("our answer is not read back (" + e + "): " + new String(answer, StandardCharsets.ISO_8859_1));
            return;
        }
        assertThat(parsed).isInstanceOf(SIPResponse.class);
        SIPResponse ours = (SIPResponse) parsed;
        assertThat(ours.getStatusCode()).isEqualTo(200);
        for (String name : new String[] {FromHeader.NAME, ToHeader.NAME, CallIdHeader.NAME, CSeqHeader.NAME}) {
            assertThat(ours.getHeader(name)).as(name + " of the answer to " + message).isEqualTo(expected.getHeader(name));
        }
        assertThat(ours.getHeader("Server").toString()).isEqualTo(expected.getHeader("Server").toString());
        assertThat(((ToHeader) ours.getHeader(ToHeader.NAME)).getTag()).as("the usual path's To tag").isEqualTo(tag);
        Via oursVia = (Via) ours.getHeader(ViaHeader.NAME);
        Via expectedVia = (Via) expected.getHeader(ViaHeader.NAME);
        assertThat(oursVia.getSentBy()).isEqualTo(expectedVia.getSentBy());
        assertThat(oursVia.getSentProtocol()).isEqualTo(expectedVia.getSentProtocol());
        for (Iterator<?> names = expectedVia.getParameterNames(); names.hasNext(); ) {
            String name = (String) names.next();
            assertThat(oursVia.hasParameter(name)).as("Via parameter " + name + " of the answer to " + message).isTrue();
            assertThat(Objects.toString(oursVia.getParameter(name), "")).as("Via parameter " + name + " of the answer to " + message)
                    .isEqualTo(Objects.toString(expectedVia.getParameter(name), ""));
        }
        for (Iterator<?> names = oursVia.getParameterNames(); names.hasNext(); ) {
            String name = (String) names.next();
            assertThat(expectedVia.hasParameter(name)).as("Via parameter " + name + " only in ours").isTrue();
        }
        assertThat(ours.getHeader("Allow")).isNotNull();
        assertThat(ours.getContentLength().getContentLength()).isZero();
        for (Iterator<?> h = ours.getHeaders(); h.hasNext(); ) {
            assertThat(((Header) h.next()).getName()).isNotEqualToIgnoringCase("Content-Type");
        }
    }

    @Test
    void readsTheKeepAlivesDevicesSendAsTheUsualPathDoes() {
        for (String message : PLAIN) {
            PlainOptions.Fields fields = read(message);
            assertThat(fields).as(message).isNotNull();
            assertSameAsUsual(message, fields);
        }
        assertThat(read(SIPP).fromUser()).isEqualTo("dev0000001");
        assertThat(read(PLAIN.get(2)).fromUser()).isNull();
    }

    @Test
    void leavesEverythingElseToTheUsualPath() {
        String[][] edits = {
            {"OPTIONS sip:127.0.0.1:27860", "REGISTER sip:127.0.0.1:27860"},
            {"CSeq: 1 OPTIONS", "CSeq: 1 options"},
            {"CSeq: 1 OPTIONS", "CSeq: 1 REGISTER"},
            {"CSeq: 1 OPTIONS", "CSeq: 2147483648 OPTIONS"},
            {"OPTIONS sip:", "OPTIONS sips:"},
            {"OPTIONS sip:127.0.0.1:27860", "OPTIONS tel:+15551234"},
            {" SIP/2.0\r\n", " SIP/3.0\r\n"},
            {"To: <sip:127.0.0.1:27860>", "To: <sip:127.0.0.1:27860>;tag=dialog"},
            {"Content-Length: 0\r\n\r\n", "Content-Length: 4\r\n\r\nbody"},
            {"Content-Length: 0\r\n\r\n", "Content-Length: 0\r\n\r\n\r\n"},
            {"User-Agent: sipp-bench\r\n", "Require: 100rel\r\n"},
            {"User-Agent: sipp-bench\r\n", "Proxy-Require: foo\r\n"},
            {"User-Agent: sipp-bench\r\n", "X-UUID: 5f2c1b9e-0c44-4a57-9d1e-0b3f6a1c2d3e\r\n"},
            {"User-Agent: sipp-bench\r\n", "User-Agent: sipp\r\n bench\r\n"},
            {"User-Agent: sipp-bench\r\n", "User-Agent:\tsipp-bench\r\n"},
            {"User-Agent: sipp-bench\r\n", "User-Agent: sipp-b\u00e9nch\r\n"},
            {"User-Agent: sipp-bench\r\n", "User-Agent: sipp-bench\r\nUser-Agent: again\r\n"},
            {"Max-Forwards: 70\r\n", ""},
            {"Max-Forwards: 70", "Max-Forwards: 256"},
            {"Via: SIP/2.0/UDP 127.0.0.1:27871;branch=z9hG4bK-4711-1-0\r\n",
                "Via: SIP/2.0/UDP 127.0.0.1:27871;branch=z9hG4bK-4711-1-0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKb\r\n"},
            {";branch=z9hG4bK-4711-1-0", ";branch=z9hG4bK-4711-1-0,SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKb"},
            {";branch=z9hG4bK-4711-1-0", ""},
            {";branch=z9hG4bK-4711-1-0", ";received=10.0.0.9;branch=z9hG4bK-4711-1-0"},
            {"SIP/2.0/UDP 127.0.0.1:27871", "SIP/2.0/TCP 127.0.0.1:27871"},
            {"SIP/2.0/UDP 127.0.0.1:27871", "SIP/2.0/UDP [::1]:27871"},
            {"SIP/2.0/UDP 127.0.0.1:27871", "SIP/2.0/UDP 127.0.0.1:65536"},
            {"From: <sip:dev0000001@127.0.0.1>;tag=1", "From: sip:dev0000001@127.0.0.1;tag=1"},
            {"From: <sip:dev0000001@127.0.0.1>;tag=1", "From: <sip:dev%30000001@127.0.0.1>;tag=1"},
            {"From: <sip:dev0000001@127.0.0.1>;tag=1", "From: <sip:dev0000001@127.0.0.1>;tag=1;tag=2"},
            {"From: <sip:dev0000001@127.0.0.1>;tag=1", "From: <sip:dev0000001@127.0.0.1>;tag"},
            {"From: <sip:dev0000001@127.0.0.1>;tag=1\r\n", "From: <sip:dev0000001@127.0.0.1>;tag=1\r\nf: <sip:x@127.0.0.1>;tag=2\r\n"},
            {"Call-ID: 1-4711@127.0.0.1\r\n", ""},
            {"Call-ID: 1-4711@127.0.0.1", "Call-ID: two words"},
            {"Content-Length: 0\r\n\r\n", "Content-Length: 0\r\n"},
            {"\r\n", "\n"},
        };
        for (String[] edit : edits) {
            assertThat(SIPP).contains(edit[0]);
            String message = SIPP.replace(edit[0], edit[1]);
            assertThat(read(message)).as(message).isNull();
        }
    }

    /** Random edits of plain keep-alives: whatever is still read as plain is read as the usual path reads it. */
    @Property(tries = 3000)
    void agreesWithTheUsualPathOnMutatedMessages(@ForAll long seed) {
        mutatedAndChecked(seed);
    }

    /** The property above is not empty: a good part of the edited messages is still plain (each one checked). */
    @Test
    void manyEditedMessagesAreStillPlain() {
        int plain = 0;
        for (long seed = 0; seed < 1000; seed++) {
            if (mutatedAndChecked(seed)) plain++;
        }
        assertThat(plain).isGreaterThan(100);
    }

    /** An edited keep-alive; whether it is plain, after checking it against the usual path when it is. */
    private static boolean mutatedAndChecked(long seed) {
        Random random = new Random(seed);
        String message = PlainHeadersTest.mutate(PLAIN.get(random.nextInt(PLAIN.size())), random,
                " \t;:,<>\"@=?/\\[]%#&$+*'()!~`.-_09aZ\u00e9\u0000\r\n", 3);
        PlainOptions.Fields fields = read(message);
        if (fields != null) {
            assertSameAsUsual(message, fields);
        }
        return fields != null;
    }

    /** The torture messages: none of them is plain, or it is read as the usual path reads it. */
    @Test
    void readsNoTortureMessageOtherwiseThanTheUsualPath() throws Exception {
        int files = 0;
        for (Path file : CorpusConformanceTest.corpus()) {
            files++;
            byte[] bytes = Files.readAllBytes(file);
            PlainOptions.Fields fields = PlainOptions.read(bytes, 0, bytes.length, FLOW);
            if (fields != null) {
                assertSameAsUsual(new String(bytes, StandardCharsets.ISO_8859_1), fields);
            }
        }
        assertThat(files).isGreaterThan(30);
    }
}
