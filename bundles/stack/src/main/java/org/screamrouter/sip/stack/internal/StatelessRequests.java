package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.ListeningPointImpl;
import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.SipProviderImpl;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.ServerRequestInterface;
import javax.sip.SipListener;
import javax.sip.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests answered without transaction state, as Kamailio's {@code sl} module answers them: REGISTER and OPTIONS
 * outside a dialog go from the channel straight to the listener (the {@link RequestDispatcher}), with no
 * {@code SIPServerTransaction}, no pending-transaction table and no {@code DialogFilter}. Their answers are sent
 * statelessly (RFC 3261 8.2.6, 17.2) and retransmissions are answered from the {@link ResponseCache}; a copy that comes
 * while the first is still being handled is absorbed by the dispatcher (its requests in progress), as JAIN-SIP's
 * pending table did. A handler that wants a transaction after all still gets one ({@code Exchange.serverTransaction}).
 *
 * <p>Everything else (INVITE, ACK, CANCEL, BYE, SUBSCRIBE, NOTIFY, any request with a To tag) goes through JAIN-SIP's
 * transaction layer as before.
 */
final class StatelessRequests implements ServerRequestInterface {
    private static final Logger LOG = LoggerFactory.getLogger(StatelessRequests.class);

    private final Counters counters;
    /** One WARN line every 10 s at most for requests dropped without a listener, with how many there were. */
    private final OccasionalWarning noListener;

    StatelessRequests(Counters counters) {
        this(counters, LOG);
    }

    /** With another logger (tests). */
    StatelessRequests(Counters counters, Logger log) {
        this.counters = counters;
        this.noListener = new OccasionalWarning(log, java.time.Duration.ofSeconds(10),
                "{} from {}:{} dropped: its listening point has no listener (being taken down) ({} dropped so since the last line)");
    }

    /**
     * True for a REGISTER or OPTIONS without a To tag: neither creates a dialog (RFC 3261 12.1, 10), and without a To
     * tag the request belongs to none (12.2), so no dialog state can be affected and no transaction is needed to answer
     * it. The parser has already made sure the CSeq method is the request's.
     */
    static boolean applies(SIPRequest request) {
        String method = request.getMethod();
        return (Request.REGISTER.equals(method) || Request.OPTIONS.equals(method)) && request.getToTag() == null;
    }

    @Override
    public void processRequest(SIPRequest request, MessageChannel channel) {
        MessageProcessor processor = channel.getMessageProcessor();
        ListeningPointImpl point = processor == null ? null : processor.getListeningPoint();
        SipProviderImpl provider = point == null ? null : point.getProvider();
        SipListener listener = provider == null ? null : provider.getSipListener();
        if (listener == null) {
            // the listening point is being taken down (a re-bind or a stack update): JAIN-SIP's DialogFilter drops it too.
            // The device retransmits; the line says why it had to (a silent drop hid a lost hand-over once)
            counters.increment("dropped.no-listener");
            noListener.log(request.getMethod(), request.getRemoteAddress() == null ? "?" : request.getRemoteAddress().getHostAddress(),
                    request.getRemotePort());
            return;
        }
        counters.increment("stateless");
        RequestEventExt event = new RequestEventExt(provider, null, null, request);
        if (request.getRemoteAddress() != null) {
            event.setRemoteIpAddress(request.getRemoteAddress().getHostAddress());
            event.setRemotePort(request.getRemotePort());
        }
        try {
            listener.processRequest(event);
        } catch (RuntimeException e) {
            // as JAIN-SIP's event scanner: the channel's thread must not die of a listener's failure
            LOG.warn("{} from {}:{} failed in the listener", request.getMethod(), request.getRemoteAddress(), request.getRemotePort(), e);
        }
    }
}
