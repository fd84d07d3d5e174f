package org.screamrouter.sip.stack;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told of what happens to a connection-oriented flow (TCP, WebSocket) outside SIP messages: the RFC 5626
 * section 4.4.1 CRLF keep-alive ("\r\n\r\n", answered by the stack with "\r\n"), and the end of the
 * connection. Register as a service (whiteboard). Called on the stack's threads: return quickly.
 */
@ConsumerType
public interface FlowListener {
    void keepAlive(Flow flow);

    /**
     * The connection of a TCP or WebSocket flow was closed (by the peer, by an error, or by the stack): nothing
     * more can be sent on it, and what depended on it (a call signalled over it) has ended.
     */
    default void closed(Flow flow) {
    }
}
