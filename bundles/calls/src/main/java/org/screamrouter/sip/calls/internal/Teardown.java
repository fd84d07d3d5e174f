package org.screamrouter.sip.calls.internal;

import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipResponses;
import org.screamrouter.sip.stack.SipSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How calls end, each way in one place: a final error response to an INVITE not yet answered (its listener removed,
 * the response retransmitted until its ACK), a BYE from the server once it was answered (RFC 3261 15.1.1, with a
 * Reason header, RFC 3326), and forgetting a call that is over (its timers and listener gone). And what ends calls
 * from outside their dialog: {@code Calls.hangup}, the bridge that carries them stopping, their media ending, their
 * connection closing, and the calls service stopping.
 */
final class Teardown implements FinalResponses.NoAck {
    private static final Logger LOG = LoggerFactory.getLogger(Teardown.class);

    private final CallTable calls;
    private final DialogMessages dialogs;
    private final FinalResponses finals;
    private final SipSender sender;
    private final CallScheduler scheduler;
    private final Supplier<CallsConfig> config;

    Teardown(CallTable calls, DialogMessages dialogs, FinalResponses finals, SipSender sender, CallScheduler scheduler,
            Supplier<CallsConfig> config) {
        this.calls = calls;
        this.dialogs = dialogs;
        this.finals = finals;
        this.sender = sender;
        this.scheduler = scheduler;
        this.config = config;
    }

    /**
     * Ends a call from the server side: before the answer a final {@code statusBeforeAnswer} response, after it a
     * BYE; completes when it is over (BYE answered or timed out).
     */
    CompletionStage<Void> hangup(Call call, String why, int statusBeforeAnswer) {
        Request bye;
        synchronized (call) {
            switch (call.phase) {
                case PROCEEDING -> {
                    fail(call, statusBeforeAnswer, (statusBeforeAnswer == 503 ? "Service Unavailable (" : "Call Ended (") + why + ")");
                    return CompletableFuture.completedFuture(null);
                }
                case ANSWERED, CONFIRMED -> {
                    call.phase = Call.Phase.ENDING;
                    finals.abandon(call);
                    try {
                        bye = dialogs.bye(call, why);
                    } catch (ParseException e) {
                        LOG.warn("call {}: cannot build BYE: {}", call.callId, e.getMessage());
                        forget(call);
                        return CompletableFuture.completedFuture(null);
                    }
                }
                default -> {
                    return CompletableFuture.completedFuture(null);
                }
            }
        }
        LOG.info("call {} to sink {}: ending ({}), BYE sent", call.callId, call.sink.id(), why);
        removeListener(call);
        return sender.send(bye, call.flow, Duration.ofMillis(config.get().bye_timeout_ms())).handle((r, e) -> {
            if (e != null) {
                LOG.info("call {}: BYE not answered: {}", call.callId, e.getMessage());
            }
            synchronized (call) {
                call.phase = Call.Phase.ENDED;
            }
            calls.remove(call);
            return null;
        });
    }

    /** {@code Calls.hangup}: false when no such call is in progress. */
    boolean hangup(String callId) {
        Call call = calls.get(callId);
        if (call == null || call.listedState() == null) {
            return false;
        }
        hangup(call, "hung up by the server", Response.TEMPORARILY_UNAVAILABLE);
        return true;
    }

    /** Caller holds the call's lock: a final error response to the INVITE, the listener removed. */
    void fail(Call call, int status, String reason) {
        reject(call, call.invite.createResponse(status, SipResponses.sanitize(reason)));
    }

    /**
     * Caller holds the call's lock: this final error response to the INVITE, with our To-tag (so that its ACK, which
     * carries the response's To, RFC 3261 17.1.1.3, is known as ours and ends the retransmissions), the listener
     * removed.
     */
    void reject(Call call, Response response) {
        try {
            ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(call.localTag);
        } catch (ParseException e) {
            throw new IllegalStateException(e); // our tags are hex digits
        }
        call.phase = Call.Phase.REJECTED;
        call.cancelDeadline();
        removeListener(call);
        finals.send(call, call.invite, response, call.inviteCSeq);
    }

    /** The call is over: its listener and timers go; a rejected call is forgotten once its ACK came or timed out. */
    void forget(Call call) {
        call.cancelTimers();
        synchronized (call) {
            call.phase = Call.Phase.ENDED;
        }
        removeListener(call);
        calls.remove(call);
    }

    /** Removes the call's listener from the bridge that carries it (a failure is only logged). */
    void removeListener(Call call) {
        AudioBridge engine = call.bridge;
        if (engine != null) {
            engine.removeListener(call.sink.id(), call.callId).whenComplete((existed, e) -> {
                if (e != null) LOG.debug("call {}: removing its listener failed: {}", call.callId, e.toString());
            });
        }
    }

    /** A 2xx without ACK ends the call with BYE; an error response without ACK just lets the call go. */
    @Override
    public void noAck(Call call, Response unacknowledged) {
        if (unacknowledged.getStatusCode() / 100 == 2) {
            LOG.info("call {}: no ACK for the 200 OK within 64*T1, ending it", call.callId);
            hangup(call, "no ACK", 408);
        } else {
            forget(call);
        }
    }

    /** A bridge stopped: its listeners are gone with it, so the calls on it have no media any more. */
    void bridgeStopped(AudioBridge stopped) {
        for (Call call : calls.all()) {
            if (call.bridge == stopped) hangup(call, "the audio engine stopped", 503);
        }
    }

    /** The bridge dropped a call's listener (ICE failed, the peer went silent): BYE, on the scheduler. */
    void mediaEnded(Object sinkId, String listenerId, Object reason) {
        Call call = calls.get(listenerId);
        if (call != null && call.sink.id().equals(sinkId)) {
            scheduler.execute(() -> hangup(call, "media ended: " + reason, 500));
        }
    }

    /** A TCP or WebSocket connection closed: the calls signalled over it are over, no BYE can reach their peers. */
    void flowClosed(Flow flow) {
        for (Call call : calls.all()) {
            if (call.flow.equals(flow)) {
                LOG.info("call {} to sink {}: its {} connection closed, call ended", call.callId, call.sink.id(), flow.transport());
                forget(call);
            }
        }
    }

    /**
     * The calls service stops: BYE for answered calls, their answers awaited for {@code shutdown.grace.ms}, 503 for
     * those still being answered. A hot swap of the bundle thus never drops a call silently.
     */
    void endAll() {
        List<CompletableFuture<?>> byes = new ArrayList<>();
        for (Call call : calls.all()) {
            byes.add(hangup(call, "the calls service is stopping", 503).toCompletableFuture());
        }
        if (!byes.isEmpty()) {
            LOG.info("calls service stopping: ending {} calls", byes.size());
            int grace = config.get().shutdown_grace_ms();
            try {
                CompletableFuture.allOf(byes.toArray(CompletableFuture[]::new)).get(grace, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.info("not every BYE was answered within {} ms", grace);
            }
        }
    }
}
