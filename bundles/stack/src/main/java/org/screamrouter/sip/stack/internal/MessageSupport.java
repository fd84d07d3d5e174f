package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.text.ParseException;
import java.util.List;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ServerHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.UserAgentHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.SipMessages;

/**
 * The one message factory. JAIN-SIP's factories are created directly rather than through the static
 * {@code SipFactory} singleton, so each stack revision owns its own; the Server and User-Agent headers are
 * added here rather than through the factory's defaults, which are static and shared by every user of the
 * JAIN-SIP bundle.
 */
final class MessageSupport implements SipMessages {
    private final MessageFactoryImpl messageFactory = new MessageFactoryImpl();
    private final HeaderFactory headerFactory = new HeaderFactoryImpl();
    private final AddressFactory addressFactory = new AddressFactoryImpl();
    private final ServerHeader server;
    private final UserAgentHeader userAgent;
    private final ResponseTags tags = new ResponseTags(new java.security.SecureRandom());
    private final byte[] serverLine;

    MessageSupport(String product) {
        ServerHeader header = null;
        UserAgentHeader agent = null;
        if (product != null && !product.isBlank()) {
            try {
                header = headerFactory.createServerHeader(List.of(product));
                agent = headerFactory.createUserAgentHeader(List.of(product));
            } catch (ParseException e) {
                throw new IllegalArgumentException("bad Server header value: " + product, e);
            }
        }
        this.server = header;
        this.userAgent = agent;
        this.serverLine = header == null ? new byte[0] : header.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The Server header line (CRLF-ended) of every response, or no bytes when none is configured. */
    byte[] serverLine() {
        return serverLine;
    }

    /** The To tag of every answer to the request with these fields ({@link ResponseTags#tagFor(String, String, long, String, String, String, int)}). */
    String tagFor(String callId, String fromTag, long cseq, String method, String branch, String viaHost, int viaPort) {
        return tags.tagFor(callId, fromTag, cseq, method, branch, viaHost, viaPort);
    }

    /** The User-Agent header for requests the server sends, or null when none is configured. */
    UserAgentHeader userAgent() {
        return userAgent;
    }

    @Override public MessageFactory messages() { return messageFactory; }

    @Override public HeaderFactory headers() { return headerFactory; }

    @Override public AddressFactory addresses() { return addressFactory; }

    /**
     * A response with a To tag on everything but 100 (RFC 3261 8.2.6.2: the same for every response to the request,
     * {@link ResponseTags}) and the configured Server header.
     */
    Response response(Request request, int status, String reason) {
        try {
            Response response = messageFactory.createResponse(status, request);
            if (reason != null) {
                response.setReasonPhrase(reason);
            }
            ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
            if (status > 100 && to != null && to.getTag() == null) {
                to.setTag(tags.tagFor(request));
            }
            if (server != null && response.getHeader(ServerHeader.NAME) == null) {
                response.setHeader(server);
            }
            return response;
        } catch (ParseException e) {
            throw new IllegalArgumentException("cannot answer " + request.getMethod() + " with " + status + ": " + e.getMessage(), e);
        }
    }
}
