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

    void handle(SipExchange exchange) throws Exception;
}
