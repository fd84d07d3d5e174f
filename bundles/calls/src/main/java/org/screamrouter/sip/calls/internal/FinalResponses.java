package org.screamrouter.sip.calls.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.SipExchange;

/**
 * Final responses to INVITEs, sent without a JAIN-SIP transaction (automatic dialog support is off in the stack, and
 * JAIN-SIP retransmits a 2xx only through its dialog layer) and kept until their ACK: over UDP resent at T1, 2*T1 ...
 * up to 8*T1 (T2), for 64*T1 at most (RFC 3261 13.3.1.4 for a 2xx, 17.2.1 for an error response); over TCP and
 * WebSocket sent once, the ACK still awaited. A call awaits one response at a time; one that gets no ACK goes to
 * {@link NoAck}. T1 is read at each send and retransmission ({@code t1.ms}).
 */
final class FinalResponses {
    /** Told of a final response whose ACK did not come within 64*T1; runs on the scheduler, no lock held. */
    interface NoAck {
        void noAck(Call call, Response unacknowledged);
    }

    private final CallScheduler scheduler;
    private final IntSupplier t1Millis;
    private final NoAck noAck;

    FinalResponses(CallScheduler scheduler, IntSupplier t1Millis, NoAck noAck) {
        this.scheduler = scheduler;
        this.t1Millis = t1Millis;
        this.noAck = noAck;
    }

    /** Sends a final response to an INVITE of CSeq {@code cseq} and retransmits it until its ACK (or 64*T1). */
    void send(Call call, SipExchange exchange, Response response, long cseq) {
        synchronized (call) {
            call.awaitingAck = response;
            call.awaitingAckExchange = exchange;
            call.awaitingAckCSeq = cseq;
            exchange.respond(response);
            long t1 = t1Millis.getAsInt();
            long giveUpAt = scheduler.nanoTime() + TimeUnit.MILLISECONDS.toNanos(64 * t1);
            schedule(call, response, t1, giveUpAt);
        }
    }

    /**
     * An ACK of CSeq {@code cseq} arrived: the status of the response it acknowledges, whose retransmission stops;
     * 0 when no response of that CSeq is awaited (a retransmitted ACK, or one for something else).
     */
    int acknowledge(Call call, long cseq) {
        synchronized (call) {
            if (call.awaitingAck == null || call.awaitingAckCSeq != cseq) {
                return 0;
            }
            int status = call.awaitingAck.getStatusCode();
            call.awaitingAck = null;
            call.cancelRetransmission();
            return status;
        }
    }

    /** Whether a final response of the call still waits for its ACK. */
    boolean awaiting(Call call) {
        synchronized (call) {
            return call.awaitingAck != null;
        }
    }

    /** No ACK is awaited any more (the call is ending); its timers are cancelled. */
    void abandon(Call call) {
        synchronized (call) {
            call.awaitingAck = null;
            call.cancelTimers();
        }
    }

    private void schedule(Call call, Response response, long interval, long giveUpAt) {
        if (scheduler.isShutdown()) {
            return;
        }
        long delay = Math.min(interval, Math.max(0, TimeUnit.NANOSECONDS.toMillis(giveUpAt - scheduler.nanoTime())));
        call.retransmission = scheduler.schedule(() -> retransmit(call, response, interval, giveUpAt), delay);
    }

    private void retransmit(Call call, Response response, long interval, long giveUpAt) {
        synchronized (call) {
            if (call.awaitingAck != response) {
                return; // acknowledged, or replaced
            }
            if (scheduler.nanoTime() - giveUpAt < 0) {
                if ("udp".equals(call.flow.transport())) {
                    call.awaitingAckExchange.respond(response);
                }
                schedule(call, response, Math.min(interval * 2, 8L * t1Millis.getAsInt()), giveUpAt);
                return;
            }
            call.awaitingAck = null;
            call.retransmission = null;
        }
        noAck.noAck(call, response);
    }
}
