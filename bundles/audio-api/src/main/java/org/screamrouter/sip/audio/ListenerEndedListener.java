package org.screamrouter.sip.audio;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard callback: a service of this type (e.g. the calls bundle) is told when the bridge dropped a listener on its
 * own, so that it can end the call. Called on an engine thread; must not block. Not called for
 * {@link AudioBridge#removeListener} nor when the bridge itself stops.
 */
@ConsumerType
public interface ListenerEndedListener {

    /** Why the bridge dropped a listener. */
    enum Reason {
        /** ICE reached the failed state. */
        ICE_FAILED,
        /** No connectivity (never connected, or disconnected) for longer than the connectivity timeout. */
        CONNECTIVITY_TIMEOUT,
        /** DTLS or the peer connection failed, or the peer closed it. */
        PEER_CLOSED,
        /** Sending failed (e.g. the RTP socket broke). */
        SEND_FAILED
    }

    void listenerEnded(ListenerInfo listener, Reason reason);
}
