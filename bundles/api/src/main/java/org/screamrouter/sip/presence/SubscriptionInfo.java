package org.screamrouter.sip.presence;

import java.time.Instant;

/**
 * One subscription (RFC 6665 section 4) as the server holds it.
 *
 * @param id          the server's handle of the subscription (also its dialog's local tag)
 * @param watcher     the subscriber's URI (its From)
 * @param resource    what is watched: a device UUID, or {@code *} for every registration ({@code reg} package)
 * @param event       the event package: {@code presence} or {@code reg}
 * @param flow        where NOTIFYs go: the flow the SUBSCRIBE came on ({@code udp:127.0.0.1:5070})
 * @param state       the last state sent: {@code open}/{@code closed} for presence, the reginfo version for reg
 * @param expires     absolute expiry
 * @param notifiesSent NOTIFY requests sent so far
 */
public record SubscriptionInfo(String id, String watcher, String resource, String event, String flow, String state,
        Instant expires, long notifiesSent) {
}
