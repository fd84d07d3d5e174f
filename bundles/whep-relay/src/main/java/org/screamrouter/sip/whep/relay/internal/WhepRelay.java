package org.screamrouter.sip.whep.relay.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.audio.ListenerEndedListener;
import org.screamrouter.sip.audio.ListenerInfo;
import org.screamrouter.sip.audio.RtpCodec;
import org.screamrouter.sip.audio.SinkInfo;
import org.screamrouter.sip.http.ScreamRouterHttp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AudioBridge} whose WebRTC listeners live in ScreamRouter's own engine, reached through its WHEP endpoint
 * (docs/screamrouter.md): the offer goes out as {@code POST /api/whep/{sink}} and the 201's answer comes back; remote
 * candidates go out as {@code PATCH}; ScreamRouter's late candidates are fetched from {@code GET .../candidates} in the
 * first seconds; a heartbeat {@code POST} keeps the session while the listener lasts (3 failing in a row, or a 404,
 * end it and tell the {@link ListenerEndedListener}s); removal is a {@code DELETE}.
 *
 * <p>Plain RTP listeners are not a WHEP thing: they are passed to the embedded engine when it runs, and refused otherwise
 * ({@link IllegalArgumentException}: the caller answers 488).
 * The relay knows no more of a session than WHEP says: a listener is CONNECTED once answered, and counts no packets.
 *
 * <p>Serves only with its configuration ({@code url}); ranked above the embedded engine, so calls take it when it
 * starts and go back to the embedded engine when it stops (a call keeps the bridge it started on).
 */
@Component(service = AudioBridge.class, configurationPid = WhepRelayConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {AudioBridge.ENGINE + "=" + AudioBridge.ENGINE_WHEP_RELAY, "service.ranking:Integer=100"})
@Designate(ocd = WhepRelayConfig.class)
public class WhepRelay implements AudioBridge {
    private static final Logger LOG = LoggerFactory.getLogger(WhepRelay.class);
    private static final int HEARTBEAT_FAILURES = 3;

    /** One relayed listener. Fields change under its own lock. */
    private static final class Relayed {
        final String sinkId;
        final String listenerId;
        final String clientIp;
        final Instant created = Instant.now();
        final BiConsumer<String, String> onIceCandidate;
        URI location;
        ListenerInfo.State state = ListenerInfo.State.CONNECTING;
        final List<String[]> early = new ArrayList<>();
        ScheduledFuture<?> poll;
        ScheduledFuture<?> heartbeat;
        int heartbeatFailures;
        boolean ended;

        Relayed(String sinkId, String listenerId, String clientIp, BiConsumer<String, String> onIceCandidate) {
            this.sinkId = sinkId;
            this.listenerId = listenerId;
            this.clientIp = clientIp;
            this.onIceCandidate = onIceCandidate;
        }

        synchronized ListenerInfo info() {
            return new ListenerInfo(sinkId, listenerId, ListenerInfo.Kind.WEBRTC, clientIp, state, "opus/48000/2", 0, 0, created);
        }

        synchronized void cancelTimers() {
            if (poll != null) poll.cancel(false);
            if (heartbeat != null) heartbeat.cancel(false);
        }
    }

    private final Map<String, Relayed> relayed = new ConcurrentHashMap<>();
    /** RTP listeners handed to the embedded engine, by key. */
    private final Map<String, AudioBridge> delegated = new ConcurrentHashMap<>();
    private final List<ListenerEndedListener> endedListeners = new CopyOnWriteArrayList<>();
    private volatile AudioBridge embedded;
    private volatile WhepRelayConfig config;
    private ScheduledThreadPoolExecutor executor;
    private WhepClient client;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addEndedListener(ListenerEndedListener l) {
        endedListeners.add(l);
    }

    void removeEndedListener(ListenerEndedListener l) {
        endedListeners.remove(l);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(" + AudioBridge.ENGINE + "=" + AudioBridge.ENGINE_EMBEDDED + ")")
    void setEmbedded(AudioBridge bridge) {
        this.embedded = bridge;
    }

    void unsetEmbedded(AudioBridge gone) {
        if (this.embedded == gone) this.embedded = null;
    }

    @Activate
    void activate(WhepRelayConfig config) {
        URI base;
        X509Certificate pinned = null;
        try {
            base = ScreamRouterHttp.checkUrl(config.url() == null ? "" : config.url());
            if (!config.certificate().isBlank()) {
                Path pem = Path.of(config.certificate().trim());
                if (!pem.isAbsolute() && System.getProperty("karaf.etc") != null) pem = Path.of(System.getProperty("karaf.etc")).resolve(pem);
                pinned = ScreamRouterHttp.readCertificate(pem);
            }
        } catch (IllegalArgumentException | IOException e) {
            LOG.error("WHEP relay not started: url '{}' / certificate '{}': {}", config.url(), config.certificate(), e.getMessage());
            throw new IllegalArgumentException("WHEP relay: " + e.getMessage(), e);
        }
        this.config = config;
        executor = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "whep-relay");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        Duration timeout = Duration.ofMillis(config.timeout_ms());
        client = new WhepClient(base, ScreamRouterHttp.client(timeout, executor, pinned, "certificate"), timeout);
        LOG.info("WHEP relay to {}: calls' WebRTC media come from ScreamRouter's engine", base);
    }

