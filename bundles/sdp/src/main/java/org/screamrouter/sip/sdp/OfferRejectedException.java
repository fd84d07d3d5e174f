package org.screamrouter.sip.sdp;

/**
 * An offer that cannot be answered with any usable stream (RFC 3264 section 6): the caller answers
 * the INVITE with 488 Not Acceptable Here ({@link #SIP_STATUS}) and the message as reason or Warning.
 */
public class OfferRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    /** 488 Not Acceptable Here (RFC 3261 section 21.4.26). */
    public static final int SIP_STATUS = 488;

    /** Why no stream was accepted. */
    public enum Reason {
        /** Plain RTP audio was offered but none of its codecs is supported. */
        NO_COMMON_CODEC,
        /** No plain RTP audio stream was offered at all (only video, WebRTC profiles, or port 0). */
        NO_SUPPORTED_MEDIA
    }

    private final Reason reason;

    public OfferRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public int sipStatus() {
        return SIP_STATUS;
    }
}
