package org.screamrouter.sip.stack;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told of signs of life on a connection-oriented flow that carry no SIP message: the RFC 5626 section 4.4.1
 * CRLF keep-alive ("\r\n\r\n", answered by the stack with "\r\n") on TCP and WebSocket. Register as a
 * service (whiteboard). Called on the stack's threads: return quickly.
 */
@ConsumerType
public interface FlowListener {
    void keepAlive(Flow flow);
}
