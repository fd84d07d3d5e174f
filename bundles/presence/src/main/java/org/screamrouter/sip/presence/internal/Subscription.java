package org.screamrouter.sip.presence.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One subscription and its dialog (RFC 6665 section 4, RFC 3261 section 12), immutable: every change makes a new
 * value, which is what the table and the store hold.
 *
 * @param id           our To-tag, which also names the subscription
 * @param event        {@code presence} or {@code reg}
 * @param resource     the watched device UUID, or {@link #EVERYTHING} (reg package of the router's own URI)
 * @param localUri     the URI the SUBSCRIBE was addressed To: our From in NOTIFYs
 * @param watcherUri   the subscriber's From URI: To in NOTIFYs
 * @param callId       the dialog's Call-ID
 * @param remoteTag    the subscriber's From-tag
 * @param remoteTarget the subscriber's Contact URI: the NOTIFY Request-URI
 * @param routeSet     the Record-Route values of the SUBSCRIBE, in order (RFC 3261 12.1.1)
 * @param eventId      the {@code id} parameter of the Event header, or {@code null}
 * @param transport    flow of the SUBSCRIBE: transport
 * @param remote       flow of the SUBSCRIBE: source address and port (where NOTIFYs go)
 * @param expires      absolute expiry
 * @param cseq         CSeq of the last NOTIFY sent (0: none yet)
 * @param remoteCseq   CSeq of the subscriber's last SUBSCRIBE in this dialog
 * @param lastState    what the last NOTIFY said (presence: basic status and the publication it came from; reg: version)
 * @param version      reginfo version of the last NOTIFY (reg package; RFC 3680 section 5.4), -1 before the first
 * @param notifiesSent NOTIFYs sent so far
 * @param terminating  a final NOTIFY is on its way; nothing else is sent
 * @param proven       the watcher has shown it receives what is sent to {@link #remote}: it came over TCP or WebSocket,
 *                     passed digest authentication, answered a NOTIFY with 2xx, or refreshed the dialog with our To-tag.
 *                     Until then (a UDP SUBSCRIBE may have a forged source) it gets no state (issue 13, docs/security.md)
 */
record Subscription(String id, String event, String resource, String localUri, String watcherUri, String callId,
        String remoteTag, String remoteTarget, List<String> routeSet, String eventId, String transport,
        InetSocketAddress remote, Instant expires, long cseq, long remoteCseq, String lastState, long version,
        long notifiesSent, boolean terminating, boolean proven) {

    static final String PRESENCE = "presence";
    static final String REG = "reg";
    static final String EVERYTHING = "*";

    Subscription {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(resource, "resource");
        routeSet = List.copyOf(routeSet);
        lastState = lastState == null ? "" : lastState;
    }

    /** Whether this subscription is for the given SUBSCRIBE dialog (RFC 3261 12: Call-ID, local and remote tag). */
    boolean matches(String callIdOfRequest, String fromTag) {
        return callId.equals(callIdOfRequest) && Objects.equals(remoteTag, fromTag);
    }

    boolean watches(String uuid) {
        return resource.equals(uuid) || resource.equals(EVERYTHING);
    }

    long expiresIn(Instant now) {
        return Math.max(0, Duration.between(now, expires).toSeconds());
    }

    Subscription refreshed(Instant newExpires, long subscribeCseq, String target, String newTransport, InetSocketAddress source) {
        return new Subscription(id, event, resource, localUri, watcherUri, callId, remoteTag, target, routeSet, eventId,
                newTransport, source, newExpires, cseq, subscribeCseq, lastState, version, notifiesSent, false, proven);
    }

    /** The watcher proved its address. */
    Subscription proved() {
        return new Subscription(id, event, resource, localUri, watcherUri, callId, remoteTag, remoteTarget, routeSet, eventId,
                transport, remote, expires, cseq, remoteCseq, lastState, version, notifiesSent, terminating, true);
    }

    /** After a NOTIFY with this CSeq, saying {@code state}. */
    Subscription notified(long notifyCseq, String state, long newVersion) {
        return new Subscription(id, event, resource, localUri, watcherUri, callId, remoteTag, remoteTarget, routeSet, eventId,
                transport, remote, expires, notifyCseq, remoteCseq, state, newVersion, notifiesSent + 1, terminating, proven);
    }

    Subscription ending() {
        return new Subscription(id, event, resource, localUri, watcherUri, callId, remoteTag, remoteTarget, routeSet, eventId,
                transport, remote, expires, cseq, remoteCseq, lastState, version, notifiesSent, true, proven);
    }
}
