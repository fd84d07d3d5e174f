package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.message.SIPRequest;
import java.text.ParseException;

/**
 * What {@link StrictMessageParser} hands JAIN-SIP's stream transports (TCP, WebSocket) in place of a request it
 * could not accept. JAIN-SIP's NIO pipeline drops a message that fails to parse without a word (UDP gets "400 Bad
 * Request (fault)" from JAIN-SIP itself); this placeholder reaches the channel instead, which answers 400 on the
 * connection ({@link KeepAliveProcessorFactory}) and closes it when the framing cannot be trusted any more.
 */
final class Unparseable extends SIPRequest {
    private static final long serialVersionUID = 1L;

    private final String raw;
    private final ParseException fault;
    private final boolean framing;

    Unparseable(String raw, ParseException fault, boolean framing) {
        this.raw = raw;
        this.fault = fault;
        this.framing = framing;
    }

    /** The message's header section as received. */
    String raw() {
        return raw;
    }

    ParseException fault() {
        return fault;
    }

    /** Whether the fault is in the message's length (Content-Length): the next message's start is unknown. */
    boolean framing() {
        return framing;
    }
}
