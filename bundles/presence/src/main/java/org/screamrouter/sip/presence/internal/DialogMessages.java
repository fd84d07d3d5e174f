package org.screamrouter.sip.presence.internal;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.ContactHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.message.Request;
import org.screamrouter.sip.stack.ContactUris;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipStackStatus;
import org.screamrouter.sip.stack.SipDialog;
import java.util.ArrayList;

/** The messages of the notifier's side of a subscription dialog: our Contact and the in-dialog NOTIFY. */
final class DialogMessages {
    private final SipMessages messages;
    private final SipStackStatus stack;

    DialogMessages(SipMessages messages, SipStackStatus stack) {
        this.messages = messages;
        this.stack = stack;
    }

    /**
     * Our Contact on the subscription's flow ({@link ContactUris#forFlow}, as the calls write theirs), named by
     * {@code namedUs}: the SUBSCRIBE's Request-URI, or for a NOTIFY the URI the watcher subscribed to.
     */
    ContactHeader ourContact(URI namedUs, Flow flow) throws ParseException {
        ListeningPoint listening = null;
        for (ListeningPoint lp : stack.listeningPoints()) {
            if (lp.transport().equals(flow.transport())) listening = lp;
        }
        SipURI uri = ContactUris.forFlow(messages.addresses(), flow, listening, namedUs);
        return messages.headers().createContactHeader(messages.addresses().createAddress(uri));
    }

    /**
     * A NOTIFY in the SUBSCRIBE's dialog (RFC 6665 4.2.2, RFC 3261 12.2.1.1): Request-URI = the subscriber's
     * Contact, From = the URI it subscribed to with our tag, To = the subscriber with its tag, Route = its
     * Record-Route, {@code Subscription-State} active with the time left, or terminated with a reason.
     */
    Request notify(Subscription s, long cseq, String subtype, String body, String terminatedReason, Instant now)
            throws Exception {
        HeaderFactory h = messages.headers();
        URI target = messages.addresses().createURI(s.remoteTarget());
        Address local = messages.addresses().createAddress(s.localUri());
        Address watcher = messages.addresses().createAddress(s.watcherUri());
        List<Address> routes = new ArrayList<>();
        for (String route : s.routeSet()) {
            routes.add(messages.addresses().createAddress(route));
        }
        Request notify = new SipDialog(s.callId(), local, s.id(), watcher, s.remoteTag(), target, routes)
                .request(messages, Request.NOTIFY, cseq);
        EventHeader event = h.createEventHeader(s.event());
        if (s.eventId() != null) event.setEventId(s.eventId());
        notify.setHeader(event);
        SubscriptionStateHeader state;
        if (terminatedReason == null) {
            // no body: the watcher's address is not proven yet, it gets no state (RFC 6665 4.1.3 pending)
            state = h.createSubscriptionStateHeader(body == null ? SubscriptionStateHeader.PENDING : SubscriptionStateHeader.ACTIVE);
            state.setExpires((int) Math.max(1, s.expiresIn(now)));
        } else {
            state = h.createSubscriptionStateHeader(SubscriptionStateHeader.TERMINATED);
            state.setReasonCode(terminatedReason);
        }
        notify.setHeader(state);
        notify.setHeader(ourContact(local.getURI(), new Flow(s.transport(), s.remote())));
        if (body != null) {
            notify.setContent(body.getBytes(StandardCharsets.UTF_8), h.createContentTypeHeader("application", subtype));
        }
        return notify;
    }
}