    @Deactivate
    void deactivate() {
        // the calls on this bridge end with it (the calls bundle hangs them up); their sessions are deleted
        List<CompletableFuture<?>> deletes = new ArrayList<>();
        for (Relayed r : List.copyOf(relayed.values())) {
            relayed.remove(key(r.sinkId, r.listenerId), r);
            deletes.add(finish(r).exceptionally(e -> null));
        }
        try {
            CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("WHEP relay: not every session was deleted in time: {}", e.toString());
        }
        executor.shutdownNow();
        LOG.info("WHEP relay stopped");
    }

    private static String key(String sinkId, String listenerId) {
        return sinkId + '\0' + listenerId;
    }

    private static void requireIds(String sinkId, String listenerId) {
        if (sinkId == null || sinkId.isBlank() || listenerId == null || listenerId.isBlank()) {
            throw new IllegalArgumentException("sink and listener ids must not be empty");
        }
    }

    @Override
    public CompletionStage<String> addWebRtcListener(String sinkId, String listenerId, String offerSdp,
            Consumer<String> onLocalDescription, BiConsumer<String, String> onIceCandidate, String clientIp) {
        try {
            requireIds(sinkId, listenerId);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        Relayed r = new Relayed(sinkId, listenerId, clientIp, onIceCandidate);
        if (relayed.putIfAbsent(key(sinkId, listenerId), r) != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("listener " + listenerId + " of sink " + sinkId + " exists"));
        }
        return client.offer(sinkId, offerSdp).handle((session, failure) -> {
            if (failure != null) {
                relayed.remove(key(sinkId, listenerId), r);
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                LOG.warn("WHEP relay: offer for sink {} (listener {}) failed: {}", sinkId, listenerId, cause.toString());
                int status = cause instanceof WhepClient.Failure f ? f.status : 0;
                if (status == 400 || status == 404 || status == 415) {
                    throw new IllegalArgumentException("ScreamRouter refused the offer: " + cause.getMessage(), cause);
                }
                throw new IllegalStateException("ScreamRouter's WHEP endpoint at " + client.base() + ": " + cause.getMessage(), cause);
            }
            List<String[]> early;
            synchronized (r) {
                if (r.ended) {
                    // removed while the offer was on its way: the session just made goes too
                    client.delete(session.location()).exceptionally(e -> false);
                    throw new IllegalStateException("listener " + listenerId + " was removed before its answer");
                }
                r.location = session.location();
                r.state = ListenerInfo.State.CONNECTED;
                early = List.copyOf(r.early);
                r.early.clear();
                WhepRelayConfig c = config;
                long pollUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(c.candidate_poll_duration_ms());
                r.poll = executor.scheduleWithFixedDelay(() -> poll(r, pollUntil), c.candidate_poll_ms(), c.candidate_poll_ms(), TimeUnit.MILLISECONDS);
                r.heartbeat = executor.scheduleWithFixedDelay(() -> heartbeat(r), c.heartbeat_interval_ms(), c.heartbeat_interval_ms(), TimeUnit.MILLISECONDS);
            }
            LOG.info("WHEP relay: listener {} of sink {} is ScreamRouter's session {}", listenerId, sinkId, session.location().getPath());
            for (String[] c : early) patch(r, c[0], c[1]);
            onLocalDescription.accept(session.answer());
            return session.answer();
        });
    }

    private void poll(Relayed r, long until) {
        URI location;
        synchronized (r) {
            if (r.ended) return;
            if (System.nanoTime() - until > 0) {
                r.poll.cancel(false);
                return;
            }
            location = r.location;
        }
        client.candidates(location).whenComplete((list, e) -> {
            if (e != null) {
                LOG.debug("WHEP relay: candidates of {} not fetched: {}", r.listenerId, e.toString());
                return;
            }
            for (WhepClient.Candidate c : list) r.onIceCandidate.accept(c.candidate(), c.sdpMid());
        });
    }

