package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.screamrouter.sip.http.OriginPolicy;
import org.screamrouter.sip.stack.Flow;

/**
 * The opening handshake of one WebSocket connection (plain or over TLS), read whole before JAIN-SIP sees any of it:
 * JAIN-SIP answered the first chunk that ended in a line break, whatever it held, and echoed its Origin. A handshake
 * whose Origin is not allowed ({@link OriginPolicy}) is refused with 403, one longer than {@link #MAX_HANDSHAKE} with
 * 431; any other is handed to JAIN-SIP in one piece, followed by whatever came after it.
 */
final class WebSocketGate {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WebSocketGate.class);
    /** The longest WebSocket opening handshake read (browsers send well under 2 KB); longer ones get 431. */
    static final int MAX_HANDSHAKE = 8192;
    private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};

    /** The JAIN-SIP channel this reads for. */
    interface Channel {
        /** Hands plain bytes to JAIN-SIP's WebSocket reading. */
        void pass(byte[] bytes) throws Exception;

        /** Writes an HTTP answer outside WebSocket framing (encrypted on TLS). */
        void answer(byte[] http) throws IOException;

        void close();
    }

    private final ConnectionGuard guard;
    private final SIPTransactionStack stack;
    private final Flow flow;
    private final Channel channel;
    /** The opening handshake read so far; null once it is complete and judged. */
    private ByteArrayOutputStream head = new ByteArrayOutputStream();
    /** The handshake was refused: nothing more is read (JAIN-SIP, still expecting a handshake, would upgrade). */
    private volatile boolean refused;

    WebSocketGate(ConnectionGuard guard, SIPTransactionStack stack, Flow flow, Channel channel) {
        this.guard = guard;
        this.stack = stack;
        this.flow = flow;
        this.channel = channel;
    }

    /** Plain bytes read from the connection. */
    void add(byte[] bytes) throws Exception {
        if (refused) {
            return;
        }
        ByteArrayOutputStream reading = head;
        if (reading == null) {
            channel.pass(bytes);
            return;
        }
        reading.write(bytes);
        byte[] all = reading.toByteArray();
        int end = indexOf(all, END_OF_HEAD);
        if (end < 0 ? all.length > MAX_HANDSHAKE : end + END_OF_HEAD.length > MAX_HANDSHAKE) {
            head = null;
            refuse(431, "Request Header Fields Too Large", "the WebSocket handshake is longer than " + MAX_HANDSHAKE + " bytes",
                    "rejected.ws-handshake");
            return;
        }
        if (end < 0) {
            return;
        }
        head = null;
        int length = end + END_OF_HEAD.length;
        String request = new String(all, 0, length, StandardCharsets.ISO_8859_1);
        String fault = originFault(request);
        if (fault != null) {
            refuse(403, "Forbidden", fault, "rejected.ws-origin");
            return;
        }
        channel.pass(Arrays.copyOf(all, length));
        if (all.length > length) {
            channel.pass(Arrays.copyOfRange(all, length, all.length));
        }
    }

    /** Why the handshake's Origin is refused, or null when it may be upgraded. */
    private String originFault(String request) {
        String origin = null;
        for (String line : request.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Origin")) {
                if (origin != null) {
                    return "more than one Origin header";
                }
                origin = line.substring(colon + 1).trim();
            }
        }
        OriginPolicy policy = guard.limits().origins();
        return policy.allows(origin) ? null : "Origin " + origin + " is not allowed (ws.allowed.origins: " + policy + ")";
    }

    /** Answers the handshake with an HTTP error naming the fault, and closes the connection once it is written. */
    private void refuse(int code, String reason, String fault, String counter) {
        refused = true;
        LOG.debug("WebSocket handshake from {} refused {}: {}", flow, code, fault);
        guard.count(counter);
        byte[] body = (fault + "\r\n").getBytes(StandardCharsets.UTF_8);
        String response = "HTTP/1.1 " + code + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n";
        try {
            byte[] status = response.getBytes(StandardCharsets.US_ASCII);
            byte[] all = Arrays.copyOf(status, status.length + body.length);
            System.arraycopy(body, 0, all, status.length, body.length);
            channel.answer(all);
        } catch (IOException e) {
            LOG.debug("could not answer the refused handshake from {}: {}", flow, e.toString());
        }
        // NIO writes later, on the selector thread: close once that has had time to happen
        stack.getSelfRoutingThreadpoolExecutor().schedule(channel::close, 200, TimeUnit.MILLISECONDS);
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
