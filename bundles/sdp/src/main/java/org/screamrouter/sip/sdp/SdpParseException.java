package org.screamrouter.sip.sdp;

/**
 * A description the strict parser refuses. The message names the line number, the line and what is
 * wrong, e.g. {@code line 7 `a=rtcp:1 IN IP7 X`: unknown address type IP7}, so that a SIP server can
 * put it in the reason phrase of a 400 or 488.
 */
public class SdpParseException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Diagnostic diagnostic;

    public SdpParseException(Diagnostic diagnostic) {
        super(diagnostic.toString());
        this.diagnostic = diagnostic;
    }

    public Diagnostic diagnostic() {
        return diagnostic;
    }

    public int lineNumber() {
        return diagnostic.lineNumber();
    }
}
