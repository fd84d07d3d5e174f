package org.screamrouter.sip.audio.internal;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A browser stand-in: a second libwebrtc (its own factory) that offers to receive audio only, as a browser's
 * {@code addTransceiver('audio', {direction: 'recvonly'})} does, and reports what it received.
 */
final class BrowserPeer implements AutoCloseable, PeerConnectionObserver {
    private final AudioDeviceModule audioDevice = new AudioDeviceModule(AudioLayer.kDummyAudio);
    private final PeerConnectionFactory factory = new PeerConnectionFactory(audioDevice);
    private final CustomAudioSource source = new CustomAudioSource();
    private final AudioTrack track = factory.createAudioTrack("browser-mic", source);
    private final RTCPeerConnection pc;
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    /** Local candidates as gathered ({@code candidate:...} and its mid). */
    final java.util.List<String[]> candidates = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile RTCPeerConnectionState state = RTCPeerConnectionState.NEW;

    BrowserPeer() {
        pc = factory.createPeerConnection(new RTCConfiguration(), this);
        RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
        init.direction = RTCRtpTransceiverDirection.RECV_ONLY;
        pc.addTransceiver(track, init);
    }

    /** The complete offer (every candidate in it, as a SIP INVITE carries it). */
    String offer() throws Exception {
        offerWithoutCandidates();
        gathered.get(10, TimeUnit.SECONDS);
        return pc.getLocalDescription().sdp;
    }

    /** Waits until every local candidate is in {@link #candidates}. */
    void awaitGathering() throws Exception {
        gathered.get(10, TimeUnit.SECONDS);
    }

    /** The offer as created, before any candidate (the candidates follow in {@link #candidates}: trickle ICE). */
    String offerWithoutCandidates() throws Exception {
        CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
        pc.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription d) {
                offer.complete(d);
            }

            @Override
            public void onFailure(String error) {
                offer.completeExceptionally(new IllegalStateException(error));
            }
        });
        RTCSessionDescription d = offer.get(10, TimeUnit.SECONDS);
        CompletableFuture<Void> set = new CompletableFuture<>();
        pc.setLocalDescription(d, observer(set));
        set.get(10, TimeUnit.SECONDS);
        return d.sdp;
    }

    void answer(String sdp) throws Exception {
        CompletableFuture<Void> set = new CompletableFuture<>();
        pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, sdp), observer(set));
        set.get(10, TimeUnit.SECONDS);
    }

    /** inbound-rtp of the audio: packetsReceived, bytesReceived, and the codec's mimeType. */
    Map<String, Object> inbound() throws Exception {
        CompletableFuture<Map<String, RTCStats>> report = new CompletableFuture<>();
        pc.getStats(r -> report.complete(r.getStats()));
        Map<String, RTCStats> stats = report.get(10, TimeUnit.SECONDS);
        Map<String, Object> out = new java.util.HashMap<>();
        for (RTCStats s : stats.values()) {
            if (s.getType() == RTCStatsType.INBOUND_RTP) {
                out.put("packetsReceived", s.getAttributes().get("packetsReceived"));
                out.put("bytesReceived", s.getAttributes().get("bytesReceived"));
                RTCStats codec = stats.get(String.valueOf(s.getAttributes().get("codecId")));
                if (codec != null) {
                    out.put("mimeType", codec.getAttributes().get("mimeType"));
                    out.put("channels", codec.getAttributes().get("channels"));
                }
            }
        }
        return out;
    }

    long packetsReceived() throws Exception {
        Object p = inbound().get("packetsReceived");
        return p instanceof Number n ? n.longValue() : 0;
    }

    private static SetSessionDescriptionObserver observer(CompletableFuture<Void> done) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                done.complete(null);
            }

            @Override
            public void onFailure(String error) {
                done.completeExceptionally(new IllegalStateException(error));
            }
        };
    }

    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
        candidates.add(new String[] {candidate.sdp, candidate.sdpMid});
    }

    @Override
    public void onIceGatheringChange(RTCIceGatheringState s) {
        if (s == RTCIceGatheringState.COMPLETE) gathered.complete(null);
    }

    @Override
    public void onConnectionChange(RTCPeerConnectionState s) {
        state = s;
    }

    @Override
    public void close() {
        for (dev.onvoid.webrtc.RTCRtpSender sender : pc.getSenders()) pc.removeTrack(sender);
        pc.close();
        track.dispose();
        source.dispose();
        factory.dispose();
        audioDevice.dispose();
    }
}
