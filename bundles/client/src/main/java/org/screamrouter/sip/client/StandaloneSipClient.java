package org.screamrouter.sip.client;

import org.osgi.annotation.versioning.ProviderType;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.standalone.StandaloneSipStack;

/** A {@link SipClient} on a stack of its own; closing it unsubscribes nothing, it frees the sockets and threads. */
@ProviderType
public interface StandaloneSipClient extends SipClient, AutoCloseable {
    /** The stack under the client: its listening points (for Contact headers), counters. */
    StandaloneSipStack stack();

    /**
     * Serves incoming requests of a method besides the NOTIFYs the client takes itself (a device simulator
     * answering OPTIONS pings). Called on the stack's threads: do not block.
     */
    default AutoCloseable handle(String method, SipRequestHandler handler) {
        if ("NOTIFY".equalsIgnoreCase(method)) {
            throw new IllegalArgumentException("NOTIFY is the client's own: subscribe() delivers them");
        }
        return stack().handle(method, handler);
    }

    @Override
    void close();
}
