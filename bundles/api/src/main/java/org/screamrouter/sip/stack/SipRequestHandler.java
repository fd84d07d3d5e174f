package org.screamrouter.sip.stack;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Serves the requests of one SIP method. Register as a service with the {@value #METHOD} property (one
 * method name, or several); the stack finds handlers itself (whiteboard) and answers 405 with an {@code Allow}
 * header for a method nobody serves.
 *
 * <p>Called on the stack's threads: answer quickly, never block on I/O. A handler that throws gets its
 * request answered with 500 by the stack, unless it has already answered.
 */
@ConsumerType
public interface SipRequestHandler {
    /** Service property naming the SIP method (or methods) a handler serves, e.g. {@code REGISTER}. */
    String METHOD = "sip.method";

    /**
     * Service property listing the option tags (RFC 3261 19.2) a handler supports, e.g. {@code path}. The stack
     * answers a request whose {@code Require} or {@code Proxy-Require} names any other tag with 420 Bad Extension and
     * an {@code Unsupported} header listing them, before the handler sees it. None by default.
     */
    String SUPPORTED = "sip.supported";

    void handle(SipExchange exchange) throws Exception;

    /**
     * The stack is removing this handler (its service is going away: a bundle update, a refresh, a stop) and waits
     * for the requests already in it before the handler's component deactivates. A handler whose requests may be
     * waiting for something else (an authenticator that is away, {@link org.screamrouter.sip.auth.AuthenticatorSlot})
     * lets them leave now with {@link HandlerClosedException}, and the stack holds them for the next handler instead
     * of waiting for them. Called once, on the thread that removes the handler; nothing by default.
     *
     * @since 1.8
     */
    default void leaving() {
    }

    /**
     * Answers a plain request from its fields alone, without the parsed message, when the handler can: the header
     * lines of the 200 OK besides those the stack writes, or null (the default) to have the request made into a message
     * and given to {@link #handle(SipExchange)} as usual.
     *
     * <p>The stack offers only out-of-dialog OPTIONS that came over UDP in their plainest shape (Via, From, To without a
     * tag, Call-ID, CSeq, Max-Forwards, and at most Contact, User-Agent and {@code Content-Length: 0}; nothing required,
     * no body), and only after the checks {@code handle} would see them pass (the source's rate, the handler present and
     * not away). The stack writes the status line, Via (with {@code received} and {@code rport}, RFC 3581), From, To
     * with the tag every answer to this request gets, Call-ID, CSeq, Server and Content-Length; the handler's lines come
     * after CSeq. They are US-ASCII, each ended by CRLF, and never changed by the stack, so a handler may return the
     * same array every time. {@link HandlerClosedException} and any other failure send the request to {@code handle}.
     *
     * @since 1.9
     */
    default byte[] okHeaders(RequestFields request) throws Exception {
        return null;
    }
}
