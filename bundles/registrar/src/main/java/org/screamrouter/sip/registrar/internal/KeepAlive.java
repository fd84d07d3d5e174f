package org.screamrouter.sip.registrar.internal;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.PingResult;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps devices honest: pings every online device with OPTIONS at the configured interval, on the flow its
 * REGISTER came from (RFC 5626 flow, never a host from its Contact), and takes a device offline after the
 * configured silence or when its binding expires. Runs on the registrar's own executor; answers complete
 * on the stack's threads and only touch the {@link DeviceBook}.
 */
final class KeepAlive {
    private static final Logger LOG = LoggerFactory.getLogger(KeepAlive.class);

    private final DeviceBook book;
    private final SipSender sender;
    private final SipMessages messages;
    private final Clock clock;
    /** uuid -> when it was last pinged, to spread pings over the interval */
    private final Map<String, Instant> lastPing = new ConcurrentHashMap<>();

    KeepAlive(DeviceBook book, SipSender sender, SipMessages messages, Clock clock) {
        this.book = book;
        this.sender = sender;
        this.messages = messages;
        this.clock = clock;
    }

    /** One tick (every second): ping who is due, then take silent or expired devices offline. */
    void tick(Duration interval, Duration offlineTimeout, String domain) {
        Instant now = clock.instant();
        for (Device d : book.online()) {
            // a device that just registered proved it is alive: its first ping is one interval later
            Instant last = lastPing.computeIfAbsent(d.uuid(), u -> d.lastSeen());
            if (!last.plus(interval).isAfter(now)) {
                lastPing.put(d.uuid(), now);
                ping(d, domain, interval.compareTo(Duration.ofSeconds(5)) < 0 ? interval : Duration.ofSeconds(5));
            }
        }
        for (String uuid : book.silentOrExpired(now, offlineTimeout)) {
            lastPing.remove(uuid);
            book.offline(uuid, "no sign of life for " + offlineTimeout.toSeconds() + " s or binding expired");
        }
    }

    /** OPTIONS to the device's flow; any answer is a sign of life. */
    CompletionStage<PingResult> ping(Device d, String domain, Duration timeout) {
        Instant start = clock.instant();
        long t0 = System.nanoTime();
        Request options;
        try {
            options = options(d, domain);
        } catch (ParseException | javax.sip.InvalidArgumentException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("cannot ping " + d.uuid() + ": " + e.getMessage(), e));
        }
        return sender.send(options, new Flow(d.transport(), d.source()), timeout).thenApply(response -> {
            book.seen(d.uuid(), clock.instant());
            return new PingResult(response.getStatusCode(), response.getReasonPhrase(), Duration.ofNanos(System.nanoTime() - t0));
        }).whenComplete((r, e) -> {
            if (e != null) LOG.debug("ping of {} at {} since {}: {}", d.uuid(), d.source(), start, e.toString());
        });
    }

    private Request options(Device d, String domain) throws ParseException, javax.sip.InvalidArgumentException {
        URI target = messages.addresses().createURI(d.contactUri());
        Address server = messages.addresses().createAddress("sip:screamrouter@" + domain);
        FromHeader from = messages.headers().createFromHeader(server, UUID.randomUUID().toString().substring(0, 8));
        ToHeader to = messages.headers().createToHeader(messages.addresses().createAddress(target), null);
        CallIdHeader callId = messages.headers().createCallIdHeader(UUID.randomUUID().toString());
        CSeqHeader cseq = messages.headers().createCSeqHeader(1L, Request.OPTIONS);
        MaxForwardsHeader maxForwards = messages.headers().createMaxForwardsHeader(70);
        return messages.messages().createRequest(target, Request.OPTIONS, callId, cseq, from, to, List.<ViaHeader>of(), maxForwards);
    }

    void forget(String uuid) {
        lastPing.remove(uuid);
    }
}
