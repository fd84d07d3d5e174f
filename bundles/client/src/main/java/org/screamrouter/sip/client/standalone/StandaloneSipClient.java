package org.screamrouter.sip.client.standalone;

import org.osgi.annotation.versioning.ProviderType;
import org.screamrouter.sip.client.SipClient;
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

    /**
     * A Contact URI for {@code user} at this client's UDP listening point, e.g.
     * {@code sip:dev1@127.0.0.1:40123}: what a simulated device registers.
     */
    default String contactUri(String user) {
        var lp = stack().listeningPoint("udp");
        String host = lp.address().indexOf(':') >= 0 ? "[" + lp.address() + "]" : lp.address();
        return "sip:" + user + "@" + host + ":" + lp.port();
    }

    @Override
    void close();
}
