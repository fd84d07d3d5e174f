package org.screamrouter.sip.stack;

import java.text.ParseException;
import java.util.List;
import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

/**
 * A dialog as our side sees it, and the one way to make a request in it (RFC 3261 12.2.1.1): Request-URI the remote
 * target, From our address with our tag, To the peer with its tag, the dialog's Call-ID, the CSeq given, Route the route
 * set in order, Max-Forwards 70; the stack adds the Via when it sends. Presence's NOTIFYs and the calls' BYEs and INFOs
 * are made here. The addresses are copied into each request, so a request never shares a header object with the dialog.
 *
 * @param callId       the dialog's Call-ID
 * @param local        our address (From)
 * @param localTag     our tag
 * @param remote       the peer's address (To)
 * @param remoteTag    the peer's tag
 * @param remoteTarget where requests go: the peer's Contact
 * @param routeSet     the route set, in the order the requests carry it
 */
public record SipDialog(String callId, Address local, String localTag, Address remote, String remoteTag, URI remoteTarget,
        List<Address> routeSet) {
    public SipDialog {
        routeSet = List.copyOf(routeSet);
    }

    /** A request of this method in the dialog, with this CSeq. */
    public Request request(SipMessages messages, String method, long cseq) throws ParseException {
        HeaderFactory h = messages.headers();
        try {
            Request request = messages.messages().createRequest((URI) remoteTarget.clone(), method, h.createCallIdHeader(callId),
                    h.createCSeqHeader(cseq, method), h.createFromHeader((Address) local.clone(), localTag),
                    h.createToHeader((Address) remote.clone(), remoteTag), List.<ViaHeader>of(), h.createMaxForwardsHeader(70));
            for (Address route : routeSet) {
                request.addHeader(h.createRouteHeader((Address) route.clone()));
            }
            return request;
        } catch (InvalidArgumentException e) {
            throw new ParseException(e.getMessage(), 0);
        }
    }
}
