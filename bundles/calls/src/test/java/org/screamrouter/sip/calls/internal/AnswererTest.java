package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.screamrouter.sip.testsupport.TestMessages.body;
import static org.screamrouter.sip.testsupport.TestMessages.header;

import java.net.InetSocketAddress;
import java.util.Map;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.audio.RtpCodec;
import org.screamrouter.sip.testsupport.FakeExchange;

class AnswererTest {
    private final Wired w = new Wired();

    /** A call that passed its INVITE's checks, its answer asked of the engine. */
    private Call start(String callId, String offer) {
        FakeExchange invite = new FakeExchange(Harness.invite(callId, "z9hG4bK" + callId, offer));
        InviteOffer read = InviteOffer.read(invite, w.headers).orElseThrow();
        try {
            Call call = w.dialogs.newCall(invite, Harness.KITCHEN, read.kind(), w.bridge);
            w.table.add(call);
            w.answerer.start(call, read, 5000);
            return call;
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aWebRtcOfferIsAnsweredWithTheEnginesAnswer() {
        Call call = start("w1", Harness.WEBRTC_OFFER);
        Harness.FakeBridge.WebRtc asked = w.bridge.webRtc.get("w1");
        assertThat(asked.sinkId()).isEqualTo("kitchen");
        assertThat(asked.offer()).isEqualTo(Harness.WEBRTC_OFFER);
        assertThat(asked.clientIp()).isEqualTo("127.0.0.1");

        asked.answer().complete(Harness.WEBRTC_ANSWER);
        assertThat(Harness.invite(call).responses).as("answered on the scheduler").isEmpty();
        w.scheduler.runReady();

        Response ok = Harness.invite(call).last();
        assertThat(ok.getStatusCode()).isEqualTo(200);
        assertThat(body(ok)).isEqualTo(Harness.WEBRTC_ANSWER);
        assertThat(header(ok, "Recv-Info")).isEqualTo("trickle-ice");
        assertThat(call.phase).isEqualTo(Call.Phase.ANSWERED);
        assertThat(call.iceUfrag).isEqualTo("ours");
        assertThat(call.icePwd).isEqualTo("ourpasswordourpassword1");
        assertThat(call.answeredCandidates).hasSize(1);
        assertThat(call.media).isEqualTo("webrtc:127.0.0.1");
        assertThat(call.answerSdp).isEqualTo(Harness.WEBRTC_ANSWER);

        w.scheduler.advance(10_000);
        assertThat(Harness.invite(call).statuses()).as("the deadline was cancelled; the 200 is resent until its ACK")
                .containsOnly(200);
    }

    @Test
    void aPlainRtpOfferIsAnsweredWithThePortOfThePreparedListener() {
        Call call = start("r1", Harness.rtpOffer(4000, "8 0", "8 PCMA/8000", "0 PCMU/8000"));
        Harness.FakeBridge.Rtp asked = w.bridge.rtp.get("r1");
        assertThat(asked.codec()).isEqualTo(new RtpCodec(RtpCodec.Encoding.PCMA, 8, 8000, 1));
        assertThat(asked.remote()).isEqualTo(new InetSocketAddress("127.0.0.1", 4000));
        assertThat(call.media).isEqualTo("127.0.0.1:4000");

        asked.local().complete(new InetSocketAddress("0.0.0.0", 40002));
        w.scheduler.runReady();

        Response ok = Harness.invite(call).last();
        assertThat(ok.getStatusCode()).isEqualTo(200);
        assertThat(body(ok)).contains("m=audio 40002 RTP/AVP 8", "c=IN IP4 127.0.0.1", "a=sendonly");
        assertThat(ok.getHeader("Recv-Info")).isNull();
        assertThat(w.bridge.started).as("media wait for the ACK").isEmpty();
    }

    @Test
    void anEngineTooSlowGets500AndItsListenerGoesAlsoWhenItAnswersLater() {
        w.config = Harness.config(Map.of("answer_deadline_ms", 5000));
        Call call = start("w1", Harness.WEBRTC_OFFER);
        w.scheduler.advance(4999);
        assertThat(Harness.invite(call).responses).isEmpty();
        w.scheduler.advance(1);

        Response r = Harness.invite(call).last();
        assertThat(r.getStatusCode()).isEqualTo(500);
        assertThat(r.getReasonPhrase()).isEqualTo("Server Internal Error (the audio engine did not answer within 5000 ms)");
        assertThat(call.phase).isEqualTo(Call.Phase.REJECTED);
        assertThat(w.bridge.removed).containsExactly("kitchen/w1");

        w.bridge.webRtc.get("w1").answer().complete(Harness.WEBRTC_ANSWER);
        w.scheduler.runReady();
        assertThat(Harness.invite(call).statuses()).as("no 200 after the 500").doesNotContain(200);
        assertThat(w.bridge.removed).containsExactly("kitchen/w1", "kitchen/w1");
    }

    @Test
    void anOfferTheEngineRefusesGets488WithAWarning() {
        Call call = start("w1", Harness.WEBRTC_OFFER);
        w.bridge.webRtc.get("w1").answer().completeExceptionally(new IllegalArgumentException("no opus in the offer"));
        w.scheduler.runReady();
        Response r = Harness.invite(call).last();
        assertThat(r.getStatusCode()).isEqualTo(488);
        assertThat(header(r, "Warning")).isEqualTo("305 screamrouter \"no opus in the offer\"");
        assertThat(w.bridge.removed).containsExactly("kitchen/w1");
    }

    @Test
    void anEngineThatFailsGets500NamingTheFailure() {
        Call call = start("r1", Harness.RTP_OFFER);
        w.bridge.rtp.get("r1").local().completeExceptionally(new IllegalStateException("no port free"));
        w.scheduler.runReady();
        Response r = Harness.invite(call).last();
        assertThat(r.getStatusCode()).isEqualTo(500);
        assertThat(r.getReasonPhrase()).isEqualTo("Server Internal Error (audio engine: no port free)");
    }

    @Test
    void anAnswerAfterTheCallWasCancelledOnlyRemovesTheListener() {
        Call call = start("r1", Harness.RTP_OFFER);
        synchronized (call) {
            w.teardown.fail(call, 487, "Request Terminated");
        }
        w.bridge.rtp.get("r1").local().complete(new InetSocketAddress("127.0.0.1", 40002));
        w.scheduler.runReady();
        assertThat(Harness.invite(call).statuses()).containsOnly(487);
        assertThat(w.bridge.removed).containsExactly("kitchen/r1", "kitchen/r1");
    }

    @Test
    void theEnginesLaterCandidatesGoToTheTrickleQueue() {
        Call call = start("w1", Harness.WEBRTC_OFFER);
        w.bridge.webRtc.get("w1").onIceCandidate().accept("candidate:2 1 udp 1686052607 198.51.100.7 50001 typ srflx", "0");
        assertThat(call.pendingCandidates).as("queued on the scheduler, not on the engine's thread").isEmpty();
        w.scheduler.runReady();
        assertThat(call.pendingCandidates).containsExactly("candidate:2 1 udp 1686052607 198.51.100.7 50001 typ srflx");
    }
}
