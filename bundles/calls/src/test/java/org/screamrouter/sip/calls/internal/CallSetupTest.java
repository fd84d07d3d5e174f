package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.screamrouter.sip.testsupport.TestMessages.header;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.audio.RtpCodec;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.testsupport.FakeExchange;

class CallSetupTest {
    private final Wired w = new Wired();

    private FakeExchange invite(String raw) {
        FakeExchange x = new FakeExchange(raw);
        w.setup.invite(x);
        return x;
    }

    private FakeExchange invite(String callId, String offer) {
        return invite(Harness.invite(callId, "z9hG4bK" + callId, offer));
    }

    private static String to(String uri, String callId, String contentType, String body) {
        return Harness.request("INVITE", uri, "udp", "z9hG4bK" + callId, callId, 1, "peer1", null, contentType, body,
                "Contact: <sip:peer@127.0.0.1:5070>");
    }

    private static void assertAnswer(FakeExchange x, int status, String reason) {
        assertThat(x.statuses()).containsExactly(status);
        if (reason != null) assertThat(x.last().getReasonPhrase()).isEqualTo(reason);
    }

    @Test
    void aPlainRtpInviteGets100AndItsListenerIsPrepared() {
        FakeExchange x = invite("c1", Harness.RTP_OFFER);
        assertThat(x.statuses()).containsExactly(100);
        Call call = w.table.get("c1");
        assertThat(call.phase).isEqualTo(Call.Phase.PROCEEDING);
        assertThat(call.kind).isEqualTo(CallInfo.Kind.RTP);
        assertThat(call.bridge).isSameAs(w.bridge);
        Harness.FakeBridge.Rtp asked = w.bridge.rtp.get("c1");
        assertThat(asked.sinkId()).isEqualTo("kitchen");
        assertThat(asked.codec()).isEqualTo(new RtpCodec(RtpCodec.Encoding.PCMU, 0, 8000, 1));
        assertThat(asked.remote()).isEqualTo(new InetSocketAddress("127.0.0.1", 4000));
    }

    @Test
    void aWebRtcInviteGets100AndTheEngineIsAsked() {
        FakeExchange x = invite("w1", Harness.WEBRTC_OFFER);
        assertThat(x.statuses()).containsExactly(100);
        assertThat(w.table.get("w1").kind).isEqualTo(CallInfo.Kind.WEBRTC);
        assertThat(w.bridge.webRtc).containsKey("w1");
    }

    @Test
    void aRetransmittedInviteGets100AgainWhileTheAnswerIsMade() {
        String raw = Harness.invite("c1", "z9hG4bKc1", Harness.RTP_OFFER);
        invite(raw);
        assertThat(invite(raw).statuses()).containsExactly(100);
        assertThat(w.bridge.rtp).hasSize(1);
        w.table.get("c1").phase = Call.Phase.ANSWERED;
        assertThat(invite(raw).responses).as("the stack's cache resends the final response").isEmpty();
    }

    @Test
    void anotherInviteWithACallIdInACallGets482() {
        invite(Harness.invite("c1", "z9hG4bKfirst", Harness.RTP_OFFER));
        FakeExchange second = invite(Harness.invite("c1", "z9hG4bKsecond", Harness.RTP_OFFER));
        assertAnswer(second, 482, "Loop Detected (Call-ID c1 is in a call already)");
    }

    @Test
    void whenTheAuthenticatorStaysAwayTheInviteGetsTheOne503() {
        w.authenticator = new org.screamrouter.sip.auth.AuthenticatorSlot(() -> FakeExchange.MESSAGES, java.time.Duration.ofMillis(50), 4);
        FakeExchange x = invite("c1", Harness.RTP_OFFER);
        assertAnswer(x, 503, org.screamrouter.sip.auth.AuthenticatorSlot.REASON);
        assertThat(header(x.last(), "Retry-After")).isEqualTo(Integer.toString(org.screamrouter.sip.auth.AuthenticatorSlot.RETRY_AFTER_SECONDS));
        assertThat(w.table.size()).isZero();
    }

    @Test
    void anInviteTheAuthenticatorAnsweredGoesNoFurther() {
        w.authenticator = new SipAuthenticator() {
            @Override public Outcome authenticate(SipExchange exchange) {
                exchange.respond(exchange.createResponse(401));
                return Outcome.refused();
            }
            @Override public boolean owns(String user, String aor) { return false; }
        };
        FakeExchange x = invite("c1", Harness.RTP_OFFER);
        assertThat(x.statuses()).containsExactly(401);
        assertThat(w.bridge.rtp).isEmpty();
    }

    @Test
    void withoutAnAudioEngineTheInviteGets503() {
        w.current = null;
        FakeExchange x = invite("c1", Harness.RTP_OFFER);
        assertAnswer(x, 503, "Service Unavailable (the audio engine is not running)");
        assertThat(header(x.last(), "Retry-After")).isEqualTo("5");
    }

