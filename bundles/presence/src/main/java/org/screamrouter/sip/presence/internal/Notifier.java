package org.screamrouter.sip.presence.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifier's side of every subscription dialog (RFC 6665 4.2.2): the NOTIFYs of a subscription go out one at a
 * time in its {@link SerialQueue}, each built by {@link DialogMessages} with the next CSeq and sent to the flow the
 * SUBSCRIBE came on; what they say is the subscription's {@link EventPackage}'s. A watcher whose address is not
 * proven gets a pending NOTIFY without state first, and the state once it answered. A failed NOTIFY, an expiry or an
 * unsubscribe ends the subscription (the final NOTIFY, then out of the table and the store).
 */
final class Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    private final SubscriptionTable table;
    private final PresenceStore store;
    private final DialogMessages dialogs;
    private final SipSender sender;
    private final Executor executor;
    private final SerialQueue queue;
    private final Clock clock;
    private final Supplier<PresenceConfig> config;
    private final Map<String, EventPackage> packages = new LinkedHashMap<>();

    /** {@code executor}: the component's own thread, which runs the queue and takes the answers. */
    Notifier(SubscriptionTable table, PresenceStore store, DialogMessages dialogs, SipSender sender, Executor executor,
            Clock clock, Supplier<PresenceConfig> config, List<EventPackage> served) {
        this.table = table;
        this.store = store;
        this.dialogs = dialogs;
        this.sender = sender;
        this.executor = executor;
        this.queue = new SerialQueue(executor);
        this.clock = clock;
        this.config = config;
        for (EventPackage p : served) packages.put(p.name(), p);
    }

    /** Reloads the stored subscriptions that are neither expired nor ending (the others leave the store); how many. */
    int restore() {
        Instant now = clock.instant();
        int restored = 0;
        for (Subscription s : store.loadSubscriptions()) {
            if (s.terminating() || !s.expires().isAfter(now)) {
                store.removeSubscription(s.id());
                continue;
            }
            table.restore(s);
            restored++;
        }
        return restored;
    }

    /**
     * After a restore: a presence watcher gets a NOTIFY when the state changed meanwhile; a reg watcher gets full state,
     * as registrations may have changed while no revision was listening and a partial NOTIFY cannot say what was missed.
     */
    void resume() {
        for (Subscription s : table.all()) notifyState(s, false, null);
    }

    /** Subscriptions whose time is up get their final NOTIFY. */
    void expire(Instant now) {
        for (Subscription s : table.expire(now)) {
            LOG.info("subscription {} ({} of {} by {}) expired", s.id(), s.event(), s.resource(), s.watcherUri());
            sendFinal(s, "timeout");
        }
    }

    /** Device {@code uuid} changed (or may have) for {@code pkg}: its proven watchers get what the package says now. */
    void changed(EventPackage pkg, String uuid) {
        for (Subscription s : table.watching(pkg.name(), uuid)) {
            if (!s.proven()) continue;
            notifyState(s, false, uuid);
        }
    }

    /** The NOTIFY after a 200 to a SUBSCRIBE: pending to a watcher not proven, else the state (forced or not). */
    void notifyCurrent(Subscription s, boolean force) {
        if (!s.proven()) notifyPending(s);
        else notifyState(s, force, null);
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

    /** A NOTIFY with what the subscription's package says now, queued behind the ones before it. */
    private void notifyState(Subscription s, boolean force, String changed) {
        queue.submit(s.id(), () -> {
            Subscription now = table.get(s.id()).orElse(null);
            if (now == null || now.terminating()) return CompletableFuture.completedFuture(null);
            EventPackage pkg = packages.get(now.event());
            EventPackage.State state = pkg.now(now, force, changed);
            if (state == null) return CompletableFuture.completedFuture(null);
            return sendNotify(now, pkg.subtype(), state.body(), state.signature(), state.version(), null);
        });
    }

    /** The final NOTIFY of a terminating subscription (RFC 6665 4.2.2), then it is gone. */
    void sendFinal(Subscription s, String reason) {
        queue.submit(s.id(), () -> {
            Subscription now = table.get(s.id()).orElse(s);
            String type = null;
            String body = null;
            long version = now.version();
            // no state to an address that may be someone else's (a fetch over UDP, a subscription never answered)
            if (now.proven()) {
                EventPackage pkg = packages.get(now.event());
                EventPackage.State last = pkg.last(now);
                type = pkg.subtype();
                body = last.body();
                version = last.version();
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
        PresenceConfig cfg = config.get();
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
}
