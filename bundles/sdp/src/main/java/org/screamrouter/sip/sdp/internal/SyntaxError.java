package org.screamrouter.sip.sdp.internal;

/**
 * What is wrong with one field or attribute value. Checked so that no parsing path can forget it,
 * and without a stack trace because lenient parsing of hostile input raises it often and only the
 * message matters.
 */
public final class SyntaxError extends Exception {

    private static final long serialVersionUID = 1L;

    public SyntaxError(String message) {
        super(message, null, false, false);
    }
}
