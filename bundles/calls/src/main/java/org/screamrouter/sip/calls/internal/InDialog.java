package org.screamrouter.sip.calls.internal;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests of a call after its INVITE (RFC 3261 sections 12.2.2, 13.3.1.4, 14, 15, 9.2; RFC 6086 for INFO), on
 * the stack's threads: the ACK that confirms the dialog (it must carry our To-tag, so that whoever did not receive our
 * answer, a forged INVITE's source, cannot start media), re-INVITE answered with the current session, BYE from the
 * peer, CANCEL before the answer, INFO (to {@link Trickle}). A request whose tags match no dialog gets 481.
 */
final class InDialog {
    private static final Logger LOG = LoggerFactory.getLogger(InDialog.class);
    private static final String NO_DIALOG = "Call/Transaction Does Not Exist";

    private final CallTable calls;
    private final DialogMessages dialogs;
    private final HeaderFactory headers;
    private final FinalResponses finals;
    private final Teardown teardown;
    private final Trickle trickle;
    private final CallScheduler scheduler;

    InDialog(CallTable calls, DialogMessages dialogs, HeaderFactory headers, FinalResponses finals, Teardown teardown,
            Trickle trickle, CallScheduler scheduler) {
        this.calls = calls;
        this.dialogs = dialogs;
        this.headers = headers;
        this.finals = finals;
        this.teardown = teardown;
        this.trickle = trickle;
        this.scheduler = scheduler;
    }

    /**
     * An ACK with our To-tag stops the retransmission of the final response of its CSeq: a 2xx's confirms the
     * dialog (and starts a plain RTP call's media), an error response's lets the call go. Others are ignored.
     */
    void ack(SipExchange exchange) {
        Request request = exchange.request();
        Call call = calls.get(Requests.callId(request));
        if (call == null) {
            return;
        }
        long cseq = Requests.cseq(request);
        String toTag = Requests.toTag(request);
        if (!call.localTag.equals(toTag)) {
            // not from whoever got our answer (RFC 3261 17.2.3 / 12.2.2 match on our tag): a forged INVITE's ACK
            LOG.debug("call {}: ACK without our To-tag (had {}) from {}: ignored", call.callId, toTag, exchange.flow());
            return;
        }
        boolean confirmed = false;
        boolean over = false;
        boolean startMedia = false;
        synchronized (call) {
            int status = finals.acknowledge(call, cseq);
            if (status == 0) {
                return; // a retransmitted ACK, or one for something else
            }
            if (status / 100 != 2) {
                over = true;
            } else if (call.phase == Call.Phase.ANSWERED) {
                call.phase = Call.Phase.CONFIRMED;
                confirmed = true;
                startMedia = call.kind == CallInfo.Kind.RTP;
            }
        }
        if (over) {
            teardown.forget(call);
        } else if (confirmed) {
            LOG.info("call {} to sink {}: confirmed", call.callId, call.sink.id());
            if (startMedia) {
                call.bridge.startRtpListener(call.sink.id(), call.callId).whenComplete((v, e) -> {
                    if (e != null) scheduler.execute(() -> teardown.hangup(call, "media could not start: " + e.getMessage(), 500));
                });
            }
            scheduler.execute(() -> trickle.flush(call));
        }
    }

    /**
     * A re-INVITE: the session does not change, so it gets the current answer with the same {@code o=} version
     * (RFC 3264 section 8); 491 before the dialog is confirmed, 500 with Retry-After while a 2xx awaits its ACK
     * (RFC 3261 14.2).
     */
    void reInvite(SipExchange exchange) {
        Call call = match(exchange);
        if (call == null) {
            return;
        }
        long cseq = Requests.cseq(exchange.request());
        synchronized (call) {
            if (call.phase != Call.Phase.CONFIRMED) {
                exchange.respond(Response.REQUEST_PENDING, "Request Pending (the call is not confirmed)");
                return;
            }
            if (finals.awaiting(call)) {
                Response r = exchange.createResponse(Response.SERVER_INTERNAL_ERROR, "Server Internal Error (previous INVITE not acknowledged)");
                SipResponses.retryAfter(r, headers, 1);
                exchange.respond(r);
                return;
            }
            call.remoteCSeq = Math.max(call.remoteCSeq, cseq);
            try {
                finals.send(call, exchange, dialogs.ok(call, exchange, call.answerSdp), cseq);
            } catch (ParseException e) {
                exchange.respond(Response.SERVER_INTERNAL_ERROR, "Server Internal Error (" + e.getMessage() + ")");
            }
        }
        LOG.debug("call {}: re-INVITE answered with the current session", call.callId);
    }

    /** The peer ends the call: 200, listener removed. */
    void bye(SipExchange exchange) {
        Call call = match(exchange);
        if (call == null) {
            return;
        }
        exchange.respond(Response.OK, null);
        LOG.info("call {} to sink {}: ended by the peer (BYE) after {} s", call.callId, call.sink.id(),
                Duration.between(call.started, Instant.now()).toSeconds());
        synchronized (call) {
            call.phase = Call.Phase.ENDED;
        }
        teardown.forget(call);
    }

    /**
     * A CANCEL matches its INVITE by Call-ID and branch (RFC 3261 9.2): 200, and before the answer 487 to the INVITE;
     * after it nothing more (the peer sends BYE).
     */
    void cancel(SipExchange exchange) {
        Request request = exchange.request();
        Call call = calls.get(Requests.callId(request));
        if (call == null || !call.inviteBranch.equals(Requests.branch(request))) {
            exchange.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, NO_DIALOG);
            return;
        }
        exchange.respond(Response.OK, null);
        boolean cancelled = false;
        synchronized (call) {
            if (call.phase == Call.Phase.PROCEEDING) {
                cancelled = true;
                teardown.fail(call, Response.REQUEST_TERMINATED, "Request Terminated");
            }
        }
        if (cancelled) {
            LOG.info("call {} to sink {}: cancelled", call.callId, call.sink.id());
        }
    }

    void info(SipExchange exchange) {
        Call call = match(exchange);
        if (call != null) {
            trickle.received(exchange, call);
        }
    }

    /** The call a request with our To-tag and the peer's From tag belongs to, or null after answering 481. */
    private Call match(SipExchange exchange) {
        Request request = exchange.request();
        Call call = calls.get(Requests.callId(request));
        String toTag = Requests.toTag(request);
        String fromTag = Requests.fromTag(request);
        if (call == null || toTag == null || !toTag.equals(call.localTag) || fromTag == null || !fromTag.equals(call.remoteTag)) {
            exchange.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, NO_DIALOG);
            return null;
        }
        synchronized (call) {
            if (call.phase == Call.Phase.ENDED || call.phase == Call.Phase.REJECTED) {
                exchange.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, NO_DIALOG);
                return null;
            }
        }
        return call;
    }
}
