package org.screamrouter.sip.calls.internal;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.sdp.Candidate;
import org.screamrouter.sip.sdp.Diagnostic;
import org.screamrouter.sip.sdp.MediaDescription;
import org.screamrouter.sip.sdp.SdpFragment;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipResponses;
import org.screamrouter.sip.stack.SipSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trickle ICE over INFO (RFC 8840), both ways. Ours: the candidates the engine finds after its answer wait in the
 * call's queue and go out once the dialog is confirmed, one INFO at a time (section 4.3), without those the answer
 * carried already, with {@code a=end-of-candidates} when gathering ends. The peer's: each candidate of an
 * {@code application/trickle-ice-sdpfrag} INFO goes to the engine.
 */
final class Trickle {
    private static final Logger LOG = LoggerFactory.getLogger(Trickle.class);
    static final String TYPE = SdpFragment.CONTENT_TYPE;

    private final DialogMessages dialogs;
    private final HeaderFactory headers;
    private final SipSender sender;
    private final CallScheduler scheduler;
    private final Supplier<CallsConfig> config;

    Trickle(DialogMessages dialogs, HeaderFactory headers, SipSender sender, CallScheduler scheduler, Supplier<CallsConfig> config) {
        this.dialogs = dialogs;
        this.headers = headers;
        this.sender = sender;
        this.scheduler = scheduler;
        this.config = config;
    }

    /** On the scheduler: a candidate the engine found ({@code null}: gathering ended); goes out when it can. */
    void local(Call call, String candidate, String mid) {
        synchronized (call) {
            if (candidate == null) {
                call.pendingEndOfCandidates = true;
            } else {
                call.pendingCandidates.add(candidate);
            }
            if (mid != null) {
                call.mid = mid;
            }
        }
        flush(call);
    }

    /** Sends what candidates wait, in one INFO at a time, once the dialog is confirmed. */
    void flush(Call call) {
        Request info;
        synchronized (call) {
            if (call.phase != Call.Phase.CONFIRMED || call.infoInFlight
                    || (call.pendingCandidates.isEmpty() && !call.pendingEndOfCandidates)) {
                return;
            }
            List<Candidate> candidates = new ArrayList<>();
            for (String c : call.pendingCandidates) {
                Candidate.parse(c).filter(parsed -> !call.answeredCandidates.contains(parsed)).ifPresent(candidates::add);
            }
            if (candidates.isEmpty() && !call.pendingEndOfCandidates) {
                call.pendingCandidates.clear();
                return; // all of them were in the answer already
            }
            SdpFragment fragment = SdpFragment.of(call.iceUfrag == null ? "" : call.iceUfrag, call.icePwd == null ? "" : call.icePwd,
                    "audio", call.mid, candidates, call.pendingEndOfCandidates);
            try {
                info = dialogs.info(call, fragment);
            } catch (ParseException e) {
                LOG.warn("call {}: cannot build INFO: {}", call.callId, e.getMessage());
                return;
            }
            call.pendingCandidates.clear();
            call.pendingEndOfCandidates = false;
            call.infoInFlight = true;
        }
        sender.send(info, call.flow, Duration.ofMillis(config.get().bye_timeout_ms())).whenCompleteAsync((r, e) -> {
            synchronized (call) {
                call.infoInFlight = false;
            }
            if (e != null || r.getStatusCode() >= 300) {
                LOG.debug("call {}: trickle INFO answered {}", call.callId, e != null ? e.toString() : r.getStatusCode());
            }
            flush(call);
        }, scheduler);
    }

    /**
     * An INFO in the call's dialog: without a body 200 (a keep-alive); a trickle-ice sdpfrag's candidates to the
     * engine (WebRTC calls) and 200; another body type 415 with Accept; a malformed sdpfrag 400.
     */
    void received(SipExchange exchange, Call call) {
        Request request = exchange.request();
        if (!Requests.hasBody(request)) {
            exchange.respond(Response.OK, null);
            return;
        }
        if (!TYPE.equalsIgnoreCase(Requests.contentType(request))) {
            exchange.respond(SipResponses.unsupportedMediaType(exchange, headers, "Unsupported Media Type (INFO carries " + TYPE + ")", "application",
                    "trickle-ice-sdpfrag"));
            return;
        }
        SdpFragment.Lenient parsed = SdpFragment.parseLenient(new String(request.getRawContent(), StandardCharsets.UTF_8));
        if (parsed.diagnostics().stream().anyMatch(Diagnostic::isError)) {
            exchange.respond(Response.BAD_REQUEST, "Bad Request (malformed sdpfrag: "
                    + parsed.diagnostics().stream().filter(Diagnostic::isError).findFirst().orElseThrow() + ")");
            return;
        }
        AudioBridge engine = call.bridge;
        int count = 0;
        if (engine != null && call.kind == CallInfo.Kind.WEBRTC) {
            for (MediaDescription m : parsed.fragment().media()) {
                String mid = m.mid().orElse(call.mid);
                for (Candidate c : m.candidates()) {
                    engine.addRemoteIceCandidate(call.sink.id(), call.callId, "candidate:" + c.toAttributeValue(), mid)
                            .whenComplete((v, e) -> {
                                if (e != null) LOG.debug("call {}: candidate refused: {}", call.callId, e.toString());
                            });
                    count++;
                }
            }
        }
        exchange.respond(Response.OK, null);
        LOG.debug("call {}: {} remote candidates from INFO", call.callId, count);
    }
}
