package org.screamrouter.sip.stack;

/** A request could not be sent: no listening point for the transport, a closed connection, a socket error. */
public class SipTransportException extends Exception {
    private static final long serialVersionUID = 1L;

    public SipTransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
