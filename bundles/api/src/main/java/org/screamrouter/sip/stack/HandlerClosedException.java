package org.screamrouter.sip.stack;

/**
 * Thrown by a {@link SipRequestHandler} that is shutting down (its component deactivating, e.g. during a
 * {@code bundle:update}) for a request it can no longer serve. The stack neither answers 500 nor drops it: the request
 * is held for the handler's successor, as if the handler had already left, and answered 503 only if none comes in
 * time. {@link RequestGate} throws it.
 */
public class HandlerClosedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HandlerClosedException(String message) {
        super(message);
    }
}
