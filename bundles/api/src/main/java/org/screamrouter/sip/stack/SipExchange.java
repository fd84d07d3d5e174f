package org.screamrouter.sip.stack;

import javax.sip.ServerTransaction;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One incoming request and the way to answer it. Responses go back on the flow the request came from (its
 * source address and port, RFC 3581, or its connection), never to a host named in the message.
 */
@ProviderType
public interface SipExchange {
    Request request();

    /** Where the request came from: transport, source address and port, local listening point. */
    Flow flow();

    /** A response to this request with the standard reason phrase; {@code To} gets a tag for non-100 answers. */
    Response createResponse(int status);

    Response createResponse(int status, String reasonPhrase);

    /**
     * Sends a response. Requests answered without a transaction (the default) are answered statelessly;
     * a retransmission of the request is answered again with the last final response without reaching the
     * handler.
     */
    void respond(Response response);

    /** Answers with a fresh response of this status and reason phrase. */
    default void respond(int status, String reasonPhrase) {
        respond(createResponse(status, reasonPhrase));
    }

    /** Whether a final response has been sent. */
    boolean answered();

    /**
     * The server transaction for this request, created on first call, for handlers that need transaction
     * state (INVITE, SUBSCRIBE); afterwards {@link #respond(Response)} sends through it.
     */
    ServerTransaction serverTransaction();
}
