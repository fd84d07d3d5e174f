package org.screamrouter.sip.calls.internal;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.function.Function;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.sdp.SdpFragment;
import org.screamrouter.sip.stack.ContactUris;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipHeaders;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipResponses;
import org.screamrouter.sip.stack.SipSender;
import org.screamrouter.sip.stack.SipDialog;

/**
 * The messages of the server's (UAS) side of an INVITE dialog, each made in one place: the dialog value taken from
 * the INVITE (RFC 3261 12.1.1) with our To-tag, the 2xx with the dialog's headers, our Contact for the call's flow
 * ({@link ContactUris}), and the requests the server sends in the dialog (12.2.1.1: BYE, INFO), which go through
 * {@link SipSender} to the call's flow, never to the host of a Contact.
 */
final class DialogMessages {
    static final String ALLOW = "INVITE, ACK, BYE, CANCEL, INFO, OPTIONS";

    private final SipMessages messages;
    private final Function<String, ListeningPoint> listeningPoints;

    /** @param listeningPoints the stack's listening point of a transport, or null */
    DialogMessages(SipMessages messages, Function<String, ListeningPoint> listeningPoints) {
        this.messages = messages;
        this.listeningPoints = listeningPoints;
    }

    /**
     * The dialog an INVITE starts (RFC 3261 12.1.1): our new tag (an ACK must carry it, so a forged INVITE's source
     * cannot confirm the call), the peer's From tag, the remote target from its Contact, the route set from its
     * Record-Route in order.
     *
     * @throws ParseException for an INVITE without Contact
     */
    Call newCall(SipExchange invite, Sink sink, CallInfo.Kind kind, AudioBridge engine) throws ParseException {
        Request request = invite.request();
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        ContactHeader contact = (ContactHeader) request.getHeader(ContactHeader.NAME);
        if (contact == null) {
            throw new ParseException("an INVITE needs a Contact (RFC 3261 8.1.1.8)", 0);
        }
        List<Address> routes = new ArrayList<>();
        ListIterator<?> rr = request.getHeaders(RecordRouteHeader.NAME);
        while (rr.hasNext()) {
            routes.add((Address) ((RecordRouteHeader) rr.next()).getAddress().clone());
        }
        return new Call(Requests.callId(request), sink, invite.flow(), kind, engine, invite, Requests.branch(request),
                Requests.cseq(request), SipHeaders.newTag(), from.getTag(), (Address) to.getAddress().clone(),
                (Address) from.getAddress().clone(), (URI) contact.getAddress().getURI().clone(), routes);
    }

    /**
     * A 200 OK to an INVITE of the dialog (the first or a re-INVITE) with the session's SDP: our tag, Contact,
     * the Record-Route of the INVITE it answers once and in order (RFC 3261 12.1.1; JAIN-SIP's factory copies them
     * into a 2xx already, and its {@code addHeader} puts a Record-Route on top), Allow, and Recv-Info for trickle ICE
     * on a WebRTC call.
     */
    Response ok(Call call, SipExchange invite, String sdp) throws ParseException {
        HeaderFactory h = messages.headers();
        Response ok = invite.createResponse(Response.OK);
        ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag(call.localTag);
        ok.setHeader(h.createContactHeader(messages.addresses().createAddress(contact(call))));
        ok.removeHeader(RecordRouteHeader.NAME);
        ListIterator<?> rr = invite.request().getHeaders(RecordRouteHeader.NAME);
        while (rr.hasNext()) {
            try {
                ok.addLast((RecordRouteHeader) ((RecordRouteHeader) rr.next()).clone());
            } catch (SipException e) {
                throw new ParseException(e.getMessage(), 0);
            }
        }
        ok.setHeader(h.createAllowHeader(ALLOW));
        if (call.kind == CallInfo.Kind.WEBRTC) {
            ok.setHeader(h.createHeader("Recv-Info", "trickle-ice"));
        }
        ok.setContent(sdp, h.createContentTypeHeader("application", "sdp"));
        return ok;
    }

    /** Our Contact for the call's flow ({@link ContactUris#forFlow}), named by the INVITE's Request-URI. */
    SipURI contact(Call call) throws ParseException {
        return ContactUris.forFlow(messages.addresses(), call.flow, listeningPoints.apply(call.flow.transport()),
                call.invite.request().getRequestURI());
    }

    /** A BYE from the server with {@code Reason: SIP;cause=200;text="why"} (RFC 3326). Caller holds the call's lock. */
    Request bye(Call call, String why) throws ParseException {
        Request bye = request(call, Request.BYE);
        bye.setHeader(messages.headers().createHeader("Reason", "SIP;cause=200;text=\"" + SipResponses.sanitize(why) + "\""));
        return bye;
    }

    /** An INFO of the trickle-ice package carrying our candidates (RFC 8840 section 4.3). Caller holds the call's lock. */
    Request info(Call call, SdpFragment fragment) throws ParseException {
        Request info = request(call, Request.INFO);
        info.setHeader(messages.headers().createHeader("Info-Package", "trickle-ice"));
        info.setContent(fragment.toSdpFrag(), messages.headers().createContentTypeHeader("application", "trickle-ice-sdpfrag"));
        return info;
    }

    /**
     * A request in the dialog (RFC 3261 12.2.1.1): Request-URI the remote target, From/To with the dialog's tags, our
     * next CSeq, Route the route set; the stack adds the Via.
     */
    private Request request(Call call, String method) throws ParseException {
        return new SipDialog(call.callId, call.localAddress, call.localTag, call.remoteAddress, call.remoteTag, call.remoteTarget,
                call.routeSet).request(messages, method, ++call.localCSeq);
    }
}
