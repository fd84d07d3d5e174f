package org.screamrouter.sip.audio.internal;

import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.audio.ListenerEndedListener;
import org.screamrouter.sip.audio.ListenerInfo;
import org.screamrouter.sip.audio.RtpCodec;
import org.screamrouter.sip.audio.SinkInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AudioBridge}: sink inputs (Scream receivers and the test tone), a 10 ms clock that hands each sink's mix to
 * its listeners, RTP listeners in Java, WebRTC listeners in libwebrtc ({@link WebRtcEngine}).
 *
 * <p>Threads, all owned here and ended in {@link #deactivate()}: {@code audio-clock} (the mix clock: pushes audio into
 * the WebRTC tracks and sends RTP), {@code audio-control} (every WebRTC call that may wait on libwebrtc's signalling
 * thread, the connectivity watch, the stats poll, the listener-ended calls), one {@code audio-scream-<sink>} receiver per
 * sink input; libwebrtc's own threads end when the engine is disposed.
 */
@Component(service = AudioBridge.class, configurationPid = AudioConfig.PID, immediate = true, property = AudioBridge.ENGINE + "=" + AudioBridge.ENGINE_EMBEDDED)
@Designate(ocd = AudioConfig.class)
public class AudioBridgeComponent implements AudioBridge {
    private static final Logger LOG = LoggerFactory.getLogger(AudioBridgeComponent.class);

    /**
     * Held as service objects, taken only when a listener ends: the WHEP servlet is one and needs this bridge, so
     * taking it while the bridge activates (as a plain reference does) was a cycle SCR logged as an ERROR at each start.
     */
    private final List<ComponentServiceObjects<ListenerEndedListener>> endedListeners = new CopyOnWriteArrayList<>();
    private final Map<String, SinkInput> sinks = new ConcurrentHashMap<>();
    private final Map<String, ScreamReceiver> receivers = new ConcurrentHashMap<>();
    /** Key: sinkId + '\0' + listenerId. */
    private final Map<String, Object> listeners = new ConcurrentHashMap<>();
    private final RandomGenerator random = new SecureRandom();
    private volatile AudioConfig config;
    private volatile Map<String, SinkSpec> specs = Map.of();
    private volatile SinkInput.ToneMode toneMode;
    private volatile String inputAddressInUse = "";
    private ScheduledExecutorService clock;
    private ScheduledExecutorService control;
    private volatile WebRtcEngine engine;
    private volatile String engineProblem;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addEndedListener(ComponentServiceObjects<ListenerEndedListener> l) {
        endedListeners.add(l);
    }

    void removeEndedListener(ComponentServiceObjects<ListenerEndedListener> l) {
        endedListeners.remove(l);
    }

    @Activate
    void activate(AudioConfig config) {
        clock = executor("audio-clock");
        control = executor("audio-control");
        apply(config);
        if (config.webrtc_enabled()) {
            try {
                engine = new WebRtcEngine();
            } catch (Throwable e) { // UnsatisfiedLinkError when the native library or a system library is missing
                engineProblem = e.toString();
                LOG.error("WebRTC engine not available (RTP listeners still work): {}", e.toString());
            }
        } else {
            engineProblem = "WebRTC is switched off (webrtc.enabled = false)";
        }
        clock.scheduleAtFixedRate(this::tick, Mix.BLOCK_MILLIS, Mix.BLOCK_MILLIS, TimeUnit.MILLISECONDS);
        control.scheduleWithFixedDelay(this::watch, 1, 1, TimeUnit.SECONDS);
        LOG.info("Audio bridge started: {} sink input(s), test tone {}, WebRTC {}", specs.size(), toneMode,
                engine != null ? "on" : "off");
    }

    @Modified
    void modified(AudioConfig config) {
        apply(config);
        LOG.info("Audio bridge reconfigured: {} sink input(s), test tone {}", specs.size(), toneMode);
    }

