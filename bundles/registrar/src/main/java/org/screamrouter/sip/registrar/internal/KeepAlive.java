package org.screamrouter.sip.registrar.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.client.SipReply;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.PingResult;
import org.screamrouter.sip.stack.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps devices honest: pings every online device with OPTIONS at the configured interval, on the flow its
 * REGISTER came from (RFC 5626 flow, never a host from its Contact) through the {@link SipClient}, and
 * takes a device offline after the configured silence or when its binding expires. Runs on the registrar's
 * own executor; answers complete on the client's executor and only touch the {@link DeviceBook}.
 */
final class KeepAlive {
    private static final Logger LOG = LoggerFactory.getLogger(KeepAlive.class);

    private final DeviceBook book;
    /** The client service: dynamic, so a client update does not restart the registrar (null while it is away). */
    private final java.util.function.Supplier<SipClient> client;
    private final Clock clock;
    /** uuid -> when it was last pinged, to spread pings over the interval */
    private final Map<String, Instant> lastPing = new ConcurrentHashMap<>();

    KeepAlive(DeviceBook book, java.util.function.Supplier<SipClient> client, Clock clock) {
        this.book = book;
        this.client = client;
        this.clock = clock;
    }

    /**
     * One tick (every second): ping who is due, then take silent or expired devices offline. Two passes over the
     * online devices without a list or an {@code Instant} per device (issue 15: at 50,000 devices the tick's streams
     * and copies were a large share of the CPU under load).
     */
    void tick(Duration interval, Duration offlineTimeout, String domain) {
        Instant now = clock.instant();
        Instant dueBy = now.minus(interval);
        Duration timeout = interval.compareTo(Duration.ofSeconds(5)) < 0 ? interval : Duration.ofSeconds(5);
        book.forEachOnline(d -> {
            // a device that just registered proved it is alive: its first ping is one interval later
            Instant last = lastPing.get(d.uuid());
            if (last == null) {
                Instant earlier = lastPing.putIfAbsent(d.uuid(), d.lastSeen());
                last = earlier != null ? earlier : d.lastSeen();
            }
            if (!last.isAfter(dueBy)) {
                lastPing.put(d.uuid(), now);
                ping(d, domain, timeout);
            }
        });
        for (String uuid : book.silentOrExpired(now, offlineTimeout)) {
            lastPing.remove(uuid);
            book.offline(uuid, "no sign of life for " + offlineTimeout.toSeconds() + " s or binding expired");
        }
    }

    /**
     * OPTIONS to the device's flow through the {@link SipClient}; any answer is a sign of life. The
     * Request-URI is the device's Contact, which is never resolved: the request goes to the flow.
     */
    CompletionStage<PingResult> ping(Device d, String domain, Duration timeout) {
        Instant start = clock.instant();
        long t0 = System.nanoTime();
        CompletionStage<SipReply> answer;
        SipClient now = client.get();
        if (now == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("cannot ping " + d.uuid()
                    + ": the SIP client is away (bundle being updated or stopped)"));
        }
        try {
            answer = now.options(new Flow(d.transport(), d.source()), d.contactUri(), "sip:screamrouter@" + domain, timeout);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("cannot ping " + d.uuid() + ": " + e.getMessage(), e));
        }
        return answer.thenApply(reply -> {
            book.seen(d.uuid(), clock.instant());
            return new PingResult(reply.status(), reply.reason(), Duration.ofNanos(System.nanoTime() - t0));
        }).whenComplete((r, e) -> {
            if (e != null) LOG.debug("ping of {} at {} since {}: {}", d.uuid(), d.source(), start, e.toString());
        });
    }

    void forget(String uuid) {
        lastPing.remove(uuid);
    }
}
