package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers the stack gives below JAIN-SIP's transaction layer, to a message that never becomes a request a handler
 * could see: "400 Bad Request (fault)" to a request the parser could not accept, "505 Version Not Supported" to
 * another SIP version. Sent on the flow the message came on: the TCP or WebSocket connection
 * ({@link KeepAliveProcessorFactory}'s channels), or as a datagram to the packet's source ({@link UdpIntake}). Each
 * gets one DEBUG line; a framing fault on a stream closes the connection. Everything the dispatcher answers (405,
 * 501, 416, 420, the handlers' answers) goes through {@link MessageSupport#response} instead.
 */
final class Rejections {
    private static final Logger LOG = LoggerFactory.getLogger(Rejections.class);

    interface Sender {
        void send(byte[] bytes) throws IOException;
    }

    private Rejections() {
    }

    /**
     * "400 Bad Request (fault)" for a request that did not parse, from its header lines as received: Via, From, To
     * (with a tag), Call-ID and CSeq copied (RFC 3261 8.2.6.2), no body. JAIN-SIP's own {@code createBadReqRes} is
     * not used: it writes an empty line between Content-Type and Content-Length, which ends the header section early
     * (on a stream, the rest of the answer is read as the next message), and it gives no answer at all when From, To
     * or Call-ID is missing. Null for a response, an ACK (never answered) or a request without Via (nowhere to answer).
     */
    static String badRequest(String raw, String fault) {
        if (raw.startsWith("SIP/") || raw.startsWith(Request.ACK + " ")) {
            return null;
        }
        StringBuilder out = new StringBuilder(256).append("SIP/2.0 400 Bad Request (").append(readable(fault)).append(")\r\n");
        boolean via = false;
        for (String line : raw.split("\r?\n")) {
            if (line.isEmpty()) break;
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') continue;
            switch (line.substring(0, colon).trim().toLowerCase(Locale.ROOT)) {
                case "via", "v" -> {
                    out.append(line).append("\r\n");
                    via = true;
                }
                case "from", "f", "call-id", "i", "cseq" -> out.append(line).append("\r\n");
                case "to", "t" -> out.append(line).append(line.contains(";tag=") ? "" : ";tag=badreq").append("\r\n");
                default -> { }
            }
        }
        return via ? out.append("Content-Length: 0\r\n\r\n").toString() : null;
    }

    /** A parse fault as a reason phrase: one line, without the {@code [C@1b2c3d} JAIN-SIP's lexer puts in front. */
    static String readable(String fault) {
        return String.valueOf(fault).replaceAll("\\[C@[0-9a-f]+\\s*", "").replace('\r', ' ').replace('\n', ' ').trim();
    }

    /** "505 Version Not Supported (version)" when the request line names another version than SIP/2.0, or null. */
    static byte[] versionNotSupported(SIPRequest request, String transport) {
        if (request.getRequestLine() == null || "SIP/2.0".equals(request.getRequestLine().getSipVersion())
                || Request.ACK.equals(request.getMethod())) {
            return null;
        }
        String version = request.getRequestLine().getSipVersion();
        SIPResponse response = request.createResponse(Response.VERSION_NOT_SUPPORTED, "Version Not Supported (" + version + ")");
        return response.encodeAsBytes(transport);
    }

    /** Sends a rejection with its one log line; a failure to send is logged, never thrown. */
    static void send(String what, byte[] answer, Flow flow, Sender sender) {
        LOG.debug("{} to a request from {}", what, flow);
        if (answer == null) {
            return;
        }
        try {
            sender.send(answer);
        } catch (IOException e) {
            LOG.debug("could not answer {}: {}", flow, e.toString());
        }
    }

    /**
     * For the TCP and WebSocket channels: answers the message if it is one of ours to reject (true), or leaves it to
     * JAIN-SIP (false). {@code close} is called after a framing fault; a request that cannot be answered (no Via) is
     * dropped, the connection kept.
     */
    static boolean rejected(SIPMessage message, Sender sender, Runnable close, Flow flow) {
        if (message instanceof Unparseable u) {
            String answer = badRequest(u.raw(), u.fault().getMessage());
            boolean closing = u.framing();
            send("400 Bad Request (" + u.fault().getMessage() + ")" + (closing ? ", connection closed," : ""),
                    answer == null ? null : answer.getBytes(StandardCharsets.UTF_8), flow, sender);
            if (closing) close.run();
            return true;
        }
        if (message instanceof SIPRequest request) {
            byte[] answer = versionNotSupported(request, "TCP");
            if (answer != null) {
                send("505 Version Not Supported (" + request.getRequestLine().getSipVersion() + ")", answer, flow, sender);
                return true;
            }
        }
        return false;
    }
}
