package org.screamrouter.sip.audio;

import java.time.Instant;

/**
 * One listener of a sink, as the bridge sees it now.
 *
 * @param sinkId the sink
 * @param listenerId unique within the sink
 * @param kind WebRTC or RTP
 * @param peer the peer's address: for RTP the remote {@code ip:port} media goes to, for WebRTC the client IP the
 *     caller gave (and the selected remote candidate once connected)
 * @param state the listener's state
 * @param codec what is sent ({@code opus/48000/2}, {@code PCMU/8000}, ...)
 * @param packetsSent RTP packets sent so far
 * @param bytesSent payload bytes sent so far
 * @param created when it was added
 */
public record ListenerInfo(String sinkId, String listenerId, Kind kind, String peer, State state, String codec,
        long packetsSent, long bytesSent, Instant created) {

    public enum Kind { WEBRTC, RTP }

    public enum State {
        /** Answer made, ICE/DTLS not yet connected (WebRTC); prepared, media not started yet (RTP). */
        CONNECTING,
        /** Media flows. */
        CONNECTED,
        /** Connectivity lost; dropped if it does not come back within the connectivity timeout. */
        DISCONNECTED,
        /** Removed; no more media. */
        CLOSED
    }
}
