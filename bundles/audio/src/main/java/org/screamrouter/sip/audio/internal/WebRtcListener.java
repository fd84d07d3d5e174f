package org.screamrouter.sip.audio.internal;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceConnectionState;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpEncodingParameters;
import dev.onvoid.webrtc.RTCRtpSendParameters;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.screamrouter.sip.audio.ListenerEndedListener;
import org.screamrouter.sip.audio.ListenerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser (or other WebRTC peer) listening to a sink: a peer connection that sends the sink's track. Its observer
 * methods run on libwebrtc's signalling thread; they only record state and call the caller's callbacks, never call back
 * into the peer connection (that would deadlock the signalling thread).
 */
final class WebRtcListener implements PeerConnectionObserver {
    private static final Logger LOG = LoggerFactory.getLogger(WebRtcListener.class);

    /** Told when libwebrtc reports the end of this listener (ICE failed, connection failed or closed by the peer). */
    interface Ended {
        void ended(WebRtcListener listener, ListenerEndedListener.Reason reason);
    }

    final String sinkId;
    final String listenerId;
    final String clientIp;
    final Instant created;
    private final Consumer<String> onLocalDescription;
    private final BiConsumer<String, String> onIceCandidate;
    private final Ended ended;
    final CompletableFuture<Void> gatheringComplete = new CompletableFuture<>();
    /** Completed with the first local candidate libwebrtc finds. */
    private final CompletableFuture<Void> firstCandidate = new CompletableFuture<>();
    volatile RTCPeerConnection peerConnection;
    volatile WebRtcEngine.ListenerTrack pcTrack;
    private volatile ListenerInfo.State state = ListenerInfo.State.CONNECTING;
    /** System.nanoTime() since when the listener has not been connected (creation or the last disconnection). */
    private volatile long unconnectedSince;
    private volatile long packetsSent;
    private volatile long bytesSent;
    private volatile String peer;

    WebRtcListener(String sinkId, String listenerId, String clientIp, Consumer<String> onLocalDescription,
            BiConsumer<String, String> onIceCandidate, Ended ended, Instant created, long nowNanos) {
        this.sinkId = sinkId;
        this.listenerId = listenerId;
        this.clientIp = clientIp;
        this.onLocalDescription = onLocalDescription;
        this.onIceCandidate = onIceCandidate;
        this.ended = ended;
        this.created = created;
        this.unconnectedSince = nowNanos;
        this.peer = clientIp == null ? "" : clientIp;
    }

    // --- offer/answer, as steps of futures run on the bridge's control thread ----------------------------------------

