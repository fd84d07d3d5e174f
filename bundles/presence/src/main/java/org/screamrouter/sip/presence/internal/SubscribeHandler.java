package org.screamrouter.sip.presence.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sip.header.AcceptHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.screamrouter.sip.stack.SipHeaders;
import org.screamrouter.sip.stack.SipResponses;

/**
 * SUBSCRIBE (RFC 6665 4.2.1): a new subscription (checked, admitted by its {@link EventPackage}, counted against the
 * limits, stored, answered 200 with our To-tag and Contact), a refresh or unsubscribe in its dialog, or a fetch
 * ({@code Expires: 0}: one final NOTIFY, no subscription). The NOTIFYs that follow are the {@link Notifier}'s.
 */
final class SubscribeHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SubscribeHandler.class);

    private final SipMessages messages;
    private final Responses responses;
    private final DialogMessages dialogs;
    private final SubscriptionTable table;
    private final PresenceStore store;
    private final ResourceState states;
    private final Notifier notifier;
    private final Clock clock;
    private final Supplier<PresenceConfig> config;
    private final Map<String, EventPackage> packages = new LinkedHashMap<>();
    /** The Allow-Events of a 489: the packages served, in order ({@code presence, reg}). */
    private final String allowEvents;

    SubscribeHandler(SipMessages messages, Responses responses, DialogMessages dialogs, SubscriptionTable table, PresenceStore store,
            ResourceState states, Notifier notifier, Clock clock, Supplier<PresenceConfig> config, List<EventPackage> served) {
        this.messages = messages;
        this.responses = responses;
        this.dialogs = dialogs;
        this.table = table;
        this.store = store;
        this.states = states;
        this.notifier = notifier;
        this.clock = clock;
        this.config = config;
        for (EventPackage p : served) packages.put(p.name(), p);
        this.allowEvents = String.join(", ", packages.keySet());
    }

    /**
     * Whether the SUBSCRIBE's source is known to be the watcher's own: a stream (TCP, WebSocket) cannot have a forged
     * source, and a digest exchange went through it. A UDP SUBSCRIBE may come from anyone naming someone else as its
     * source: it gets no state until its watcher answers a NOTIFY (issue 13, docs/security.md).
     */
    private static boolean proven(SipExchange exchange, Optional<String> user) {
        return !"udp".equalsIgnoreCase(exchange.flow().transport()) || user.isPresent();
    }

    /** An authenticated SUBSCRIBE ({@code user} when digest named one). */
    void subscribe(SipExchange exchange, Optional<String> user) throws Exception {
        Request request = exchange.request();
        PresenceConfig cfg = config.get();
        EventHeader eventHeader = responses.eventHeader(exchange);
        if (eventHeader == null) {
            return;
        }
        String event = eventHeader.getEventType().toLowerCase(Locale.ROOT);
        EventPackage pkg = packages.get(event);
        if (pkg == null) {
            responses.badEvent(exchange, allowEvents);
            return;
        }
        String type = pkg.subtype();
        if (!accepts(request, type)) {
            exchange.respond(SipResponses.notAcceptable(exchange, messages.headers(),
                    "Not Acceptable: " + event + " is sent as application/" + type, "application", type));
            return;
        }
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        ContactHeader contact = (ContactHeader) request.getHeader(ContactHeader.NAME);
        ExpiresHeader expiresHeader = request.getExpires();
        long asked = expiresHeader != null ? expiresHeader.getExpires() : cfg.default_expires();
        if (asked > 0 && asked < cfg.min_expires()) {
            responses.intervalTooBrief(exchange, cfg.min_expires());
            return;
        }
        long seconds = Math.min(asked, cfg.max_expires());
        Instant now = clock.instant();

        if (to.getTag() != null) {
            inDialog(exchange, to.getTag(), from.getTag(), callId, cseq, contact, event, seconds, now);
            return;
        }

        if (contact == null) {
            exchange.respond(Response.BAD_REQUEST, "Missing Contact header");
            return;
        }
        Optional<String> resource = states.resource(request.getRequestURI(), event, cfg.router_user());
        if (resource.isEmpty()) {
            exchange.respond(Response.NOT_FOUND, pkg.unknownResource());
            return;
        }
        if (!pkg.admits(exchange, resource.get(), user)) {
            return;
        }
        List<String> routeSet = new ArrayList<>();
        for (ListIterator<Header> it = request.getHeaders(RecordRouteHeader.NAME); it.hasNext(); ) {
            routeSet.add(((RecordRouteHeader) it.next()).getAddress().toString());
        }
        String id = SipHeaders.newTag();
        Subscription s = new Subscription(id, event, resource.get(), to.getAddress().getURI().toString(),
                from.getAddress().getURI().toString(), callId, from.getTag(), contact.getAddress().getURI().toString(), routeSet,
                eventHeader.getEventId(), exchange.flow().transport(), exchange.flow().remote(), now.plusSeconds(seconds),
                0, cseq, "", -1, 0, seconds == 0, proven(exchange, user));
        // a fetch (RFC 6665 4.4.3) is one NOTIFY and no subscription; it counts against the limits while it lasts
        SubscriptionTable.Added added = table.add(s, cfg.max_subscriptions(), cfg.max_subscriptions_per_source());
        if (added == SubscriptionTable.Added.FULL) {
            exchange.respond(SipResponses.serviceUnavailable(exchange, messages.headers(), "Too Many Subscriptions", 300));
            return;
        }
        if (added == SubscriptionTable.Added.SOURCE_FULL) {
            // this address has its share (issue 13): asking again will not help (RFC 3261 21.4.4), as in the registrar
            String reason = "Forbidden (subscription limit per address reached: " + cfg.max_subscriptions_per_source()
                    + ", max.subscriptions.per.source)";
            LOG.debug("SUBSCRIBE from {}: {}", exchange.flow(), reason);
            exchange.respond(Response.FORBIDDEN, reason);
            return;
        }
        if (seconds == 0) {
            exchange.respond(accepted(exchange, id, 0));
            notifier.sendFinal(s, "timeout");
            return;
        }
        store.put(s);
        exchange.respond(accepted(exchange, id, seconds));
        LOG.info("subscription {}: {} watches {} of {} for {} s, NOTIFYs to {}{}", id, s.watcherUri(), event, s.resource(), seconds,
                exchange.flow(), s.proven() ? "" : " (state once the watcher answers)");
        notifier.notifyCurrent(s, true);
    }

    /** A SUBSCRIBE with our To-tag: a refresh, or with {@code Expires: 0} the end, of a live subscription (else 481). */
    private void inDialog(SipExchange exchange, String toTag, String fromTag, String callId, long cseq, ContactHeader contact,
            String event, long seconds, Instant now) throws Exception {
        Optional<Subscription> found = table.inDialog(toTag, callId, fromTag);
        if (found.isEmpty() || !found.get().event().equals(event)) {
            exchange.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "Subscription Does Not Exist");
            return;
        }
        Subscription s = found.get();
        if (cseq <= s.remoteCseq()) {
            // RFC 3261 12.2.2: a lower CSeq than the last one in this dialog
            exchange.respond(Response.SERVER_INTERNAL_ERROR, "CSeq lower than the last SUBSCRIBE in this dialog");
            return;
        }
        String target = contact != null ? contact.getAddress().getURI().toString() : s.remoteTarget();
        // a refresh carries our To-tag (64 random bits), which only the receiver of our 200 knows: its address is proven
        Subscription refreshed = table.update(s.id(), x -> x.refreshed(now.plusSeconds(seconds), cseq, target,
                exchange.flow().transport(), exchange.flow().remote()).proved()).orElse(null);
        if (refreshed == null) {
            exchange.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "Subscription Does Not Exist");
            return;
        }
        store.put(refreshed);
        exchange.respond(accepted(exchange, s.id(), seconds));
        if (seconds == 0) {
            table.terminate(s.id()).ifPresent(t -> {
                LOG.info("subscription {} ({} of {} by {}) ended by its subscriber", t.id(), t.event(), t.resource(), t.watcherUri());
                notifier.sendFinal(t, "timeout");
            });
        } else {
            LOG.debug("subscription {} refreshed for {} s", s.id(), seconds);
            notifier.notifyCurrent(refreshed, true);
        }
    }

    /** RFC 6665 4.2.1.1 / RFC 3261 8.2.3: without Accept the package's default type is accepted. */
    private static boolean accepts(Request request, String subtype) {
        ListIterator<Header> it = request.getHeaders(AcceptHeader.NAME);
        if (it == null || !it.hasNext()) return true;
        while (it.hasNext()) {
            AcceptHeader a = (AcceptHeader) it.next();
            String t = a.getContentType() == null ? "*" : a.getContentType();
            String st = a.getContentSubType() == null ? "*" : a.getContentSubType();
            if ((t.equals("*") || t.equalsIgnoreCase("application")) && (st.equals("*") || st.equalsIgnoreCase(subtype))) return true;
        }
        return false;
    }

    /** 200 OK (RFC 6665 4.2.1.1: 202 is deprecated) with our To-tag, the granted Expires and our Contact. */
    private Response accepted(SipExchange exchange, String tag, long seconds) throws Exception {
        Response response = exchange.createResponse(Response.OK);
        ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(tag);
        response.setHeader(messages.headers().createExpiresHeader((int) seconds));
        response.setHeader(dialogs.ourContact(exchange.request().getRequestURI(), exchange.flow()));
        return response;
    }
}