    @Test
    void pastTheLimitsTheInviteGets503() throws Exception {
        w.config = Harness.config(Map.of("max_calls", 3, "max_calls_per_source", 2));
        invite("c1", Harness.RTP_OFFER);
        invite("c2", Harness.RTP_OFFER);
        assertAnswer(invite("c3", Harness.RTP_OFFER), 503, "Service Unavailable (2 calls from 127.0.0.1)");
        FakeExchange other = new FakeExchange(Harness.invite("c4", "z9hG4bKc4", Harness.RTP_OFFER), InetAddress.getByName("127.0.0.2"));
        w.setup.invite(other);
        assertThat(other.statuses()).containsExactly(100);
        FakeExchange third = new FakeExchange(Harness.invite("c5", "z9hG4bKc5", Harness.RTP_OFFER), InetAddress.getByName("127.0.0.3"));
        w.setup.invite(third);
        assertAnswer(third, 503, "Service Unavailable (3 calls in progress)");
        assertThat(header(third.last(), "Retry-After")).isEqualTo("5");
    }

    @Test
    void anUnknownSinkGets404AndADisabledOne480() {
        assertAnswer(invite(to("sip:cellar@127.0.0.1", "c1", "application/sdp", Harness.RTP_OFFER)), 404, "Not Found (no sink cellar)");
        assertAnswer(invite(to("sip:127.0.0.1", "c2", "application/sdp", Harness.RTP_OFFER)), 404,
                "Not Found (name a sink: sip:<sink name or uuid>@server)");
        assertAnswer(invite(to("sip:office@127.0.0.1", "c3", "application/sdp", Harness.RTP_OFFER)), 480,
                "Temporarily Unavailable (sink office is disabled)");
    }

    @Test
    void theSinkNameIsUnescaped() {
        w.sinks.put("living room", new Sink("living room", null, true));
        assertThat(invite(to("sip:living%20room@127.0.0.1", "c1", "application/sdp", Harness.RTP_OFFER)).statuses()).containsExactly(100);
        assertThat(w.bridge.rtp.get("c1").sinkId()).isEqualTo("living room");
    }

    @Test
    void anInviteWithoutAnOfferGets488() {
        FakeExchange x = invite(to("sip:kitchen@127.0.0.1", "c1", null, null));
        assertAnswer(x, 488, null);
        assertThat(header(x.last(), "Warning")).isEqualTo("304 screamrouter \"no offer: an INVITE without SDP is not supported\"");
    }

    @Test
    void anOfferOfAnotherTypeGets415() {
        FakeExchange x = invite(to("sip:kitchen@127.0.0.1", "c1", "text/plain", "hello"));
        assertAnswer(x, 415, "Unsupported Media Type (the offer must be application/sdp)");
        assertThat(header(x.last(), "Accept")).isEqualTo("application/sdp");
    }

    @Test
    void aMalformedOfferGets400NamingTheFault() {
        FakeExchange x = invite("c1", "v=0\r\nm=audio many RTP/AVP 0\r\n");
        assertThat(x.statuses()).containsExactly(400);
        assertThat(x.last().getReasonPhrase()).startsWith("Bad Request (malformed SDP: ");
    }

    @Test
    void anOfferWithoutAudioGets488() {
        String video = Harness.RTP_OFFER.replace("m=audio 4000", "m=video 4000");
        assertThat(header(invite("c1", video).last(), "Warning")).isEqualTo("304 screamrouter \"no audio stream offered\"");
        String rejected = Harness.RTP_OFFER.replace("m=audio 4000", "m=audio 0");
        assertThat(header(invite("c2", rejected).last(), "Warning")).isEqualTo("304 screamrouter \"no audio stream offered\"");
    }

    @Test
    void anUnknownTransportGets488With302() {
        String sdes = Harness.RTP_OFFER.replace("RTP/AVP", "RTP/SAVP");
        Response r = invite("c1", sdes).last();
        assertThat(r.getStatusCode()).isEqualTo(488);
        assertThat(header(r, "Warning")).isEqualTo("302 screamrouter \"transport RTP/SAVP not supported: offer RTP/AVP, or "
                + "UDP/TLS/RTP/SAVPF with a DTLS fingerprint\"");
    }

    @Test
    void aPlainOfferWithoutACommonCodecGets488With305BeforeAnyListenerExists() {
        Response r = invite("c1", Harness.rtpOffer(4000, "9", "9 G722/8000")).last();
        assertThat(r.getStatusCode()).isEqualTo(488);
        assertThat(header(r, "Warning")).startsWith("305 screamrouter \"no common codec");
        assertThat(w.bridge.rtp).isEmpty();
        assertThat(w.table.size()).isZero();
    }

    @Test
    void anInviteWithoutContactGets400() {
        FakeExchange x = invite(Harness.request("INVITE", "sip:kitchen@127.0.0.1", "udp", "z9hG4bKn", "c1", 1, "peer1", null,
                "application/sdp", Harness.RTP_OFFER));
        assertAnswer(x, 400, "Bad Request (an INVITE needs a Contact (RFC 3261 8.1.1.8))");
        assertThat(w.table.size()).isZero();
        assertThat(w.bridge.rtp).isEmpty();
    }

    @Test
    void theAnswerDeadlineIsTheOneConfiguredWhenTheInviteCame() {
        w.config = Harness.config(Map.of("answer_deadline_ms", 300));
        FakeExchange x = invite("w1", Harness.WEBRTC_OFFER);
        w.config = Harness.DEFAULTS;
        w.scheduler.advance(300);
        assertThat(x.statuses()).containsExactly(100, 500);
    }
}
