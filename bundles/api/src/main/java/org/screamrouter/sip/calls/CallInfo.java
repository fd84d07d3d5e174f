package org.screamrouter.sip.calls;

import java.time.Instant;

/**
 * One call as the server sees it now.
 *
 * @param callId      the SIP Call-ID (also the audio bridge's listener id)
 * @param sink        the sink the peer listens to
 * @param peer        the signalling flow ({@code udp:198.18.0.2:5062})
 * @param kind        how media is sent
 * @param state       where the dialog is
 * @param started     when the INVITE arrived
 * @param packetsSent RTP packets sent to the peer so far, as the audio bridge counts them
 * @param media       where media goes ({@code ip:port}), or the WebRTC peer as the bridge names it
 */
public record CallInfo(String callId, String sink, String peer, Kind kind, State state, Instant started,
        long packetsSent, String media) {

    public enum Kind { WEBRTC, RTP }

    public enum State {
        /** INVITE received, 100 sent, the engine is making the answer. */
        PROCEEDING,
        /** 200 OK sent, waiting for the ACK. */
        ANSWERED,
        /** ACK received: the dialog is confirmed. */
        CONFIRMED,
        /** BYE sent by the server, waiting for its answer. */
        ENDING
    }
}
