package org.screamrouter.sip.presence.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sip.header.AcceptHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.presence.PresenceService;
import org.screamrouter.sip.registrar.StoreStatus;
import org.screamrouter.sip.presence.PublicationInfo;
import org.screamrouter.sip.presence.SubscriptionInfo;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceEvents;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.registrar.SipAuthenticator;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipHeaders;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.SipResponses;
import org.screamrouter.sip.stack.SipSender;
import org.screamrouter.sip.stack.SipStackStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The presence server: SUBSCRIBE (RFC 6665) to the {@code presence} package (RFC 3856) of a device, answered with
 * PIDF (RFC 3863) NOTIFYs that follow the registrar's ONLINE/OFFLINE events; PUBLISH (RFC 3903) of a device's
 * own PIDF; and the {@code reg} package (RFC 3680) of one device or, at the router's own URI, of every
 * registration. Subscriptions and publications are persisted ({@link PresenceStore}) and reloaded on
 * activation, so a hot swap of this bundle is invisible to watchers (docs/presence.md).
 *
 * <p>Composition of a device's state: offline in the registrar means {@code closed}, whatever was published
 * (the device is silent, its last word is stale); online with a valid publication means that publication's
 * document, as sent; online without one means a generated {@code open}.
 */
@Component(service = {SipRequestHandler.class, EventHandler.class, PresenceService.class}, configurationPid = PresenceConfig.PID,
        property = {SipRequestHandler.METHOD + "=" + Request.SUBSCRIBE, SipRequestHandler.METHOD + "=" + Request.PUBLISH,
                EventConstants.EVENT_TOPIC + "=" + DeviceEvents.ALL})
@Designate(ocd = PresenceConfig.class)
public final class PresenceComponent implements SipRequestHandler, EventHandler, PresenceService {
    private static final Logger LOG = LoggerFactory.getLogger(PresenceComponent.class);
    static final String ALLOW_EVENTS = "presence, reg";
    static final String PIDF_TYPE = "pidf+xml";
    static final String REGINFO_TYPE = "reginfo+xml";

    private final SipMessages messages;
    private final SipSender sender;
    private final SipStackStatus stack;
    private final DeviceRegistry registry;
    private final Clock clock;
    private final PresenceStore store;
    private final SubscriptionTable table = new SubscriptionTable();
    private final Publications publications = new Publications();
    private final ResourceState states;
    private final DialogMessages dialogs;
    private final ScheduledExecutorService executor;
    private final SerialQueue queue;
    private volatile PresenceConfig config;
    private volatile SipAuthenticator authenticator;
    private volatile boolean active = true;
    /** Lets the requests in progress finish before {@link #deactivate} closes the store (see {@link RequestGate}). */
    private final org.screamrouter.sip.stack.RequestGate gate = new org.screamrouter.sip.stack.RequestGate("presence");

    @Activate
    public PresenceComponent(@Reference SipMessages messages, @Reference SipSender sender, @Reference SipStackStatus stack,
            @Reference DeviceRegistry registry, PresenceConfig config, BundleContext context) {
        this(messages, sender, stack, registry, config, Clock.systemUTC(), storeFile(config, context));
    }

