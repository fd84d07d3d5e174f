package org.screamrouter.sip.presence.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
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
import org.screamrouter.sip.registrar.DeviceEvents;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.auth.AuthenticatorSlot;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.SipSender;
import org.screamrouter.sip.stack.SipStackStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.screamrouter.sip.stack.DataFiles;

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
 *
 * <p>This component is the wiring: its references, its configuration, its thread and gate, and the requests and
 * events it hands to the collaborators that do the work:
 * <ul>
 *   <li>{@link SubscribeHandler}: SUBSCRIBE, new, refreshed, ended or a fetch, in the {@link SubscriptionTable};</li>
 *   <li>{@link PublishHandler}: PUBLISH and the {@link Publications};</li>
 *   <li>{@link Notifier}: every NOTIFY of every subscription, in order, and the end of subscriptions;</li>
 *   <li>the event packages ({@link EventPackage}): {@link PresencePackage} (PIDF) and {@link RegPackage} (reginfo,
 *       its amplification rules), whose documents {@link ResourceState} composes.</li>
 * </ul>
 */
@Component(service = {SipRequestHandler.class, EventHandler.class, PresenceService.class}, configurationPid = PresenceConfig.PID,
        property = {SipRequestHandler.METHOD + "=" + Request.SUBSCRIBE, SipRequestHandler.METHOD + "=" + Request.PUBLISH,
                EventConstants.EVENT_TOPIC + "=" + DeviceEvents.ALL})
@Designate(ocd = PresenceConfig.class)
public final class PresenceComponent implements SipRequestHandler, EventHandler, PresenceService {
    private static final Logger LOG = LoggerFactory.getLogger(PresenceComponent.class);

    private final Clock clock;
    private final PresenceStore store;
    private final SubscriptionTable table = new SubscriptionTable();
    private final Publications publications = new Publications();
    private final ScheduledExecutorService executor;
    private final List<EventPackage> packages;
    private final ResourceState states;
    private final Notifier notifier;
    private final SubscribeHandler subscribe;
    private final PublishHandler publish;
    private final SipMessages messages;
    private volatile PresenceConfig config;
    /** Authentication, waited for while the auth bundle is being updated (one fail-closed behaviour: {@link AuthenticatorSlot}). */
    private final AuthenticatorSlot authenticator;
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
        this.authenticator = new AuthenticatorSlot(() -> messages);
        this.config = config;
        this.clock = clock;
        this.store = new PresenceStore(storeFile);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-presence");
            t.setDaemon(true);
            return t;
        });
        this.states = new ResourceState(registry, publications, clock);
        DialogMessages dialogs = new DialogMessages(messages, stack);
        Responses responses = new Responses(messages);
        PresencePackage presence = new PresencePackage(states);
        this.packages = List.of(presence, new RegPackage(states, () -> this.config));
        this.notifier = new Notifier(table, store, dialogs, sender, executor, clock, () -> this.config, packages);
        this.subscribe = new SubscribeHandler(messages, responses, dialogs, table, store, states, notifier, clock,
                () -> this.config, packages);
        this.publish = new PublishHandler(messages, responses, publications, store, states, registry, clock, () -> this.config,
                uuid -> notifier.changed(presence, uuid));
        restore();
        executor.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    private static Path storeFile(PresenceConfig config, BundleContext context) {
        if (!config.store_path().isBlank()) {
            return Path.of(config.store_path());
        }
        return DataFiles.serverFile("presence.mv", context::getDataFile);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setAuthenticator(SipAuthenticator authenticator) {
        this.authenticator.bind(authenticator);
    }

    void unsetAuthenticator(SipAuthenticator authenticator) {
        this.authenticator.unbind(authenticator);
    }

    @Modified
    void modified(PresenceConfig config) {
        this.config = config;
    }

    /** No final NOTIFY here: a hot swap must be invisible, the next revision carries on from the store. */
    @Deactivate
    void deactivate() {
        // a request waiting for the authenticator goes back to the stack, held for the next revision
        authenticator.close();
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
        publish.restore();
        int restored = notifier.restore();
        if (restored > 0) {
            LOG.info("restored {} subscription(s) and {} publication(s)", restored, publications.all().size());
            notifier.resume();
        }
    }

    private void tick() {
        try {
            Instant now = clock.instant();
            notifier.expire(now);
            publish.expire(now);
        } catch (RuntimeException e) {
            LOG.error("presence tick failed", e);
        }
    }

    /** Expiry now, for tests that move the clock. */
    void tickForTest() {
        tick();
    }

    // --- SIP requests

    /** Being removed by the stack: requests waiting for the authenticator leave and are held for the next revision. */
    @Override
    public void leaving() {
        authenticator.releaseWaiters();
    }

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
        SipAuthenticator.Outcome outcome = auth.authenticate(exchange); // when refused it has answered (503 while away)
        if (!outcome.proceed()) {
            return;
        }
        if (Request.PUBLISH.equals(exchange.request().getMethod())) {
            publish.publish(exchange, auth, outcome.user());
        } else {
            subscribe.subscribe(exchange, outcome.user());
        }
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
            states.changed(id);
            for (EventPackage p : packages) notifier.changed(p, id);
        } catch (RuntimeException e) {
            LOG.error("cannot notify the watchers of {}", id, e);
        }
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