    private void heartbeat(Relayed r) {
        URI location;
        synchronized (r) {
            if (r.ended) return;
            location = r.location;
        }
        client.heartbeat(location).whenComplete((v, e) -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            ListenerEndedListener.Reason end = null;
            synchronized (r) {
                if (cause == null) {
                    r.heartbeatFailures = 0;
                } else if (cause instanceof WhepClient.Failure f && f.status == 404) {
                    end = ListenerEndedListener.Reason.PEER_CLOSED;
                } else if (++r.heartbeatFailures >= HEARTBEAT_FAILURES) {
                    end = ListenerEndedListener.Reason.CONNECTIVITY_TIMEOUT;
                }
            }
            if (end != null && relayed.remove(key(r.sinkId, r.listenerId), r)) {
                LOG.info("WHEP relay: listener {} of sink {} ended ({}: {})", r.listenerId, r.sinkId, end, cause.getMessage());
                finish(r);
                ListenerInfo info = r.info();
                for (ListenerEndedListener l : endedListeners) {
                    try {
                        l.listenerEnded(info, end);
                    } catch (RuntimeException ex) {
                        LOG.warn("listener-ended callback failed: {}", ex.toString());
                    }
                }
            }
        });
    }

    /** Marks it ended, stops its timers and deletes its session (if it has one yet). */
    private CompletableFuture<Boolean> finish(Relayed r) {
        URI location;
        synchronized (r) {
            r.ended = true;
            r.state = ListenerInfo.State.CLOSED;
            location = r.location;
        }
        r.cancelTimers();
        return location == null ? CompletableFuture.completedFuture(true) : client.delete(location);
    }

    private void patch(Relayed r, String candidate, String mid) {
        URI location;
        synchronized (r) {
            location = r.location;
        }
        client.candidate(location, candidate, mid).whenComplete((v, e) -> {
            if (e != null) LOG.debug("WHEP relay: candidate for {} refused: {}", r.listenerId, e.toString());
        });
    }

    @Override
    public CompletionStage<Void> addRemoteIceCandidate(String sinkId, String listenerId, String candidate, String sdpMid) {
        String line = candidate == null ? "" : candidate.startsWith("a=") ? candidate.substring(2) : candidate;
        String mid = sdpMid == null || sdpMid.isBlank() ? "0" : sdpMid;
        Relayed r = relayed.get(key(sinkId, listenerId));
        if (r == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no listener " + listenerId + " of sink " + sinkId));
        }
        URI location;
        synchronized (r) {
            if (r.location == null) {
                // before the 201: held, and sent once the session exists
                if (r.early.size() < 64) r.early.add(new String[] {line, mid});
                return CompletableFuture.completedFuture(null);
            }
            location = r.location;
        }
        return client.candidate(location, line, mid);
    }

    @Override
    public CompletionStage<InetSocketAddress> prepareRtpListener(String sinkId, String listenerId, RtpCodec codec, InetSocketAddress remote) {
        AudioBridge e = embedded;
        if (e == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "plain RTP needs the embedded audio engine; the WHEP relay carries WebRTC only"));
        }
        delegated.put(key(sinkId, listenerId), e);
        return e.prepareRtpListener(sinkId, listenerId, codec, remote).whenComplete((v, f) -> {
            if (f != null) delegated.remove(key(sinkId, listenerId), e);
        });
    }

    @Override
    public CompletionStage<Void> startRtpListener(String sinkId, String listenerId) {
        AudioBridge e = delegated.get(key(sinkId, listenerId));
        return e == null ? CompletableFuture.failedFuture(new IllegalStateException("no RTP listener " + listenerId + " of sink " + sinkId))
                : e.startRtpListener(sinkId, listenerId);
    }

    @Override
    public CompletionStage<Boolean> removeListener(String sinkId, String listenerId) {
        AudioBridge e = delegated.remove(key(sinkId, listenerId));
        if (e != null) {
            return e.removeListener(sinkId, listenerId);
        }
        Relayed r = relayed.remove(key(sinkId, listenerId));
        if (r == null) {
            return CompletableFuture.completedFuture(false);
        }
        LOG.info("WHEP relay: listener {} of sink {} removed", listenerId, sinkId);
        return finish(r).exceptionally(f -> {
            LOG.debug("WHEP relay: DELETE of {} failed: {}", listenerId, f.toString());
            return true;
        });
    }

    @Override
    public List<ListenerInfo> listeners(String sinkId) {
        return listeners().stream().filter(l -> l.sinkId().equals(sinkId)).toList();
    }

    @Override
    public List<ListenerInfo> listeners() {
        List<ListenerInfo> out = new ArrayList<>();
        for (Relayed r : relayed.values()) out.add(r.info());
        for (Map.Entry<String, AudioBridge> d : delegated.entrySet()) {
            String[] k = d.getKey().split("\0", 2);
            d.getValue().listener(k[0], k[1]).ifPresent(out::add);
        }
        out.sort(Comparator.comparing(ListenerInfo::sinkId).thenComparing(ListenerInfo::created));
        return out;
    }

    @Override
    public Optional<ListenerInfo> listener(String sinkId, String listenerId) {
        Relayed r = relayed.get(key(sinkId, listenerId));
        if (r != null) return Optional.of(r.info());
        AudioBridge e = delegated.get(key(sinkId, listenerId));
        return e == null ? Optional.empty() : e.listener(sinkId, listenerId);
    }

    /** ScreamRouter's sinks are its own: the relay reports none (its sinks are listed by ScreamRouter). */
    @Override
    public List<SinkInfo> sinks() {
        return List.of();
    }
}
