package org.screamrouter.sip.audio;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Sends a sink's audio to listeners: browsers over WebRTC (Opus 48 kHz stereo, ICE, DTLS-SRTP) and devices over plain
 * RTP (RFC 3550) with a codec negotiated by the caller. It mirrors ScreamRouter's audio engine
 * ({@code add_webrtc_listener}, {@code remove_webrtc_listener}, {@code add_webrtc_remote_ice_candidate}).
 *
 * <p>Any sink id is accepted: a sink without a configured input plays silence, or the test tone when it is on. Any
 * number of listeners of one sink share its input. A listener id is unique within its sink; adding an id already in
 * use fails with {@link IllegalStateException}.
 *
 * <p>Callbacks ({@code onLocalDescription}, {@code onIceCandidate}, {@link ListenerEndedListener}) run on the engine's
 * threads: they must not block. Media is sent only to the addresses the caller gives (RTP) or that ICE verified
 * (WebRTC); the bridge never resolves names.
 */
@ProviderType
public interface AudioBridge {

    /**
     * Service property naming the provider: {@link #ENGINE_EMBEDDED} (this server's own engine) or
     * {@link #ENGINE_WHEP_RELAY} (ScreamRouter's engine over WHEP). Calls use the best ranked bridge; a WHEP endpoint
     * serving the embedded engine targets it by this property.
     */
    String ENGINE = "audio.engine";
    String ENGINE_EMBEDDED = "embedded";
    String ENGINE_WHEP_RELAY = "whep-relay";

    /**
     * Answers a WebRTC offer for one listener of a sink. The answer (with DTLS fingerprint, ICE credentials and the
     * candidates gathered so far) is passed to {@code onLocalDescription} and also completes the returned stage; later
     * candidates are passed to {@code onIceCandidate} as {@code (candidate, sdpMid)} (trickle ICE), and
     * {@code (null, null)} ends gathering.
     *
     * @param sinkId the sink whose audio is sent
     * @param listenerId unique within the sink (e.g. the SIP Call-ID)
     * @param offerSdp the remote offer
     * @param onLocalDescription receives the answer SDP once
     * @param onIceCandidate receives each local candidate line ({@code candidate:...}) and its media id
     * @param clientIp the peer's address as the signalling saw it (for logs and listing; never resolved)
     * @return completes with the answer SDP, or exceptionally when the offer cannot be answered
     *     ({@link IllegalArgumentException} for an offer without usable audio)
     */
    CompletionStage<String> addWebRtcListener(String sinkId, String listenerId, String offerSdp,
            Consumer<String> onLocalDescription, BiConsumer<String, String> onIceCandidate, String clientIp);

    /** Adds a remote ICE candidate ({@code candidate:...}, with or without {@code a=}) to a WebRTC listener. */
    CompletionStage<Void> addRemoteIceCandidate(String sinkId, String listenerId, String candidate, String sdpMid);

    /**
     * Starts sending a sink's audio as RTP to one remote address: {@link #prepareRtpListener} then
     * {@link #startRtpListener}.
     *
     * @return the local RTP address media is sent from (for the caller's SDP answer)
     */
    default CompletionStage<InetSocketAddress> addRtpListener(String sinkId, String listenerId, RtpCodec codec,
            InetSocketAddress remote) {
        return prepareRtpListener(sinkId, listenerId, codec, remote)
                .thenCompose(local -> startRtpListener(sinkId, listenerId).thenApply(v -> local));
    }

    /**
     * Makes an RTP listener that sends nothing yet: its socket is bound, so its local address can go into an SDP answer,
     * and media start only with {@link #startRtpListener} (a caller starts them once the peer has proven its address,
     * e.g. by an ACK carrying the answer's To-tag; before that the remote may be a forged address).
     *
     * @param sinkId the sink whose audio is sent
     * @param listenerId unique within the sink
     * @param codec the negotiated codec
     * @param remote where the media will go (an address the caller chose, never resolved here)
     * @return the local RTP address media will be sent from
     */
    CompletionStage<InetSocketAddress> prepareRtpListener(String sinkId, String listenerId, RtpCodec codec,
            InetSocketAddress remote);

    /**
     * Starts a prepared RTP listener's media. From then on the peer must show life on the listener's port (its RTP or
     * RTCP) at least once per liveness timeout of the engine, or the listener is dropped and the
     * {@link ListenerEndedListener}s are told ({@code CONNECTIVITY_TIMEOUT}): media never flow for long to an address
     * that does not want them.
     *
     * @return completes when media flow; exceptionally when there is no such listener
     */
    CompletionStage<Void> startRtpListener(String sinkId, String listenerId);

    /**
     * Removes a listener of either kind and frees its resources. Completes with true when it existed. No
     * {@link ListenerEndedListener} call follows a removal asked for here.
     */
    CompletionStage<Boolean> removeListener(String sinkId, String listenerId);

    /** Same as {@link #removeListener}; the name ScreamRouter's engine uses. */
    default CompletionStage<Boolean> removeWebRtcListener(String sinkId, String listenerId) {
        return removeListener(sinkId, listenerId);
    }

    /** Same as {@link #removeListener}. */
    default CompletionStage<Boolean> removeRtpListener(String sinkId, String listenerId) {
        return removeListener(sinkId, listenerId);
    }

    /** The listeners of one sink, oldest first. */
    List<ListenerInfo> listeners(String sinkId);

    /** Every listener of every sink, by sink then age. */
    List<ListenerInfo> listeners();

    Optional<ListenerInfo> listener(String sinkId, String listenerId);

    /** The sinks with a configured input (Scream receiver), by id; others are accepted too and play silence or the tone. */
    List<SinkInfo> sinks();
}
