package org.screamrouter.sip.stack.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import org.screamrouter.sip.stack.Flow;

/**
 * The last final response to each request answered over UDP without a transaction, kept for the retransmission
 * window (64*T1 = 32 s, RFC 3261 17.2.2) so a retransmitted request gets the same answer instead of being
 * handled twice (a retransmitted REGISTER must not look like a replay). Over TCP and WebSocket a UAC does not
 * retransmit (Timer J is zero on reliable transports), so nothing is kept for them, nor for OPTIONS, which is answered
 * again ({@code RequestDispatcher.ANSWERED_AGAIN}). Bounded: past the limit nothing new is kept, which degrades to
 * handling retransmissions again, never to running out of memory.
 *
 * <p>Each response is kept as the datagram that was sent (about 400 bytes for a REGISTER's 200 OK, its Via already
 * carrying the flow's {@code received} and {@code rport}), and a retransmission is answered with those bytes as
 * they are: no parse, no encode. A parsed JAIN-SIP response and its headers take about ten times the memory, and
 * parsing the kept answer again for each retransmission made a retransmission dearer than a new request, so an
 * overloaded server fell further behind (issue 15).
 */
final class ResponseCache {
    /** A datagram kept: what was sent, its status code (for the counters) and when it is forgotten. */
    record Cached(byte[] datagram, int status, long expiresAtNanos) {}

    private final ConcurrentHashMap<String, Cached> entries = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final long windowNanos;
    private final int limit;

    ResponseCache(long windowNanos, int limit) {
        this.windowNanos = windowNanos;
        this.limit = limit;
    }

    /**
     * The flow the request came on (transport, source address and port) and the transaction key of RFC 3261
     * 17.2.3: branch, sent-by and method (ACK and CANCEL are not cached). Branch and sent-by are what the sender
     * chose: without the flow, a second UA sending the same branch and Via would be handed the first UA's
     * answer (issue 13 item 8). A genuine retransmission comes from the same flow.
     */
    static String key(Request request, Flow flow) {
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
        CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        if (via == null || cseq == null || callId == null) {
            return null;
        }
        String branch = via.getBranch();
        StringBuilder key = new StringBuilder(128).append(flow).append('|');
        if (branch != null && branch.startsWith("z9hG4bK")) {
            key.append(branch).append('|').append(via.getHost()).append(':').append(via.getPort());
        } else {
            // RFC 2543 clients: no magic cookie, so match on dialog identifiers and sequence
            key.append(callId.getCallId()).append('|').append(cseq.getSeqNumber());
        }
        return key.append('|').append(request.getMethod()).toString();
    }

    /** The datagram kept under this key, or null. */
    Cached lookup(String key, long nowNanos) {
        Cached cached = key == null ? null : entries.get(key);
        return cached == null || cached.expiresAtNanos() - nowNanos < 0 ? null : cached;
    }

    /** Keeps the datagram sent as the final answer ({@code status} >= 200) to the request of this key. */
    void remember(String key, byte[] datagram, int status, long nowNanos) {
        if (key == null || status < 200 || size.get() >= limit) {
            return;
        }
        if (entries.put(key, new Cached(datagram, status, nowNanos + windowNanos)) == null) {
            size.incrementAndGet();
        }
    }

    void expire(long nowNanos) {
        entries.entrySet().removeIf(e -> {
            boolean expired = e.getValue().expiresAtNanos() - nowNanos < 0;
            if (expired) size.decrementAndGet();
            return expired;
        });
    }

    int size() {
        return size.get();
    }
}
