package org.screamrouter.sip.stack;

/** No final response arrived before the deadline (RFC 3261 Timer F or the caller's own timeout). */
public class SipTimeoutException extends Exception {
    private static final long serialVersionUID = 1L;

    public SipTimeoutException(String message) {
        super(message);
    }
}
