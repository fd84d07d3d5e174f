package org.screamrouter.sip.client.internal;

import java.text.ParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.client.Notification;
import org.screamrouter.sip.client.SipRejectedException;
import org.screamrouter.sip.client.SipReply;
import org.screamrouter.sip.client.Subscription;
import org.screamrouter.sip.stack.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription dialog (RFC 6665 4.1): our From tag and Call-ID identify it, the notifier's tag and
 * Contact are learned from its 2xx or first NOTIFY; refreshed at 85% of the granted expiry; ended by
 * {@code Expires: 0} or a {@code terminated} NOTIFY. Requests still go to the flow, whatever the
 * notifier's Contact names.
 */
final class SubscriptionImpl implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionImpl.class);

    private final ClientCore core;
    private final Flow target;
    private final URI requestUri;
    private final Address from;
    private final Address to;
    private final String event;
    private final String callId;
    private final String fromTag;
    private final Listener listener;
    private final Address contact;
    private long cseq;
    private String toTag;
    private URI remoteTarget;
    private volatile int grantedExpires;
    private volatile boolean terminated;
    private Runnable refresh;

    SubscriptionImpl(ClientCore core, Flow target, URI requestUri, Address from, Address to, String event, String callId,
                     String fromTag, Listener listener, Address contact) {
        this.core = core;
        this.target = target;
        this.requestUri = requestUri;
        this.from = from;
        this.to = to;
        this.event = event;
        this.callId = callId;
        this.fromTag = fromTag;
        this.listener = listener;
        this.contact = contact;
    }

    static String key(String callId, String ourTag) {
        return callId + "|" + ourTag;
    }

    String key() {
        return key(callId, fromTag);
    }

    synchronized Request subscribeRequest(int expires) throws ParseException, InvalidArgumentException {
        Request r = core.request(remoteTarget != null ? remoteTarget : requestUri, Request.SUBSCRIBE, callId, ++cseq,
                from, fromTag, to, toTag);
        var h = core.messages().headers();
        r.addHeader(h.createEventHeader(event));
        r.addHeader(h.createExpiresHeader(expires));
        r.addHeader(h.createContactHeader(contact));
        return r;
    }

    CompletionStage<Subscription> start(Request request, int expires) {
        return exchange(request, expires).thenApply(reply -> this);
    }

    private CompletionStage<SipReply> exchange(Request request, int expires) {
        return core.transmit(request, target, core.defaultTimeout()).thenCompose(response -> {
            synchronized (this) {
                cseq = Math.max(cseq, ((javax.sip.header.CSeqHeader) request.getHeader(javax.sip.header.CSeqHeader.NAME)).getSeqNumber());
            }
            SipReply reply = SipReply.of(response);
            if (!reply.isSuccess()) {
                if (expires == 0 || response.getStatusCode() == Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST) {
                    end();
                }
                return CompletableFuture.failedFuture(new SipRejectedException("SUBSCRIBE " + event + " to " + requestUri, reply));
            }
            learn(((ToHeader) response.getHeader(ToHeader.NAME)).getTag(),
                    response.getHeader(ContactHeader.NAME) instanceof ContactHeader c ? c.getAddress().getURI() : null);
            if (expires == 0) {
                // the notifier's final NOTIFY (terminated) follows: keep answering it 200 for a while
                terminated = true;
                stop();
                core.scheduler().schedule(() -> core.forget(this), java.time.Duration.ofSeconds(32));
            } else {
                int granted = response.getHeader(ExpiresHeader.NAME) instanceof ExpiresHeader e ? e.getExpires() : expires;
                grantedExpires = granted;
                scheduleRefresh(granted, expires);
            }
            return CompletableFuture.completedFuture(reply);
        });
    }

    private synchronized void learn(String remoteTag, URI remoteContact) {
        if (toTag == null && remoteTag != null) toTag = remoteTag;
        if (remoteContact != null) remoteTarget = remoteContact;
    }

    private synchronized void scheduleRefresh(int granted, int requested) {
        if (terminated || core.closed()) return;
        if (refresh != null) refresh.run();
        refresh = core.scheduler().schedule(() -> {
            try {
                exchange(subscribeRequest(requested), requested).whenComplete((r, e) -> {
                    if (e != null) LOG.info("refresh of {} subscription to {} failed: {}", event, requestUri, e.getMessage());
                });
            } catch (ParseException | InvalidArgumentException e) {
                LOG.warn("cannot refresh {} subscription: {}", event, e.getMessage());
            }
        }, RefreshSchedule.refreshAfter(granted));
    }

    /** A NOTIFY of this subscription, on the scheduler. */
    void notified(Notification n, String remoteTag, URI remoteContact) {
        learn(remoteTag, remoteContact);
        try {
            listener.notified(n);
        } catch (RuntimeException e) {
            LOG.warn("subscription listener failed on a NOTIFY of {}", event, e);
        }
        if (n.terminated()) {
            terminated = true;
            stop();
        }
    }

    private void end() {
        terminated = true;
        stop();
        core.forget(this);
    }

    synchronized void stop() {
        if (refresh != null) refresh.run();
        refresh = null;
    }

    @Override public String callId() { return callId; }

    @Override public String event() { return event; }

    @Override public int grantedExpires() { return grantedExpires; }

    @Override public boolean terminated() { return terminated; }

    @Override
    public CompletionStage<SipReply> unsubscribe() {
        stop();
        if (terminated) return CompletableFuture.completedFuture(null);
        try {
            return exchange(subscribeRequest(0), 0);
        } catch (ParseException | InvalidArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void close() {
        unsubscribe();
    }
}
