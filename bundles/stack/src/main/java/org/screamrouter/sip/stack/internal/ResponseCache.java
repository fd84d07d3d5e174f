package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.text.ParseException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.Flow;

/**
 * The last final response to each request answered without a transaction, kept for the retransmission
 * window (64*T1 = 32 s, RFC 3261 17.2.2) so a retransmitted request gets the same answer instead of being
 * handled twice (a retransmitted REGISTER must not look like a replay). Bounded: past the limit nothing new
 * is kept, which degrades to handling retransmissions again, never to running out of memory.
 *
 * <p>Each response is kept as the bytes it encodes to (about 400 bytes for a REGISTER's 200 OK) and parsed again
 * only for a retransmission: a parsed JAIN-SIP response and its headers take about ten times that, and at 10,000
 * requests a second the window holds 200,000 of them (issue 15: about 1 GB of old generation, the long GC pauses).
 */
final class ResponseCache {
    private record Cached(byte[] response, long expiresAtNanos) {}

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

    /**
     * The response kept under this key, or null: a new object each time, parsed from the kept bytes, because sending
     * sets the Via's {@code received} and {@code rport} of the flow it goes to: the kept response stays as it was made.
     */
    Response lookup(String key, long nowNanos) {
        Cached cached = key == null ? null : entries.get(key);
        if (cached == null || cached.expiresAtNanos() - nowNanos < 0) {
            return null;
        }
        try {
            return (Response) new StringMsgParser().parseSIPMessage(cached.response(), true, false, null);
        } catch (ParseException e) {
            throw new IllegalStateException("a response this server made does not parse again: " + e.getMessage(), e);
        }
    }

    void remember(String key, Response response, long nowNanos) {
        if (key == null || response.getStatusCode() < 200) {
            return;
        }
        if (size.get() >= limit) {
            return;
        }
        byte[] bytes = encode(response);
        if (bytes != null && entries.put(key, new Cached(bytes, nowNanos + windowNanos)) == null) {
            size.incrementAndGet();
        }
    }

    /**
     * The response as bytes, its top Via as it is (JAIN-SIP's encoder sets that Via's transport to the one it is
     * given); null without a Via (a response to a request without one is not kept: it has no key either).
     */
    private static byte[] encode(Response response) {
        SIPResponse sip = (SIPResponse) response;
        ViaHeader via = sip.getTopmostVia();
        return via == null ? null : sip.encodeAsBytes(via.getTransport());
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
