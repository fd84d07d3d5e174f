package org.screamrouter.sip.stack;

/**
 * A transport the stack is listening on. Each bound listening point is also registered as a service of this
 * type with the properties {@link #TRANSPORT}, {@link #ADDRESS} and {@link #PORT}, so a bundle that follows
 * the stack (mDNS) sees a port change as an unregistration and a registration.
 *
 * @param transport lower case: {@code udp}, {@code tcp} or {@code ws}
 * @param address   the bound address ({@code 0.0.0.0} for every interface)
 * @param port      the bound port
 */
public record ListeningPoint(String transport, String address, int port) {
    public static final String TRANSPORT = "sip.transport";
    public static final String ADDRESS = "sip.address";
    public static final String PORT = "sip.port";
}