    PresenceComponent(SipMessages messages, SipSender sender, SipStackStatus stack, DeviceRegistry registry,
            PresenceConfig config, Clock clock, Path storeFile) {
        this.messages = messages;
        this.sender = sender;
        this.stack = stack;
        this.registry = registry;
        this.config = config;
        this.clock = clock;
        this.store = new PresenceStore(storeFile);
        this.states = new ResourceState(registry, publications, clock);
        this.dialogs = new DialogMessages(messages, stack);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-presence");
            t.setDaemon(true);
            return t;
        });
        this.queue = new SerialQueue(executor);
        restore();
        executor.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    private static Path storeFile(PresenceConfig config, BundleContext context) {
        if (!config.store_path().isBlank()) {
            return Path.of(config.store_path());
        }
        String karafData = System.getProperty("karaf.data");
        return karafData != null ? Path.of(karafData, "screamrouter-sip", "presence.mv")
                : context.getDataFile("presence.mv").toPath();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setAuthenticator(SipAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    void unsetAuthenticator(SipAuthenticator authenticator) {
        if (this.authenticator == authenticator) this.authenticator = null;
    }

    @Modified
    void modified(PresenceConfig config) {
        this.config = config;
    }

    /** No final NOTIFY here: a hot swap must be invisible, the next revision carries on from the store. */
    @Deactivate
    void deactivate() {
        if (!gate.close(java.time.Duration.ofSeconds(5))) {
            LOG.warn("presence stopping with SUBSCRIBE/PUBLISH requests still in progress after 5 s");
        }
        active = false;
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }

    /**
     * Reloads what the previous revision left: expired subscriptions and publications are dropped; a presence
     * subscription whose device changed while nobody was watching gets a NOTIFY now.
     */
    private void restore() {
        Instant now = clock.instant();
        for (Publication p : store.loadPublications()) {
            if (p.expires().isAfter(now)) publications.restore(p);
            else store.removePublication(p.entityTag());
        }
        int restored = 0;
        for (Subscription s : store.loadSubscriptions()) {
            if (s.terminating() || !s.expires().isAfter(now)) {
                store.removeSubscription(s.id());
                continue;
            }
            table.restore(s);
            restored++;
        }
        if (restored > 0) {
            LOG.info("restored {} subscription(s) and {} publication(s)", restored, publications.all().size());
            for (Subscription s : table.all()) {
                // presence: only when the state changed meanwhile; reg: full state, as registrations may have
                // changed while no revision was listening and a partial NOTIFY cannot say what was missed
                if (Subscription.PRESENCE.equals(s.event())) notifyPresence(s, false);
                else notifyReg(s, null);
            }
        }
    }

    private void tick() {
        try {
            Instant now = clock.instant();
            for (Subscription s : table.expire(now)) {
                LOG.info("subscription {} ({} of {} by {}) expired", s.id(), s.event(), s.resource(), s.watcherUri());
                sendFinal(s, "timeout");
            }
            for (Publication p : publications.expire(now)) {
                store.removePublication(p.entityTag());
                LOG.info("publication {} of {} expired", p.entityTag(), p.resource());
                stateChanged(p.resource());
            }
        } catch (RuntimeException e) {
            LOG.error("presence tick failed", e);
        }
    }

    /** Expiry now, for tests that move the clock. */
    void tickForTest() {
        tick();
    }

    // --- SIP requests

    @Override
    public void handle(SipExchange exchange) throws Exception {
        // a request that races a hot swap finishes before the store closes, or is held by the stack for the next revision
        gate.enter();
        try {
            serve(exchange);
        } finally {
            gate.leave();
        }
    }

    private void serve(SipExchange exchange) throws Exception {
        SipAuthenticator auth = authenticator;
        if (auth == null) {
            // the registrar's authenticator is being replaced (bundle update): fail closed, the UA retries
            Response response = exchange.createResponse(Response.SERVICE_UNAVAILABLE, "Authentication Restarting");
            response.setHeader(messages.headers().createRetryAfterHeader(1));
            exchange.respond(response);
            return;
        }
        SipAuthenticator.Outcome outcome = auth.authenticate(exchange);
        if (!outcome.proceed()) {
            return;
        }
        if (Request.PUBLISH.equals(exchange.request().getMethod())) {
            publish(exchange, auth, outcome.user());
        } else {
            subscribe(exchange, outcome.user());
        }
    }

    /**
     * Whether the SUBSCRIBE's source is known to be the watcher's own: a stream (TCP, WebSocket) cannot have a forged
     * source, and a digest exchange went through it. A UDP SUBSCRIBE may come from anyone naming someone else as its
     * source: it gets no state until its watcher answers a NOTIFY (issue 13, docs/security.md).
     */
    private static boolean proven(SipExchange exchange, Optional<String> user) {
        return !"udp".equalsIgnoreCase(exchange.flow().transport()) || user.isPresent();
    }

    private void subscribe(SipExchange exchange, Optional<String> user) throws Exception {
        Request request = exchange.request();
        PresenceConfig cfg = config;
        EventHeader eventHeader = (EventHeader) request.getHeader(EventHeader.NAME);
        if (eventHeader == null) {
            exchange.respond(Response.BAD_REQUEST, "Missing Event header");
            return;
        }
        String event = eventHeader.getEventType().toLowerCase(Locale.ROOT);
        if (!Subscription.PRESENCE.equals(event) && !Subscription.REG.equals(event)) {
            badEvent(exchange, ALLOW_EVENTS);
            return;
        }
        String type = Subscription.PRESENCE.equals(event) ? PIDF_TYPE : REGINFO_TYPE;
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
            exchange.respond(SipResponses.intervalTooBrief(exchange, messages.headers(), cfg.min_expires()));
            return;
        }
        long seconds = Math.min(asked, cfg.max_expires());
        Instant now = clock.instant();

        if (to.getTag() != null) {
            Optional<Subscription> found = table.inDialog(to.getTag(), callId, from.getTag());
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
                    sendFinal(t, "timeout");
                });
            } else {
                LOG.debug("subscription {} refreshed for {} s", s.id(), seconds);
                notifyCurrent(refreshed, true);
            }
            return;
        }

        if (contact == null) {
            exchange.respond(Response.BAD_REQUEST, "Missing Contact header");
            return;
        }
        Optional<String> resource = states.resource(request.getRequestURI(), event, cfg.router_user());
        if (resource.isEmpty()) {
            exchange.respond(Response.NOT_FOUND, Subscription.REG.equals(event) ? "No Such Address-of-Record" : "No Such Device");
            return;
        }
        if (Subscription.EVERYTHING.equals(resource.get())) {
            String who = user.orElseGet(() -> from.getAddress().getURI() instanceof javax.sip.address.SipURI u ? u.getUser() : null);
            if (who == null || !List.of(cfg.reg_all_watchers()).contains(who)) {
                String reason = "Forbidden (the registrations of every device are for the users reg.all.watchers names)";
                LOG.debug("SUBSCRIBE reg of everything by {} from {}: {}", who, exchange.flow(), reason);
                exchange.respond(Response.FORBIDDEN, reason);
                return;
            }
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
            sendFinal(s, "timeout");
            return;
        }
        store.put(s);
        exchange.respond(accepted(exchange, id, seconds));
        LOG.info("subscription {}: {} watches {} of {} for {} s, NOTIFYs to {}{}", id, s.watcherUri(), event, s.resource(), seconds,
                exchange.flow(), s.proven() ? "" : " (state once the watcher answers)");
        notifyCurrent(s, true);
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

    private void badEvent(SipExchange exchange, String allowed) throws ParseException {
        Response response = exchange.createResponse(Response.BAD_EVENT, "Bad Event");
        for (String event : allowed.split(",\\s*")) {
            response.addHeader(messages.headers().createAllowEventsHeader(event));
        }
        exchange.respond(response);
    }

    /** 200 OK (RFC 6665 4.2.1.1: 202 is deprecated) with our To-tag, the granted Expires and our Contact. */
    private Response accepted(SipExchange exchange, String tag, long seconds) throws Exception {
        Response response = exchange.createResponse(Response.OK);
        ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(tag);
        response.setHeader(messages.headers().createExpiresHeader((int) seconds));
        response.setHeader(dialogs.ourContact(exchange.request().getRequestURI(), exchange.flow()));
        return response;
    }

    /** PUBLISH (RFC 3903 section 6): the device's own PIDF, under an entity-tag. */
    private void publish(SipExchange exchange, SipAuthenticator auth, Optional<String> user) throws Exception {
        Request request = exchange.request();
        PresenceConfig cfg = config;
        EventHeader eventHeader = (EventHeader) request.getHeader(EventHeader.NAME);
        if (eventHeader == null) {
            exchange.respond(Response.BAD_REQUEST, "Missing Event header");
            return;
        }
        if (!Subscription.PRESENCE.equalsIgnoreCase(eventHeader.getEventType())) {
            badEvent(exchange, Subscription.PRESENCE);
            return;
        }
        Optional<String> resource = states.resource(request.getRequestURI(), Subscription.PRESENCE, cfg.router_user());
        if (resource.isEmpty()) {
            exchange.respond(Response.NOT_FOUND, "No Such Device");
            return;
        }
        // with authentication on, a user publishes only for a device whose address-of-record is theirs
        if (user.isPresent() && auth != null && !registry.device(resource.get())
                .map(d -> d.addressOfRecord() != null && auth.owns(user.get(), d.addressOfRecord())).orElse(false)) {
            LOG.info("PUBLISH for {} refused: not a device of user {} (from {})", resource.get(), user.get(), exchange.flow());
            exchange.respond(Response.FORBIDDEN, "Forbidden (not your device)");
            return;
        }
        Header ifMatch = request.getHeader("SIP-If-Match");
        String tag = ifMatch == null ? null : SipHeaders.value(ifMatch);
        ExpiresHeader expiresHeader = request.getExpires();
        long seconds = expiresHeader != null ? expiresHeader.getExpires() : cfg.default_expires();
        if (seconds > 0 && seconds < cfg.min_expires()) {
            exchange.respond(SipResponses.intervalTooBrief(exchange, messages.headers(), cfg.min_expires()));
            return;
        }
        seconds = Math.min(seconds, cfg.max_expires());
        byte[] raw = request.getRawContent();
        boolean hasBody = raw != null && raw.length > 0;
        String body = null;
        String basic = null;
        if (hasBody) {
            ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
            if (type == null || !"application".equalsIgnoreCase(type.getContentType()) || !PIDF_TYPE.equalsIgnoreCase(type.getContentSubType())) {
                exchange.respond(SipResponses.unsupportedMediaType(exchange, messages.headers(),
                        "Only application/pidf+xml is published here", "application", PIDF_TYPE));
                return;
            }
            try {
                basic = Pidf.check(raw);
            } catch (Xml.InvalidXmlException e) {
                exchange.respond(Response.BAD_REQUEST, "Bad PIDF body: " + e.getMessage());
                return;
            }
            body = new String(raw, StandardCharsets.UTF_8);
        }
        Instant expires = clock.instant().plusSeconds(seconds);
        Publication result;
        if (tag == null) {
            if (!hasBody) {
                exchange.respond(Response.BAD_REQUEST, "An initial PUBLISH needs a body");
                return;
            }
            if (seconds == 0) {
                exchange.respond(Response.BAD_REQUEST, "An initial PUBLISH cannot have Expires: 0");
                return;
            }
            Publications.Replaced r = publications.create(resource.get(), body, basic, expires);
            if (r.before() != null) store.removePublication(r.before().entityTag());
            result = r.now();
            LOG.info("{} published its presence ({}) as {} for {} s", result.resource(), basic, result.entityTag(), seconds);
        } else {
            Optional<Publication> known = publications.get(tag);
            if (known.isEmpty() || !known.get().resource().equals(resource.get())) {
                exchange.respond(Response.CONDITIONAL_REQUEST_FAILED, "Conditional Request Failed");
                return;
            }
            if (seconds == 0) {
                Optional<Publication> removed = publications.remove(tag);
                if (removed.isEmpty()) {
                    exchange.respond(Response.CONDITIONAL_REQUEST_FAILED, "Conditional Request Failed");
                    return;
                }
                store.removePublication(tag);
                Response response = exchange.createResponse(Response.OK);
                response.setHeader(messages.headers().createExpiresHeader(0));
                exchange.respond(response);
                LOG.info("{} removed its publication {}", removed.get().resource(), tag);
                stateChanged(removed.get().resource());
                return;
            }
            Optional<Publication> updated = publications.update(tag, body, basic, expires);
            if (updated.isEmpty()) {
                exchange.respond(Response.CONDITIONAL_REQUEST_FAILED, "Conditional Request Failed");
                return;
            }
            store.removePublication(tag);
            result = updated.get();
            LOG.debug("{} {} its publication {} -> {} for {} s", result.resource(), hasBody ? "modified" : "refreshed", tag,
                    result.entityTag(), seconds);
        }
        store.put(result);
        Response response = exchange.createResponse(Response.OK);
        response.setHeader(messages.headers().createHeader("SIP-ETag", result.entityTag()));
        response.setHeader(messages.headers().createExpiresHeader((int) seconds));
        exchange.respond(response);
        if (hasBody) stateChanged(result.resource());
    }

    // --- registrar events

    @Override
    public void handleEvent(Event event) {
        if (!active) return;
        Object uuid = event.getProperty(DeviceEvents.UUID);
        if (!(uuid instanceof String id)) return;
        try {
            // the registry, not the event's snapshot, says what is true now: EventAdmin orders events only per
            // posting thread, and a NOTIFY queued behind a slow watcher's answer should carry the current state
            stateChanged(id);
            for (Subscription s : table.watching(Subscription.REG, id)) {
                if (!s.proven()) continue;
                // the router-wide subscription gets only the registration that changed (RFC 3680 partial state):
                // full state of every device on each change would not fit a datagram for long
                notifyReg(s, Subscription.EVERYTHING.equals(s.resource()) ? id : null);
            }
        } catch (RuntimeException e) {
            LOG.error("cannot notify the watchers of {}", id, e);
        }
    }

    /** The presence state of a device changed (or may have): its watchers get a NOTIFY when what they saw differs. */
    private void stateChanged(String uuid) {
        for (Subscription s : table.watching(Subscription.PRESENCE, uuid)) {
            if (!s.proven()) continue;
            notifyPresence(s, false);
        }
    }

    private void notifyCurrent(Subscription s, boolean force) {
        if (!s.proven()) notifyPending(s);
        else if (Subscription.PRESENCE.equals(s.event())) notifyPresence(s, force);
        else notifyReg(s, null);
    }

    /**
     * The first NOTIFY to a watcher whose address is not proven: Subscription-State pending and no body, about the size
     * of the SUBSCRIBE, with retransmissions for {@code unproven.notify.timeout.ms} only. Its 2xx proves the address;
     * the state follows at once.
     */
    private void notifyPending(Subscription s) {
        queue.submit(s.id(), () -> {
            Subscription now = table.get(s.id()).orElse(null);
            if (now == null || now.terminating() || now.proven()) return CompletableFuture.completedFuture(null);
            return sendNotify(now, null, null, now.lastState(), now.version(), null).thenAccept(r -> {
                if (r.getStatusCode() / 100 == 2) {
                    table.update(now.id(), Subscription::proved).ifPresent(p -> {
                        store.put(p);
                        LOG.debug("subscription {}: the watcher at {} answered, its address is proven", p.id(), p.remote());
                        notifyCurrent(p, true);
                    });
                }
            });
        });
    }

    private void notifyPresence(Subscription s, boolean force) {
        queue.submit(s.id(), () -> {
            Subscription now = table.get(s.id()).orElse(null);
            if (now == null || now.terminating()) return CompletableFuture.completedFuture(null);
            ResourceState.PresenceState state = states.presence(now);
            if (!force && state.signature().equals(now.lastState())) return CompletableFuture.completedFuture(null);
            return sendNotify(now, PIDF_TYPE, state.body(), state.signature(), now.version(), null);
        });
    }

    /** A reg NOTIFY: full state, or only the registration of {@code changedUuid} (partial, RFC 3680 5.3). */
    private void notifyReg(Subscription s, String changedUuid) {
        queue.submit(s.id(), () -> {
            Subscription now = table.get(s.id()).orElse(null);
            if (now == null || now.terminating()) return CompletableFuture.completedFuture(null);
            long version = now.version() + 1;
            // the first NOTIFY of a subscription is always full state
            String body = states.reginfo(now, version, now.version() < 0 ? null : changedUuid);
            return sendNotify(now, REGINFO_TYPE, body, Long.toString(version), version, null);
        });
    }

    /** The final NOTIFY of a terminating subscription (RFC 6665 4.2.2), then it is gone. */
    private void sendFinal(Subscription s, String reason) {
        queue.submit(s.id(), () -> {
            Subscription now = table.get(s.id()).orElse(s);
            String type;
            String body;
            long version = now.version();
            if (!now.proven()) {
                // no state to an address that may be someone else's (a fetch over UDP, a subscription never answered)
                type = null;
                body = null;
            } else if (Subscription.PRESENCE.equals(now.event())) {
                type = PIDF_TYPE;
                body = states.presence(now).body();
            } else {
                type = REGINFO_TYPE;
                version++;
                body = states.reginfo(now, version, null);
            }
            return sendNotify(now, type, body, now.lastState(), version, reason)
                    .whenComplete((r, e) -> end(now.id(), null));
        });
    }

    /**
     * Builds and sends one in-dialog NOTIFY (RFC 6665 4.2.2, RFC 3261 12.2.1.1) to the flow the SUBSCRIBE came
     * on, with the next CSeq. A failure (481, another error, timeout) ends the subscription. Without a body it is a
     * pending (or, with a reason, terminated) NOTIFY to a watcher not yet proven, with the short timeout.
     */
    private CompletionStage<Response> sendNotify(Subscription s, String subtype, String body, String state, long version,
            String terminatedReason) {
        PresenceConfig cfg = config;
        long cseq = s.cseq() + 1;
        Instant now = clock.instant();
        Request notify;
        try {
            notify = dialogs.notify(s, cseq, subtype, body, terminatedReason, now);
        } catch (Exception e) {
            LOG.warn("cannot build a NOTIFY for subscription {}: {}", s.id(), e.toString());
            end(s.id(), "its NOTIFY could not be built");
            return CompletableFuture.failedFuture(e);
        }
        table.update(s.id(), x -> x.notified(cseq, state, version)).ifPresent(store::put);
        Flow flow = new Flow(s.transport(), s.remote());
        LOG.debug("NOTIFY {} CSeq {} to {}: {}", s.id(), cseq, flow, state);
        CompletableFuture<Response> answered = new CompletableFuture<>();
        int timeout = s.proven() ? cfg.notify_timeout_ms() : cfg.unproven_notify_timeout_ms();
        sender.send(notify, flow, Duration.ofMillis(timeout)).whenComplete((response, error) -> {
            try {
                executor.execute(() -> {
                    if (error != null) {
                        if (terminatedReason == null) end(s.id(), "its NOTIFY failed: " + error.getMessage());
                        answered.completeExceptionally(error);
                        return;
                    }
                    int status = response.getStatusCode();
                    if (status >= 300 && terminatedReason == null) {
                        end(s.id(), "its NOTIFY was answered " + status + " " + response.getReasonPhrase());
                    }
                    answered.complete(response);
                });
            } catch (RejectedExecutionException stopped) {
                answered.completeExceptionally(stopped);
            }
        });
        return answered;
    }

    private void end(String id, String why) {
        table.remove(id).ifPresent(s -> {
            store.removeSubscription(id);
            if (why != null) LOG.info("subscription {} ({} of {} by {}) ended: {}", id, s.event(), s.resource(), s.watcherUri(), why);
        });
    }

    // --- PresenceService

    @Override
    public List<SubscriptionInfo> subscriptions() {
        List<SubscriptionInfo> out = new ArrayList<>();
        for (Subscription s : table.all()) {
            String state = s.terminating() ? "terminating"
                    : Subscription.REG.equals(s.event()) ? "version " + s.version()
                    : s.lastState().isEmpty() ? "pending" : s.lastState().split("\\|")[0];
            out.add(new SubscriptionInfo(s.id(), s.watcherUri(), s.resource(), s.event(), new Flow(s.transport(), s.remote()).toString(),
                    state, s.expires(), s.notifiesSent()));
        }
        return out;
    }

    @Override
    public List<PublicationInfo> publications() {
        List<PublicationInfo> out = new ArrayList<>();
        for (Publication p : publications.all()) {
            out.add(new PublicationInfo(p.entityTag(), p.resource(), p.basic() == null ? "-" : p.basic(), p.expires()));
        }
        return out;
    }

    @Override
    public StoreStatus storeStatus() {
        return store.status();
    }
}