    private synchronized void apply(AudioConfig config) {
        SinkInput.ToneMode mode = SinkInput.ToneMode.valueOf(config.test_tone().trim().toUpperCase(Locale.ROOT));
        Map<String, SinkSpec> newSpecs = SinkSpec.parse(config.sinks(), config.test_tone_frequency());
        this.config = config;
        this.toneMode = mode;
        Map<String, SinkSpec> old = specs;
        specs = newSpecs;
        // inputs that went away or moved
        for (Map.Entry<String, SinkSpec> e : old.entrySet()) {
            SinkSpec now = newSpecs.get(e.getKey());
            if (now == null || now.port() != e.getValue().port() || !config.input_address().equals(inputAddressInUse)) {
                ScreamReceiver r = receivers.remove(e.getKey());
                if (r != null) r.close();
                SinkInput in = sinks.get(e.getKey());
                if (in != null) in.port(0);
            }
        }
        inputAddressInUse = config.input_address();
        for (SinkInput in : sinks.values()) {
            SinkSpec s = newSpecs.get(in.sinkId);
            in.tone(mode, s != null ? s.toneFrequency() : config.test_tone_frequency());
        }
        for (SinkSpec s : newSpecs.values()) {
            SinkInput in = sink(s.sinkId());
            if (s.port() > 0 && !receivers.containsKey(s.sinkId())) {
                try {
                    ScreamReceiver r = new ScreamReceiver(in, new InetSocketAddress(IpLiteral.parse(config.input_address()), s.port()));
                    receivers.put(s.sinkId(), r);
                    in.port(r.port());
                } catch (IOException | IllegalArgumentException e) {
                    LOG.error("Sink {}: cannot listen for Scream on {}:{}: {}", s.sinkId(), config.input_address(), s.port(), e.toString());
                }
            }
        }
    }

