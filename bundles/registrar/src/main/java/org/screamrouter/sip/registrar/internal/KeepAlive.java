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
    /** online devices by their last ping (DueTimes) */
    private final DueTimes pings = new DueTimes();

    KeepAlive(DeviceBook book, java.util.function.Supplier<SipClient> client, Clock clock) {
        this.book = book;
        this.client = client;
        this.clock = clock;
    }

    /**
     * One tick (every second): ping who is due, then take silent or expired devices offline. Visits only the devices
     * whose last ping is filed up to one interval ago ({@link DueTimes}), not every online device (issue 15).
     */
    void tick(Duration interval, Duration offlineTimeout, String domain) {
        Instant now = clock.instant();
        Instant dueBy = now.minus(interval);
        Duration timeout = interval.compareTo(Duration.ofSeconds(5)) < 0 ? interval : Duration.ofSeconds(5);
        // a device that just came online proved it is alive: its first ping is one interval after its last sign of life
        book.drainCameOnline(uuid -> book.device(uuid).filter(Device::online).ifPresent(d -> {
            lastPing.put(uuid, d.lastSeen());
            pings.at(uuid, d.lastSeen());
        }));
        for (String uuid : pings.upTo(dueBy)) {
            Device d = book.device(uuid).filter(Device::online).orElse(null);
            Instant last = lastPing.get(uuid);
            if (d == null || last == null) {
                continue; // offline or forgotten: filed anew when it comes online
            }
            if (last.isAfter(dueBy)) {
                pings.at(uuid, last); // filed earlier than its last ping
                continue;
            }
            lastPing.put(uuid, now);
            pings.at(uuid, now);
            ping(d, domain, timeout);
        }
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
