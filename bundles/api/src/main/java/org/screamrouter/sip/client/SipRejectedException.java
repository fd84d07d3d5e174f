package org.screamrouter.sip.client;

/**
 * A request that needs a 2xx to do its job (REGISTER, SUBSCRIBE) got a final failure response, e.g. a 401
 * after the credentials were sent, or 423 Interval Too Brief. The response is kept whole.
 */
public class SipRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient SipReply reply;

    public SipRejectedException(String message, SipReply reply) {
        super(message + ": " + reply.status() + " " + reply.reason());
        this.reply = reply;
    }

    public SipReply reply() {
        return reply;
    }
}
