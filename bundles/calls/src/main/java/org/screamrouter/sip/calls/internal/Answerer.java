package org.screamrouter.sip.calls.internal;

import java.net.InetSocketAddress;
import java.text.ParseException;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Response;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.audio.RtpCodec;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.sdp.LocalCapabilities;
import org.screamrouter.sip.sdp.MediaDescription;
import org.screamrouter.sip.sdp.OfferAnswer;
import org.screamrouter.sip.sdp.OfferRejectedException;
import org.screamrouter.sip.sdp.ParseResult;
import org.screamrouter.sip.sdp.SdpParser;
import org.screamrouter.sip.sdp.SdpWriter;
import org.screamrouter.sip.sdp.SessionDescription;
import org.screamrouter.sip.stack.SipResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer to a call's offer (RFC 3264 offer/answer, sent in the INVITE's 200 OK, RFC 3261 13.3.1.4), made by the
 * audio engine: a WebRTC listener's answer as the engine writes it, or for plain RTP the SDP bundle's answer with the
 * port of the RTP listener the engine prepared (media start at the ACK, {@link InDialog#ack}). An offer the engine
 * refuses ({@link IllegalArgumentException}) gets 488 with a Warning; an engine that fails or misses the answer
 * deadline ({@code answer.deadline.ms}), 500. The engine's completions and callbacks and the deadline run on the
 * {@link CallScheduler}; an answer that comes after the call was cancelled or ended only removes its listener.
 */
final class Answerer {
    private static final Logger LOG = LoggerFactory.getLogger(Answerer.class);

    private final DialogMessages dialogs;
    private final HeaderFactory headers;
    private final FinalResponses finals;
    private final Teardown teardown;
    private final Trickle trickle;
    private final CallScheduler scheduler;
    private final Supplier<CallsConfig> config;

    Answerer(DialogMessages dialogs, HeaderFactory headers, FinalResponses finals, Teardown teardown, Trickle trickle,
            CallScheduler scheduler, Supplier<CallsConfig> config) {
        this.dialogs = dialogs;
        this.headers = headers;
        this.finals = finals;
        this.teardown = teardown;
        this.trickle = trickle;
        this.scheduler = scheduler;
        this.config = config;
    }

    /** Starts the answer deadline ({@code deadlineMillis}) and asks the call's engine for the answer. */
    void start(Call call, InviteOffer offer, long deadlineMillis) {
        synchronized (call) {
            call.deadline = scheduler.schedule(() -> deadlinePassed(call), deadlineMillis);
        }
        AudioBridge engine = call.bridge;
        if (offer.kind() == CallInfo.Kind.WEBRTC) {
            engine.addWebRtcListener(call.sink.id(), call.callId, offer.text(), sdp -> { }, (candidate, mid) ->
                            scheduler.execute(() -> trickle.local(call, candidate, mid)), call.flow.address())
                    .whenCompleteAsync((answer, failure) -> webRtcAnswered(call, answer, failure), scheduler);
        } else {
            MediaDescription accepted = RtpNegotiation.acceptedAudio(offer.rtpAnswer()).orElseThrow();
            RtpCodec codec = RtpNegotiation.codecOf(accepted);
            InetSocketAddress target = offer.mediaTarget();
            synchronized (call) {
                call.media = target.getAddress().getHostAddress() + ":" + target.getPort();
            }
            // media wait for the ACK with our To-tag: the offer's address may be forged until then
            engine.prepareRtpListener(call.sink.id(), call.callId, codec, target)
                    .whenCompleteAsync((local, failure) -> rtpAnswered(call, offer, local, failure), scheduler);
        }
    }

    /** The engine answered a WebRTC offer (or failed to). */
    private void webRtcAnswered(Call call, String answer, Throwable failure) {
        if (failure != null) {
            engineFailed(call, failure);
            return;
        }
        ParseResult parsed = SdpParser.parseLenient(answer);
        synchronized (call) {
            SessionDescription d = parsed.description();
            d.firstMedia("audio").ifPresent(m -> {
                call.iceUfrag = d.iceUfrag(m).orElse(null);
                call.icePwd = d.icePwd(m).orElse(null);
                call.mid = m.mid().orElse("0");
                call.answeredCandidates.addAll(m.candidates());
            });
            call.media = "webrtc:" + call.flow.address();
        }
        sendAnswer(call, answer);
    }

    /** The engine's RTP listener exists (or could not be made): the answer gets its real port. */
    private void rtpAnswered(Call call, InviteOffer offer, InetSocketAddress local, Throwable failure) {
        if (failure != null) {
            engineFailed(call, failure);
            return;
        }
        String address = local.getAddress() == null || local.getAddress().isAnyLocalAddress()
                ? offer.localAddress() : local.getAddress().getHostAddress();
        LocalCapabilities caps = RtpNegotiation.local(address, local.getPort(), offer.sessionId());
        String answer;
        try {
            answer = SdpWriter.write(RtpNegotiation.withPacketTime(OfferAnswer.answer(offer.description(), caps, RtpNegotiation.origin(caps))));
        } catch (OfferRejectedException e) {
            engineFailed(call, e); // cannot happen: the same offer was accepted before
            return;
        }
        sendAnswer(call, answer);
    }

    private void sendAnswer(Call call, String answerSdp) {
        synchronized (call) {
            if (call.phase != Call.Phase.PROCEEDING) {
                // cancelled, timed out or hung up meanwhile: the listener must not outlive the call
                teardown.removeListener(call);
                return;
            }
            Response ok;
            try {
                ok = dialogs.ok(call, call.invite, answerSdp);
            } catch (ParseException e) {
                LOG.error("call {}: cannot build the 200 OK", call.callId, e);
                teardown.fail(call, Response.SERVER_INTERNAL_ERROR, "Server Internal Error (cannot build the answer)");
                return;
            }
            call.answerSdp = answerSdp;
            call.phase = Call.Phase.ANSWERED;
            call.cancelDeadline();
            finals.send(call, call.invite, ok, call.inviteCSeq);
        }
        LOG.info("call {} to sink {}: answered", call.callId, call.sink.id());
    }

    private void deadlinePassed(Call call) {
        synchronized (call) {
            if (call.phase != Call.Phase.PROCEEDING) {
                return;
            }
            call.deadline = null;
            int deadline = config.get().answer_deadline_ms();
            LOG.info("call {} to sink {}: the audio engine did not answer within {} ms", call.callId, call.sink.id(), deadline);
            teardown.fail(call, Response.SERVER_INTERNAL_ERROR,
                    "Server Internal Error (the audio engine did not answer within " + deadline + " ms)");
        }
    }

    private void engineFailed(Call call, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        synchronized (call) {
            if (call.phase != Call.Phase.PROCEEDING) {
                return;
            }
            LOG.info("call {} to sink {}: the audio engine refused the offer: {}", call.callId, call.sink.id(), cause.toString());
            if (cause instanceof IllegalArgumentException) {
                teardown.reject(call, SipResponses.notAcceptableHere(call.invite, headers, 305, String.valueOf(cause.getMessage())));
            } else {
                teardown.fail(call, Response.SERVER_INTERNAL_ERROR, "Server Internal Error (audio engine: " + cause.getMessage() + ")");
            }
        }
    }
}
