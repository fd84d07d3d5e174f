package org.screamrouter.sip.calls.internal;

import java.net.InetAddress;
import java.text.ParseException;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sip.address.SipURI;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An INVITE that starts a call (RFC 3261 13.3.1), on the stack's thread. Its retransmission gets 100 again while
 * the answer is being made (later the stack's cache resends the final response); another INVITE with a Call-ID in a
 * call gets 482. Then, in this order, each refusal answered at once: authentication (503 when the authenticator stays
 * away), the audio engine (503), the limits ({@link Admission}), the sink the Request-URI names (404, 480), the offer
 * ({@link InviteOffer}), the dialog ({@link DialogMessages#newCall}, 400 without Contact). A call that passes gets
 * 100 Trying and goes to the {@link Answerer}.
 */
final class CallSetup {
    private static final Logger LOG = LoggerFactory.getLogger(CallSetup.class);
    /** The Retry-After of a 503: the server's condition (restarting, full) passes within seconds. */
    static final int RETRY_AFTER_SECONDS = 5;

    /** The services a new call needs, each of which may be away for a moment (dynamic references). */
    interface Services {
        /** The authenticator: an {@link org.screamrouter.sip.auth.AuthenticatorSlot}, which waits for it while it is away. */
        SipAuthenticator authenticator();

        /** The bridge for a new call, null when none runs. */
        AudioBridge bridge();

        /** The sink a Request-URI user part names ({@link SinkDirectory}). */
        Optional<Sink> sink(String target);
    }

    private final CallTable calls;
    private final Admission admission;
    private final DialogMessages dialogs;
    private final HeaderFactory headers;
    private final Answerer answerer;
    private final Services services;
    private final Supplier<CallsConfig> config;

    CallSetup(CallTable calls, Admission admission, DialogMessages dialogs, HeaderFactory headers, Answerer answerer,
            Services services, Supplier<CallsConfig> config) {
        this.calls = calls;
        this.admission = admission;
        this.dialogs = dialogs;
        this.headers = headers;
        this.answerer = answerer;
        this.services = services;
        this.config = config;
    }

    /** An INVITE without To tag. */
    void invite(SipExchange exchange) {
        Request request = exchange.request();
        String callId = Requests.callId(request);
        Call existing = calls.get(callId);
        if (existing != null) {
            if (existing.inviteBranch.equals(Requests.branch(request))) {
                // a retransmission while the answer is being made (a final answer is resent by the stack's cache)
                synchronized (existing) {
                    if (existing.phase == Call.Phase.PROCEEDING) {
                        exchange.respond(exchange.createResponse(Response.TRYING));
                    }
                }
            } else {
                exchange.respond(Response.LOOP_DETECTED, "Loop Detected (Call-ID " + callId + " is in a call already)");
            }
            return;
        }
        if (!services.authenticator().authenticate(exchange).proceed()) { // when refused it has answered (503 while away)
            return;
        }
        // the sink before the audio bridge: an INVITE naming nothing is answered without touching the audio side (obtaining
        // the bridge activates the audio component when nothing else has)
        String target = request.getRequestURI() instanceof SipURI uri ? SinkDirectory.unescape(uri.getUser()) : null;
        Optional<Sink> found = services.sink(target);
        if (found.isEmpty()) {
            exchange.respond(Response.NOT_FOUND, target == null || target.isBlank()
                    ? "Not Found (name a sink: sip:<sink name or uuid>@server)" : "Not Found (no sink " + target + ")");
            return;
        }
        Sink sink = found.get();
        if (!sink.enabled()) {
            exchange.respond(Response.TEMPORARILY_UNAVAILABLE, "Temporarily Unavailable (sink " + sink.id() + " is disabled)");
            return;
        }
        AudioBridge engine = services.bridge();
        if (engine == null) {
            exchange.respond(SipResponses.serviceUnavailable(exchange, headers, "Service Unavailable (the audio engine is not running)",
                    RETRY_AFTER_SECONDS));
            return;
        }
        CallsConfig cfg = config.get();
        InetAddress source = exchange.flow().remote().getAddress();
        Optional<String> full = admission.refusal(source, cfg.max_calls(), cfg.max_calls_per_source());
        if (full.isPresent()) {
            exchange.respond(SipResponses.serviceUnavailable(exchange, headers, full.get(), RETRY_AFTER_SECONDS));
            return;
        }
        Optional<InviteOffer> read = InviteOffer.read(exchange, headers);
        if (read.isEmpty()) {
            return;
        }
        InviteOffer offer = read.get();
        Call call;
        try {
            call = dialogs.newCall(exchange, sink, offer.kind(), engine);
        } catch (ParseException | RuntimeException e) {
            exchange.respond(Response.BAD_REQUEST, "Bad Request (" + e.getMessage() + ")");
            return;
        }
        if (!calls.add(call)) {
            exchange.respond(Response.LOOP_DETECTED, "Loop Detected (Call-ID " + callId + " is in a call already)");
            return;
        }
        exchange.respond(exchange.createResponse(Response.TRYING));
        LOG.info("call {} from {} to sink {} ({}): proceeding", callId, exchange.flow(), sink.id(), offer.kind());
        answerer.start(call, offer, cfg.answer_deadline_ms());
    }
}
