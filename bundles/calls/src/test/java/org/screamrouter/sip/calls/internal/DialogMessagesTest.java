package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.screamrouter.sip.testsupport.TestMessages.body;
import static org.screamrouter.sip.testsupport.TestMessages.header;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.sdp.Candidate;
import org.screamrouter.sip.sdp.SdpFragment;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.testsupport.FakeExchange;
import org.screamrouter.sip.testsupport.TestMessages;

class DialogMessagesTest {
    private final Map<String, ListeningPoint> points = new java.util.HashMap<>(Map.of(
            "udp", new ListeningPoint("udp", "192.0.2.10", 5060),
            "tcp", new ListeningPoint("tcp", "192.0.2.10", 5061),
            "tls", new ListeningPoint("tls", "0.0.0.0", 5062)));
    private final DialogMessages dialogs = new DialogMessages(TestMessages.MESSAGES, points::get);

    private static String inviteWithRoutes(String transport, String uri) {
        return Harness.request("INVITE", uri, transport, "z9hG4bKr1", "routed", 7, "peer1", null, "application/sdp", Harness.RTP_OFFER,
                "Contact: <sip:peer@peer-host.invalid;transport=ws>",
                "Record-Route: <sip:proxy1.example;lr>",
                "Record-Route: <sip:proxy2.example;lr>");
    }

    private Call routed(String transport, String uri, CallInfo.Kind kind) throws ParseException {
        return dialogs.newCall(new FakeExchange(inviteWithRoutes(transport, uri)), Harness.KITCHEN, kind, null);
    }

    @Test
    void theDialogIsTakenFromTheInvite() throws Exception {
        Call call = routed("udp", "sip:kitchen@127.0.0.1:5060", CallInfo.Kind.RTP);
        assertThat(call.callId).isEqualTo("routed");
        assertThat(call.remoteTag).isEqualTo("peer1");
        assertThat(call.inviteBranch).isEqualTo("z9hG4bKr1");
        assertThat(call.inviteCSeq).isEqualTo(7);
        assertThat(call.remoteCSeq).isEqualTo(7);
        assertThat(call.remoteTarget.toString()).isEqualTo("sip:peer@peer-host.invalid;transport=ws");
        assertThat(call.routeSet).extracting(Object::toString)
                .containsExactly("<sip:proxy1.example;lr>", "<sip:proxy2.example;lr>");
        assertThat(call.localAddress.toString()).isEqualTo("<sip:kitchen@127.0.0.1:5060>");
        assertThat(call.remoteAddress.toString()).isEqualTo("<sip:peer@127.0.0.1>");
        assertThat(call.phase).isEqualTo(Call.Phase.PROCEEDING);
    }

    @Test
    void anInviteWithoutContactMakesNoDialog() {
        String raw = Harness.request("INVITE", "sip:kitchen@127.0.0.1", "udp", "z9hG4bKn", "nc", 1, "peer1", null,
                "application/sdp", Harness.RTP_OFFER);
        assertThatThrownBy(() -> dialogs.newCall(new FakeExchange(raw), Harness.KITCHEN, CallInfo.Kind.RTP, null))
                .isInstanceOf(ParseException.class).hasMessage("an INVITE needs a Contact (RFC 3261 8.1.1.8)");
    }

    @Test
    void theOkCarriesTheDialogsHeadersAndTheSession() throws Exception {
        Call call = routed("tcp", "sip:kitchen@127.0.0.1:5060", CallInfo.Kind.RTP);
        Response ok = dialogs.ok(call, call.invite, "v=0\r\n");
        assertThat(ok.getStatusCode()).isEqualTo(200);
        assertThat(((ToHeader) ok.getHeader(ToHeader.NAME)).getTag()).isEqualTo(call.localTag);
        assertThat(header(ok, "Contact")).isEqualTo("<sip:192.0.2.10:5061;transport=tcp>");
        List<String> recordRoutes = new ArrayList<>();
        ok.getHeaders("Record-Route").forEachRemaining(h -> recordRoutes.add(h.toString().trim()));
        assertThat(recordRoutes).as("the INVITE's Record-Route, once and in order (RFC 3261 12.1.1)")
                .containsExactly("Record-Route: <sip:proxy1.example;lr>", "Record-Route: <sip:proxy2.example;lr>");
        assertThat(header(ok, "Allow")).isEqualTo("INVITE, ACK, BYE, CANCEL, INFO, OPTIONS");
        assertThat(ok.getHeader("Recv-Info")).isNull();
        assertThat(header(ok, "Content-Type")).isEqualTo("application/sdp");
        assertThat(body(ok)).isEqualTo("v=0\r\n");
    }

