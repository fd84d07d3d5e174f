package org.screamrouter.sip.client;

/**
 * Where a {@link ManagedRegistration} is.
 *
 * @param phase        what it is doing
 * @param registration the last granted registration (null before the first success)
 * @param lastReply    the last final response (null when none arrived, e.g. after a timeout)
 * @param failure      why the last attempt failed ({@link SipRejectedException},
 *                     {@link org.screamrouter.sip.stack.SipTimeoutException},
 *                     {@link org.screamrouter.sip.stack.SipTransportException}), or null
 * @param attempts     failed attempts in a row
 */
public record RegistrationState(Phase phase, Registration registration, SipReply lastReply, Throwable failure, int attempts) {
    public enum Phase {
        /** The first REGISTER is on its way. */
        REGISTERING,
        /** Bound; a refresh is scheduled at 85% of the granted expiry. */
        REGISTERED,
        /** A refresh is on its way; the binding is still valid. */
        REFRESHING,
        /** The last attempt failed; another follows after a backoff (1 s doubling, at most 30 s). */
        FAILED,
        /** Closed: unregistered (or given up); nothing more is sent. */
        CLOSED
    }
}