    @Deactivate
    void deactivate() {
        // the clock first: nothing pushes into a track or socket that is going away
        shutdown(clock);
        List<Object> all = new ArrayList<>(listeners.values());
        listeners.clear();
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            for (Object l : all) close(l);
            WebRtcEngine e = engine;
            engine = null;
            if (e != null) e.close();
        }, control);
        try {
            closed.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Audio bridge: closing the listeners and the engine: {}", e.toString());
        }
        shutdown(control);
        for (ScreamReceiver r : receivers.values()) r.close();
        receivers.clear();
        sinks.clear();
        LOG.info("Audio bridge stopped ({} listener(s) closed)", all.size());
    }

    // --- AudioBridge -------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<String> addWebRtcListener(String sinkId, String listenerId, String offerSdp,
            Consumer<String> onLocalDescription, BiConsumer<String, String> onIceCandidate, String clientIp) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        try {
            requireIds(sinkId, listenerId);
            if (offerSdp == null || !offerSdp.contains("m=audio")) throw new IllegalArgumentException("the offer has no audio section");
            if (!OpusOffer.hasOpus(offerSdp)) throw new IllegalArgumentException("the offer has no opus/48000/2");
            WebRtcEngine e = engine;
            if (e == null) throw new IllegalStateException("no WebRTC engine: " + engineProblem);
            AudioConfig c = config;
            WebRtcListener l = new WebRtcListener(sinkId, listenerId, clientIp, onLocalDescription, onIceCandidate,
                    (listener, reason) -> onControl(() -> drop(listener, reason)), Instant.now(), System.nanoTime());
            if (listeners.putIfAbsent(key(sinkId, listenerId), l) != null) {
                throw new IllegalStateException("listener " + listenerId + " of sink " + sinkId + " exists");
            }
            String offer = OpusOffer.withSenderParameters(offerSdp, c.opus_bitrate(), c.opus_frame_ms());
            CompletableFuture.runAsync(() -> {
                WebRtcEngine.ListenerTrack track = e.track(sinkId);
                sink(sinkId).addConsumer(track);
                l.peerConnection = e.peerConnection(SinkSpec.flatten(c.ice_servers()), c.media_port_min(), c.media_port_max(), l);
                l.pcTrack = track;
            }, control)
                    .thenCompose(v -> l.setRemote(offer))
                    .thenRunAsync(() -> {
                        RTCRtpSender sender = l.peerConnection.addTrack(l.pcTrack.track, List.of("screamrouter-" + sinkId));
                        l.limitBitrate(sender, c.opus_bitrate());
                    }, control)
                    .thenCompose(v -> l.createAnswer())
                    .thenCompose(answerMade -> {
                        // the answer announces ScreamRouter's Opus parameters too (sprop-stereo: we send stereo);
                        // should libwebrtc refuse the edited answer, its own goes out
                        String edited = OpusOffer.withSenderParameters(answerMade.sdp, c.opus_bitrate(), c.opus_frame_ms());
                        return l.setLocal(new RTCSessionDescription(RTCSdpType.ANSWER, edited))
                                .exceptionallyCompose(refused -> {
                                    LOG.debug("edited answer refused ({}); the engine's own is used", refused.toString());
                                    return l.setLocal(answerMade);
                                });
                    })
                    .thenRun(() -> l.pcTrack.start()) // the answer is applied: the sender has its sink on the source
                    .thenCompose(v -> l.answerReady(c.ice_answer_after_first_candidate_ms(), c.ice_gathering_timeout_ms()))
                    .thenApplyAsync(v -> l.peerConnection.getLocalDescription().sdp, control)
                    .whenComplete((sdp, failure) -> {
                        if (failure != null) {
                            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                                    ? failure.getCause() : failure;
                            LOG.info("WebRTC listener {}/{} not added: {}", sinkId, listenerId, cause.getMessage());
                            onControl(() -> {
                                if (listeners.remove(key(sinkId, listenerId), l)) close(l);
                            });
                            answer.completeExceptionally(cause);
                        } else {
                            LOG.info("WebRTC listener {}/{} added for {} ({} listener(s) on the sink)", sinkId, listenerId,
                                    clientIp, listeners(sinkId).size());
                            try {
                                l.deliverAnswer(sdp);
                            } finally {
                                answer.complete(sdp);
                            }
                        }
                    });
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }

    @Override
    public CompletionStage<Void> addRemoteIceCandidate(String sinkId, String listenerId, String candidate, String sdpMid) {
        Object l = listeners.get(key(sinkId, listenerId));
        if (!(l instanceof WebRtcListener w)) {
            return CompletableFuture.failedFuture(new IllegalStateException("no WebRTC listener " + listenerId + " of sink " + sinkId));
        }
        String c = candidate == null ? "" : candidate.trim();
        if (c.startsWith("a=")) c = c.substring(2);
        if (c.isEmpty() || c.equals("end-of-candidates")) return CompletableFuture.completedFuture(null);
        String line = c;
        return CompletableFuture.runAsync(() -> {
            RTCPeerConnection pc = w.peerConnection;
            if (pc == null) throw new IllegalStateException("the listener has no peer connection yet");
            pc.addIceCandidate(new RTCIceCandidate(sdpMid == null ? "0" : sdpMid, 0, line));
        }, control);
    }

    @Override
    public CompletionStage<InetSocketAddress> prepareRtpListener(String sinkId, String listenerId, RtpCodec codec,
            InetSocketAddress remote) {
        try {
            requireIds(sinkId, listenerId);
            if (codec == null) throw new IllegalArgumentException("no codec");
            if (remote == null || remote.isUnresolved() || remote.getPort() == 0) {
                throw new IllegalArgumentException("the remote must be an IP address and a port, not " + remote);
            }
            String key = key(sinkId, listenerId);
            if (listeners.containsKey(key)) throw new IllegalStateException("listener " + listenerId + " of sink " + sinkId + " exists");
            DatagramChannel channel = bind(remote);
            // the address the kernel sends from toward the remote (learnt while connected), for the SDP answer
            InetSocketAddress from = (InetSocketAddress) channel.getLocalAddress();
            channel.disconnect(); // unconnected: RTP from the peer's new port can be latched (RtpListener)
            RtpListener l = new RtpListener(sinkId, listenerId, codec, channel, remote, from, random, Instant.now());
            if (listeners.putIfAbsent(key, l) != null) {
                l.close();
                throw new IllegalStateException("listener " + listenerId + " of sink " + sinkId + " exists");
            }
            InetSocketAddress local = l.local();
            sink(sinkId).addConsumer(l);
            LOG.info("RTP listener {}/{} prepared: {} to {} from {} (SSRC {}), media once started", sinkId, listenerId, codec.rtpmap(),
                    remote, local, Integer.toUnsignedString(l.ssrc(), 16));
            return CompletableFuture.completedFuture(local);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Void> startRtpListener(String sinkId, String listenerId) {
        if (!(listeners.get(key(sinkId, listenerId)) instanceof RtpListener l)) {
            return CompletableFuture.failedFuture(new IllegalStateException("no RTP listener " + listenerId + " of sink " + sinkId));
        }
        l.start(System.nanoTime());
        LOG.debug("RTP listener {}/{} started", sinkId, listenerId);
        return CompletableFuture.completedFuture(null);
    }

    /** A socket in the media port range, connected to the remote (so the kernel picks the source address toward it). */
    private DatagramChannel bind(InetSocketAddress remote) throws IOException {
        AudioConfig c = config;
        int min = c.media_port_min();
        int max = c.media_port_max();
        boolean ranged = min > 0 && max >= min;
        int span = ranged ? max - min + 1 : 1;
        int start = ranged ? random.nextInt(span) : 0;
        IOException last = null;
        for (int i = 0; i < span; i++) {
            DatagramChannel ch = DatagramChannel.open(remote.getAddress() instanceof java.net.Inet6Address
                    ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
            try {
                ch.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 18);
                ch.bind(new InetSocketAddress(ranged ? min + (start + i) % span : 0));
                ch.connect(remote);
                ch.configureBlocking(false);
                return ch;
            } catch (BindException e) {
                ch.close();
                last = e;
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
        throw new BindException("no free UDP port in " + min + "-" + max + (last != null ? ": " + last.getMessage() : ""));
    }

    @Override
    public CompletionStage<Boolean> removeListener(String sinkId, String listenerId) {
        Object l = listeners.remove(key(sinkId, listenerId));
        if (l == null) return CompletableFuture.completedFuture(false);
        return CompletableFuture.supplyAsync(() -> {
            close(l);
            LOG.info("Listener {}/{} removed", sinkId, listenerId);
            return true;
        }, control);
    }

    @Override
    public List<ListenerInfo> listeners(String sinkId) {
        return listeners().stream().filter(i -> i.sinkId().equals(sinkId)).toList();
    }

    @Override
    public List<ListenerInfo> listeners() {
        List<ListenerInfo> all = new ArrayList<>();
        for (Object l : listeners.values()) all.add(info(l));
        all.sort(Comparator.comparing(ListenerInfo::sinkId).thenComparing(ListenerInfo::created).thenComparing(ListenerInfo::listenerId));
        return all;
    }

    @Override
    public Optional<ListenerInfo> listener(String sinkId, String listenerId) {
        return Optional.ofNullable(listeners.get(key(sinkId, listenerId))).map(AudioBridgeComponent::info);
    }

    @Override
    public List<SinkInfo> sinks() {
        List<SinkInfo> out = new ArrayList<>();
        for (SinkInput in : sinks.values()) {
            int count = (int) listeners.values().stream().filter(l -> sinkOf(l).equals(in.sinkId)).count();
            if (!specs.containsKey(in.sinkId) && count == 0) continue;
            out.add(new SinkInfo(in.sinkId, in.port(), in.format(), in.packets(), count, in.toneActive()));
        }
        out.sort(Comparator.comparing(SinkInfo::sinkId));
        return out;
    }

    // --- internals ---------------------------------------------------------------------------------------------------------

    private SinkInput sink(String sinkId) {
        return sinks.computeIfAbsent(sinkId, id -> {
            SinkSpec s = specs.get(id);
            return new SinkInput(id, toneMode, s != null ? s.toneFrequency() : config.test_tone_frequency());
        });
    }

    private void tick() {
        long now = System.nanoTime();
        for (SinkInput in : sinks.values()) {
            try {
                in.tick(now);
            } catch (RuntimeException e) {
                LOG.warn("Sink {}: clock tick failed", in.sinkId, e);
            }
        }
    }

    /** Connectivity watch and stats poll, every second on the control thread. */
    private void watch() {
        long now = System.nanoTime();
        long timeout = TimeUnit.SECONDS.toNanos(config.connectivity_timeout());
        long rtpTimeout = TimeUnit.MILLISECONDS.toNanos(config.rtp_liveness_timeout_ms());
        for (Object o : listeners.values()) {
            if (o instanceof RtpListener r && rtpTimeout > 0 && r.silentFor(now) > rtpTimeout) {
                drop(r, ListenerEndedListener.Reason.CONNECTIVITY_TIMEOUT);
                continue;
            }
            if (!(o instanceof WebRtcListener l)) continue;
            if (l.timedOut(now, timeout)) {
                drop(l, ListenerEndedListener.Reason.CONNECTIVITY_TIMEOUT);
                continue;
            }
            RTCPeerConnection pc = l.peerConnection;
            if (pc != null && l.state() != ListenerInfo.State.CLOSED) {
                try {
                    pc.getStats(report -> {
                        try {
                            l.stats(report.getStats());
                        } catch (RuntimeException e) {
                            LOG.debug("stats of {}/{}", l.sinkId, l.listenerId, e);
                        }
                    });
                } catch (RuntimeException e) {
                    LOG.debug("stats of {}/{}", l.sinkId, l.listenerId, e);
                }
            }
        }
    }

    /** The engine ends an RTP listener (control thread) whose peer showed no life. */
    private void drop(RtpListener l, ListenerEndedListener.Reason reason) {
        if (!listeners.remove(key(l.sinkId, l.listenerId), l)) return;
        ListenerInfo before = l.info();
        close(l);
        LOG.info("RTP listener {}/{} dropped: {} (nothing from {} for {} ms)", l.sinkId, l.listenerId, reason, l.remote,
                config.rtp_liveness_timeout_ms());
        ended(before, reason);
    }

    /** The engine ends a listener (control thread): closed, removed, and every ListenerEndedListener told. */
    private void drop(WebRtcListener l, ListenerEndedListener.Reason reason) {
        if (!listeners.remove(key(l.sinkId, l.listenerId), l)) return;
        ListenerInfo before = l.info();
        close(l);
        LOG.info("WebRTC listener {}/{} dropped: {}", l.sinkId, l.listenerId, reason);
        ended(before, reason);
    }

    private void ended(ListenerInfo before, ListenerEndedListener.Reason reason) {
        ListenerInfo info = new ListenerInfo(before.sinkId(), before.listenerId(), before.kind(), before.peer(),
                ListenerInfo.State.CLOSED, before.codec(), before.packetsSent(), before.bytesSent(), before.created());
        for (ComponentServiceObjects<ListenerEndedListener> objects : endedListeners) {
            ListenerEndedListener e = null;
            try {
                e = objects.getService();
                if (e != null) e.listenerEnded(info, reason);
            } catch (RuntimeException ex) {
                LOG.warn("A listener-ended callback failed", ex);
            } finally {
                if (e != null) objects.ungetService(e);
            }
        }
    }

    /** Frees a listener's resources (control thread for WebRTC: closing a peer connection waits on libwebrtc). */
    private void close(Object l) {
        if (l instanceof RtpListener r) {
            SinkInput in = sinks.get(r.sinkId);
            if (in != null) in.removeConsumer(r);
            r.close();
        } else if (l instanceof WebRtcListener w) {
            w.closed();
            WebRtcEngine.ListenerTrack track = w.pcTrack;
            if (track != null) {
                track.finish(); // no push from here on: closing removes the sender's sink from the source
                SinkInput in = sinks.get(w.sinkId);
                if (in != null) in.removeConsumer(track);
            }
            RTCPeerConnection pc = w.peerConnection;
            w.peerConnection = null;
            if (pc != null) {
                try {
                    for (RTCRtpSender sender : pc.getSenders()) pc.removeTrack(sender);
                } catch (RuntimeException e) {
                    LOG.debug("removing the track of {}/{}", w.sinkId, w.listenerId, e);
                }
                try {
                    pc.close();
                } catch (RuntimeException e) {
                    LOG.debug("closing the peer connection of {}/{}", w.sinkId, w.listenerId, e);
                }
            }
            WebRtcEngine e = engine;
            if (track != null && e != null) e.dispose(track);
        }
    }

    /** Runs on the control thread; dropped once the bridge is stopping (called from libwebrtc's threads: never throws). */
    private void onControl(Runnable task) {
        try {
            control.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("Audio bridge stopping: engine event ignored");
        }
    }

    private static ListenerInfo info(Object l) {
        return l instanceof RtpListener r ? r.info() : ((WebRtcListener) l).info();
    }

    private static String sinkOf(Object l) {
        return l instanceof RtpListener r ? r.sinkId : ((WebRtcListener) l).sinkId;
    }

    private static String key(String sinkId, String listenerId) {
        return sinkId + '\0' + listenerId;
    }

    private static void requireIds(String sinkId, String listenerId) {
        if (sinkId == null || sinkId.isBlank()) throw new IllegalArgumentException("no sink id");
        if (listenerId == null || listenerId.isBlank()) throw new IllegalArgumentException("no listener id");
    }

    private static ScheduledExecutorService executor(String name) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            if (name.equals("audio-clock")) t.setPriority(Thread.MAX_PRIORITY);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        return e;
    }

    private static void shutdown(ScheduledExecutorService e) {
        if (e == null) return;
        e.shutdownNow();
        try {
            if (!e.awaitTermination(10, TimeUnit.SECONDS)) LOG.warn("Audio bridge: a thread did not end in 10 s");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