    @Test
    void theOkToAReInviteCarriesTheRecordRouteOfTheReInvite() throws Exception {
        Call call = routed("udp", "sip:kitchen@127.0.0.1:5060", CallInfo.Kind.RTP);
        FakeExchange reInvite = new FakeExchange(Harness.request("INVITE", "sip:kitchen@127.0.0.1:5060", "udp", "z9hG4bKre",
                "routed", 8, "peer1", call.localTag, "application/sdp", Harness.RTP_OFFER, "Record-Route: <sip:proxy3.example;lr>"));
        Response ok = dialogs.ok(call, reInvite, "v=0\r\n");
        List<String> recordRoutes = new ArrayList<>();
        ok.getHeaders("Record-Route").forEachRemaining(h -> recordRoutes.add(h.toString().trim()));
        assertThat(recordRoutes).containsExactly("Record-Route: <sip:proxy3.example;lr>");
    }

    @Test
    void aWebRtcOkAcceptsTrickleInfo() throws Exception {
        Call call = routed("udp", "sip:kitchen@127.0.0.1:5060", CallInfo.Kind.WEBRTC);
        Response ok = dialogs.ok(call, call.invite, "v=0\r\n");
        assertThat(header(ok, "Recv-Info")).isEqualTo("trickle-ice");
        assertThat(header(ok, "Contact")).isEqualTo("<sip:192.0.2.10:5060>");
    }

    @Test
    void onAWildcardBindOurContactIsTheAddressThePeerReachesAndSipsWhenAskedFor() throws Exception {
        Call call = routed("tls", "sips:kitchen@127.0.0.1:5062", CallInfo.Kind.RTP);
        // the peer is 127.0.0.1: the kernel's route toward it leaves from 127.0.0.1
        assertThat(dialogs.contact(call).toString()).isEqualTo("sips:127.0.0.1:5062");
        Call plain = routed("tls", "sip:kitchen@127.0.0.1:5062", CallInfo.Kind.RTP);
        assertThat(dialogs.contact(plain).toString()).isEqualTo("sip:127.0.0.1:5062;transport=tls");
    }

    @Test
    void withoutAListeningPointTheContactTakesThePortTheInviteNamed() throws Exception {
        points.clear();
        Call call = routed("udp", "sip:kitchen@127.0.0.1:5999", CallInfo.Kind.RTP);
        assertThat(dialogs.contact(call).toString()).isEqualTo("sip:127.0.0.1:5999");
    }

    @Test
    void aByeFollowsTheDialogToTheRemoteTargetThroughTheRouteSet() throws Exception {
        Call call = routed("udp", "sip:kitchen@127.0.0.1:5060", CallInfo.Kind.RTP);
        Request bye = dialogs.bye(call, "hung up \"by\" the server");
        assertThat(bye.getMethod()).isEqualTo("BYE");
        assertThat(bye.getRequestURI().toString()).isEqualTo("sip:peer@peer-host.invalid;transport=ws");
        assertThat(header(bye, "Call-ID")).isEqualTo("routed");
        assertThat(header(bye, "From")).isEqualTo("<sip:kitchen@127.0.0.1:5060>;tag=" + call.localTag);
        assertThat(header(bye, "To")).isEqualTo("<sip:peer@127.0.0.1>;tag=peer1");
        assertThat(header(bye, "CSeq")).isEqualTo("1 BYE");
        assertThat(header(bye, "Max-Forwards")).isEqualTo("70");
        assertThat(header(bye, "Reason")).isEqualTo("SIP;cause=200;text=\"hung up  by  the server\"");
        assertThat(bye.getHeader(ViaHeader.NAME)).as("the stack adds the Via").isNull();
        List<String> routes = new ArrayList<>();
        for (ListIterator<?> it = bye.getHeaders(RouteHeader.NAME); it.hasNext(); ) routes.add(((RouteHeader) it.next()).getAddress().toString());
        assertThat(routes).containsExactly("<sip:proxy1.example;lr>", "<sip:proxy2.example;lr>");
    }

    @Test
    void eachRequestOfTheDialogTakesTheNextCSeq() throws Exception {
        Call call = routed("udp", "sip:kitchen@127.0.0.1:5060", CallInfo.Kind.WEBRTC);
        Candidate c = Candidate.parse(Harness.ANSWERED_CANDIDATE).orElseThrow();
        Request info = dialogs.info(call, SdpFragment.of("ours", "pwd", "audio", "0", List.of(c), true));
        assertThat(header(info, "CSeq")).isEqualTo("1 INFO");
        assertThat(header(info, "Info-Package")).isEqualTo("trickle-ice");
        assertThat(header(info, "Content-Type")).isEqualTo("application/trickle-ice-sdpfrag");
        assertThat(body(info)).contains("a=ice-ufrag:ours", "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
                "a=end-of-candidates");
        assertThat(header(dialogs.bye(call, "done"), "CSeq")).isEqualTo("2 BYE");
    }
}