    CompletableFuture<Void> setRemote(String offer) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        peerConnection.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offer), observer(done));
        return done;
    }

    CompletableFuture<RTCSessionDescription> createAnswer() {
        CompletableFuture<RTCSessionDescription> done = new CompletableFuture<>();
        peerConnection.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                done.complete(description);
            }

            @Override
            public void onFailure(String error) {
                done.completeExceptionally(new IllegalArgumentException("cannot answer the offer: " + error));
            }
        });
        return done;
    }

    CompletableFuture<Void> setLocal(RTCSessionDescription answer) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        peerConnection.setLocalDescription(answer, observer(done));
        return done;
    }

    private static SetSessionDescriptionObserver observer(CompletableFuture<Void> done) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                done.complete(null);
            }

            @Override
            public void onFailure(String error) {
                done.completeExceptionally(new IllegalArgumentException(error));
            }
        };
    }

    /** Caps the sender's bitrate (RTCRtpEncodingParameters.maxBitrate) to ScreamRouter's Opus bitrate. */
    void limitBitrate(RTCRtpSender sender, int bitrate) {
        try {
            RTCRtpSendParameters parameters = sender.getParameters();
            if (parameters.encodings == null || parameters.encodings.isEmpty()) {
                parameters.encodings = new java.util.ArrayList<>(List.of(new RTCRtpEncodingParameters()));
            }
            for (RTCRtpEncodingParameters e : parameters.encodings) e.maxBitrate = bitrate;
            sender.setParameters(parameters);
        } catch (RuntimeException e) {
            LOG.debug("WebRTC listener {}/{}: bitrate not set: {}", sinkId, listenerId, e.toString());
        }
    }

    /**
     * Completes when the answer may go out: at the end of gathering, or {@code afterFirst} ms after the first
     * candidate ({@code -1}: only at the end), and at the latest after {@code timeout} ms.
     */
    CompletableFuture<Void> answerReady(int afterFirst, int timeout) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        gatheringComplete.thenRun(() -> ready.complete(null));
        if (afterFirst >= 0) {
            firstCandidate.thenRunAsync(() -> ready.complete(null),
                    CompletableFuture.delayedExecutor(afterFirst, java.util.concurrent.TimeUnit.MILLISECONDS));
        }
        return ready.completeOnTimeout(null, timeout, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    void deliverAnswer(String sdp) {
        onLocalDescription.accept(sdp);
    }

    // --- libwebrtc's observer (signalling thread) -------------------------------------------------------------------

    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
        firstCandidate.complete(null);
        try {
            onIceCandidate.accept(candidate.sdp, candidate.sdpMid);
        } catch (RuntimeException e) {
            LOG.warn("WebRTC listener {}/{}: ICE candidate callback failed", sinkId, listenerId, e);
        }
    }

    @Override
    public void onIceGatheringChange(RTCIceGatheringState gathering) {
        if (gathering == RTCIceGatheringState.COMPLETE) {
            gatheringComplete.complete(null);
            try {
                onIceCandidate.accept(null, null);
            } catch (RuntimeException e) {
                LOG.warn("WebRTC listener {}/{}: ICE candidate callback failed", sinkId, listenerId, e);
            }
        }
    }

    @Override
    public void onIceConnectionChange(RTCIceConnectionState ice) {
        LOG.debug("WebRTC listener {}/{}: ICE {}", sinkId, listenerId, ice);
        if (ice == RTCIceConnectionState.FAILED) ended.ended(this, ListenerEndedListener.Reason.ICE_FAILED);
    }

    @Override
    public void onConnectionChange(RTCPeerConnectionState connection) {
        switch (connection) {
            case CONNECTED -> {
                if (state != ListenerInfo.State.CONNECTED) LOG.info("WebRTC listener {}/{} connected ({})", sinkId, listenerId, clientIp);
                state = ListenerInfo.State.CONNECTED;
            }
            case DISCONNECTED -> {
                LOG.info("WebRTC listener {}/{} disconnected", sinkId, listenerId);
                state = ListenerInfo.State.DISCONNECTED;
                unconnectedSince = System.nanoTime();
            }
            case FAILED -> ended.ended(this, ListenerEndedListener.Reason.PEER_CLOSED);
            default -> {
            }
        }
    }

    // --- state ----------------------------------------------------------------------------------------------------------

    ListenerInfo.State state() {
        return state;
    }

    void closed() {
        state = ListenerInfo.State.CLOSED;
    }

    /** Whether it has been without connectivity for longer than {@code timeoutNanos}. */
    boolean timedOut(long nowNanos, long timeoutNanos) {
        ListenerInfo.State s = state;
        return s != ListenerInfo.State.CONNECTED && s != ListenerInfo.State.CLOSED && nowNanos - unconnectedSince > timeoutNanos;
    }

    /** Takes the sender's counters and the selected remote candidate from a stats report (any thread). */
    void stats(java.util.Map<String, RTCStats> report) {
        long packets = 0;
        long bytes = 0;
        String remote = null;
        String selectedRemoteId = null;
        for (RTCStats s : report.values()) {
            if (s.getType() == RTCStatsType.OUTBOUND_RTP) {
                packets += number(s.getAttributes().get("packetsSent"));
                bytes += number(s.getAttributes().get("bytesSent"));
            } else if (s.getType() == RTCStatsType.CANDIDATE_PAIR && "succeeded".equals(String.valueOf(s.getAttributes().get("state")))
                    && Boolean.TRUE.equals(s.getAttributes().get("nominated"))) {
                selectedRemoteId = String.valueOf(s.getAttributes().get("remoteCandidateId"));
            }
        }
        if (selectedRemoteId != null) {
            RTCStats r = report.get(selectedRemoteId);
            if (r != null) remote = r.getAttributes().get("address") + ":" + r.getAttributes().get("port");
        }
        packetsSent = packets;
        bytesSent = bytes;
        if (remote != null) peer = remote;
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    ListenerInfo info() {
        return new ListenerInfo(sinkId, listenerId, ListenerInfo.Kind.WEBRTC, peer, state, "opus/48000/2", packetsSent,
                bytesSent, created);
    }
}
