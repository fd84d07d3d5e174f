package org.screamrouter.sip.client.internal;

import java.net.DatagramSocket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.client.Content;
import org.screamrouter.sip.client.Credentials;
import org.screamrouter.sip.client.ManagedRegistration;
import org.screamrouter.sip.client.Notification;
import org.screamrouter.sip.client.Registration;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.client.SipRejectedException;
import org.screamrouter.sip.client.SipReply;
import org.screamrouter.sip.client.Subscription;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipHeaders;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipSender;
import org.screamrouter.sip.stack.SipTimeoutException;
import org.screamrouter.sip.stack.SipTransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client over any stack: builds requests with the stack's {@link SipMessages}, sends them through its
 * {@link SipSender} to a {@link Flow}, answers digest challenges, and routes NOTIFYs to subscriptions.
 * Results continue on the client's {@link Scheduler}, never on the stack's threads.
 */
public final class ClientCore implements SipClient {
    private static final Logger LOG = LoggerFactory.getLogger(ClientCore.class);
    /** Challenges answered in one request series before giving up (stale nonces included). */
    private static final int MAX_CHALLENGES = 3;

    private final SipSender sender;
    private final SipMessages messages;
    private final Supplier<List<ListeningPoint>> listeningPoints;
    private final Scheduler scheduler;
    private volatile Duration defaultTimeout;
    private final Map<String, SubscriptionImpl> subscriptions = new ConcurrentHashMap<>();
    private final java.util.Set<CompletableFuture<Response>> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ClientCore(SipSender sender, SipMessages messages, Supplier<List<ListeningPoint>> listeningPoints,
               Scheduler scheduler, Duration defaultTimeout) {
        this.sender = sender;
        this.messages = messages;
        this.listeningPoints = listeningPoints;
        this.scheduler = scheduler;
        this.defaultTimeout = defaultTimeout;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public Duration defaultTimeout() {
        return defaultTimeout;
    }

    void defaultTimeout(Duration timeout) {
        this.defaultTimeout = timeout;
    }

    /** Stops refreshing subscriptions, fails what is in flight; sends nothing more. */
    void close() {
        closed = true;
        for (CompletableFuture<Response> f : inFlight) {
            f.completeExceptionally(new SipTransportException("the SIP client was closed", null));
        }
        subscriptions.values().forEach(SubscriptionImpl::stop);
        subscriptions.clear();
    }

    // sending

    @Override
    public CompletionStage<SipReply> send(Request request, Flow target, Duration timeout) {
        return transmit(request, target, timeout).thenApply(SipReply::of);
    }

    @Override
    public CompletionStage<SipReply> send(String rawRequest, Flow target, Duration timeout) {
        Request request;
        try {
            request = messages.messages().createRequest(rawRequest);
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a SIP request: " + e.getMessage(), e);
        }
        return send(request, target, timeout);
    }

    /** One client transaction; completes on the scheduler. */
    CompletionStage<Response> transmit(Request request, Flow target, Duration timeout) {
        if (closed) {
            return CompletableFuture.failedFuture(new SipTransportException("the client is closed", null));
        }
        LOG.debug("{} {} to {}", request.getMethod(), request.getRequestURI(), target);
        CompletionStage<Response> sent;
        try {
            sent = sender.send(request, target, timeout);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(new SipTransportException("cannot send " + request.getMethod() + ": " + e, e));
        }
        CompletableFuture<Response> out = new CompletableFuture<>();
        inFlight.add(out);
        out.whenComplete((r, e) -> inFlight.remove(out));
        // the stack has its own deadline; this one holds when the stack goes away with the request in flight
        Runnable backstop = scheduler.schedule(() -> out.completeExceptionally(new SipTimeoutException(
                "no final response to " + request.getMethod() + " from " + target + " within " + timeout.toMillis() + " ms")),
                timeout.plusSeconds(2));
        sent.whenComplete((response, failure) -> scheduler.execute(() -> {
            backstop.run();
            if (failure != null) out.completeExceptionally(unwrap(failure));
            else out.complete(response);
        }));
        return out;
    }

    /** The final response of a request series, and the request that got it (for its CSeq). */
    record Outcome(Request request, Response response) {}

    /**
     * Sends and answers digest challenges. A challenge after credentials answering a challenge of this
     * series fails the series (returned as is), unless it says {@code stale=true}.
     */
    CompletionStage<Outcome> authenticated(Request request, Flow target, Duration timeout, DigestSession digest) {
        try {
            if (digest != null) digest.authorize(request, messages.headers());
        } catch (ParseException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("cannot build credentials: " + e.getMessage(), e));
        }
        return attempt(request, target, timeout, digest, 0, false);
    }

    private CompletionStage<Outcome> attempt(Request request, Flow target, Duration timeout, DigestSession digest,
                                             int challenges, boolean answeredFresh) {
        return transmit(request, target, timeout).thenCompose(response -> {
            int status = response.getStatusCode();
            if ((status == 401 || status == 407) && digest != null && challenges < MAX_CHALLENGES) {
                var chosen = DigestResponder.choose(Challenge.of(response), digest.credentials());
                if (chosen.isPresent() && (!answeredFresh || chosen.get().stale())) {
                    LOG.debug("{} challenged by {} ({}{}), answering", request.getMethod(), target,
                            chosen.get().algorithm().token(), chosen.get().stale() ? ", stale nonce" : "");
                    digest.challenged(chosen.get());
                    try {
                        Request next = nextInSeries(request);
                        digest.authorize(next, messages.headers());
                        return attempt(next, target, timeout, digest, challenges + 1, true);
                    } catch (ParseException | InvalidArgumentException e) {
                        return CompletableFuture.failedFuture(e);
                    }
                }
            }
            return CompletableFuture.completedFuture(new Outcome(request, response));
        });
    }

    /** A copy of a sent request for the next transaction of its series: new branch, CSeq + 1. */
    Request nextInSeries(Request sent) throws InvalidArgumentException {
        Request next = (Request) sent.clone();
        next.removeHeader(ViaHeader.NAME);
        CSeqHeader cseq = (CSeqHeader) next.getHeader(CSeqHeader.NAME);
        cseq.setSeqNumber(cseq.getSeqNumber() + 1);
        return next;
    }

    // REGISTER

    @Override
    public CompletionStage<Registration> register(Flow registrar, String addressOfRecord, String contact, int expires,
                                                  Credentials credentials, Content content) {
        RegistrationImpl.Series series;
        Request request;
        try {
            series = new RegistrationImpl.Series(registrar, addressOfRecord, contact, UUID.randomUUID().toString(),
                    tag(), credentials == null ? null : new DigestSession(credentials), content);
            request = registerRequest(series, 1, expires);
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalArgumentException("cannot build REGISTER: " + e.getMessage(), e);
        }
        return registerSeries(series, request, expires, true);
    }

    @Override
    public CompletionStage<Registration> refresh(Registration registration, int expires) {
        RegistrationImpl r = (RegistrationImpl) registration;
        Request request;
        try {
            request = registerRequest(r.series(), r.nextCSeq(), expires);
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalArgumentException("cannot build REGISTER: " + e.getMessage(), e);
        }
        return registerSeries(r.series(), request, expires, true);
    }

    @Override
    public CompletionStage<SipReply> unregister(Registration registration) {
        RegistrationImpl r = (RegistrationImpl) registration;
        Request request;
        try {
            request = registerRequest(r.series(), r.nextCSeq(), 0);
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalArgumentException("cannot build REGISTER: " + e.getMessage(), e);
        }
        return authenticated(request, r.registrar(), defaultTimeout, r.series().digest()).thenApply(outcome -> {
            r.series().lastCSeq(cseqOf(outcome.request()));
            SipReply reply = SipReply.of(outcome.response());
            LOG.info("unregistered {} at {}: {}", r.contact(), r.registrar(), reply);
            return reply;
        });
    }

    private CompletionStage<Registration> registerSeries(RegistrationImpl.Series series, Request request, int expires,
                                                        boolean mayRaise) {
        return authenticated(request, series.registrar(), defaultTimeout, series.digest()).thenCompose(outcome -> {
            series.lastCSeq(cseqOf(outcome.request()));
            Response response = outcome.response();
            SipReply reply = SipReply.of(response);
            if (response.getStatusCode() == Response.INTERVAL_TOO_BRIEF && mayRaise
                    && response.getHeader(MinExpiresHeader.NAME) instanceof MinExpiresHeader min && min.getExpires() > expires) {
                try {
                    return registerSeries(series, registerRequest(series, series.lastCSeq() + 1, min.getExpires()), min.getExpires(), false);
                } catch (ParseException | InvalidArgumentException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }
            if (!reply.isSuccess()) {
                return CompletableFuture.failedFuture(new SipRejectedException(
                        "REGISTER " + series.contact() + " at " + series.registrar(), reply));
            }
            List<String> contacts = new ArrayList<>();
            int granted = grantedExpires(response, series.contact(), expires, contacts);
            LOG.debug("registered {} for {} s at {}", series.contact(), granted, series.registrar());
            return CompletableFuture.completedFuture(new RegistrationImpl(series, granted, List.copyOf(contacts), reply));
        });
    }

    private static long cseqOf(Request request) {
        return ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
    }

    /** The expiry granted to our contact: its {@code expires} parameter, else the Expires header, else the request's. */
    private int grantedExpires(Response response, String contact, int requested, List<String> contacts) {
        URI ours;
        try {
            ours = messages.addresses().createAddress(contact).getURI();
        } catch (ParseException e) {
            ours = null;
        }
        int granted = -1;
        for (ListIterator<?> it = response.getHeaders(ContactHeader.NAME); it.hasNext(); ) {
            ContactHeader c = (ContactHeader) it.next();
            contacts.add(SipHeaders.value(c));
            if (ours != null && c.getAddress() != null && ours.equals(c.getAddress().getURI()) && c.getExpires() >= 0) {
                granted = c.getExpires();
            }
        }
        if (granted < 0 && response.getHeader(ExpiresHeader.NAME) instanceof ExpiresHeader e) {
            granted = e.getExpires();
        }
        return granted < 0 ? requested : granted;
    }

    private Request registerRequest(RegistrationImpl.Series s, long cseq, int expires)
            throws ParseException, InvalidArgumentException {
        Address aor = messages.addresses().createAddress(s.addressOfRecord());
        if (!(aor.getURI() instanceof SipURI sip)) {
            throw new ParseException("the address-of-record is not a sip: URI: " + s.addressOfRecord(), 0);
        }
        SipURI domain = messages.addresses().createSipURI(null, sip.getHost());
        if (sip.getPort() > 0) domain.setPort(sip.getPort());
        if (sip.isSecure()) domain.setSecure(true);
        Request request = request(domain, Request.REGISTER, s.callId(), cseq, aor, s.fromTag(), aor, null);
        request.addHeader(messages.headers().createContactHeader(messages.addresses().createAddress(s.contact())));
        request.addHeader(messages.headers().createExpiresHeader(expires));
        if (s.content() != null && expires > 0) body(request, s.content().text(), s.content().type());
        return request;
    }

    @Override
    public ManagedRegistration manage(Flow registrar, String addressOfRecord, String contact, int expires, Credentials credentials,
                                      Content content) {
        ManagedRegistrationImpl managed = new ManagedRegistrationImpl(
                previous -> previous == null
                        ? register(registrar, addressOfRecord, contact, expires, credentials, content)
                        : refresh(previous, expires),
                this::unregister, scheduler, registrar + " " + contact);
        managed.start();
        return managed;
    }

    // OPTIONS, MESSAGE, PUBLISH

    @Override
    public CompletionStage<SipReply> options(Flow target, String requestUri, String from, Duration timeout) {
        try {
            Request r = outOfDialog(target, requestUri, Request.OPTIONS, from);
            r.addHeader(messages.headers().createAcceptHeader("application", "sdp"));
            return send(r, target, timeout);
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalArgumentException("cannot build OPTIONS: " + e.getMessage(), e);
        }
    }

    @Override
    public CompletionStage<SipReply> message(Flow target, String requestUri, String body, String contentType) {
        try {
            Request r = outOfDialog(target, requestUri, Request.MESSAGE, null);
            body(r, body, contentType);
            return send(r, target, defaultTimeout);
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalArgumentException("cannot build MESSAGE: " + e.getMessage(), e);
        }
    }

    @Override
    public CompletionStage<SipReply> publish(Flow target, String requestUri, String event, int expires, String entityTag,
                                             String body, String contentType) {
        try {
            Request r = outOfDialog(target, requestUri, Request.PUBLISH, null);
            r.addHeader(messages.headers().createEventHeader(event));
            r.addHeader(messages.headers().createExpiresHeader(expires));
            if (entityTag != null) r.addHeader(messages.headers().createSIPIfMatchHeader(entityTag));
            if (body != null) body(r, body, contentType);
            return send(r, target, defaultTimeout);
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalArgumentException("cannot build PUBLISH: " + e.getMessage(), e);
        }
    }

    private void body(Request r, String body, String contentType) throws ParseException {
        int slash = contentType.indexOf('/');
        if (slash <= 0) throw new ParseException("content type is type/subtype: " + contentType, 0);
        ContentTypeHeader ct = messages.headers().createContentTypeHeader(contentType.substring(0, slash).trim(),
                contentType.substring(slash + 1).trim());
        r.setContent(body.getBytes(StandardCharsets.UTF_8), ct);
    }

    private Request outOfDialog(Flow target, String requestUri, String method, String from)
            throws ParseException, InvalidArgumentException {
        URI uri = messages.addresses().createURI(requestUri);
        Address fromAddress = messages.addresses().createAddress(from != null ? from : "sip:client@" + localHost(target));
        return request(uri, method, UUID.randomUUID().toString(), 1, fromAddress, tag(),
                messages.addresses().createAddress(uri), null);
    }

    Request request(URI requestUri, String method, String callId, long cseq, Address from, String fromTag, Address to,
                    String toTag) throws ParseException, InvalidArgumentException {
        FromHeader fromHeader = messages.headers().createFromHeader(from, fromTag);
        ToHeader toHeader = messages.headers().createToHeader(to, toTag);
        CallIdHeader callIdHeader = messages.headers().createCallIdHeader(callId);
        CSeqHeader cseqHeader = messages.headers().createCSeqHeader(cseq, method);
        MaxForwardsHeader maxForwards = messages.headers().createMaxForwardsHeader(70);
        return messages.messages().createRequest(requestUri, method, callIdHeader, cseqHeader, fromHeader, toHeader,
                new ArrayList<ViaHeader>(), maxForwards);
    }

    static String tag() {
        return SipHeaders.newTag();
    }

    /**
     * Our address and port as the peer of {@code target} reaches us, for Contact and From: the listening
     * point of the flow's transport, with the local address that routes to the peer when it listens on every
     * interface.
     */
    String localHost(Flow target) {
        ListeningPoint lp = listeningPoints.get().stream().filter(p -> p.transport().equals(target.transport()))
                .findFirst().orElse(null);
        if (lp == null) {
            return target.remote().getAddress().isLoopbackAddress() ? "127.0.0.1" : "0.0.0.0";
        }
        String address = lp.address();
        if ("0.0.0.0".equals(address) || "::".equals(address)) {
            try (DatagramSocket probe = new DatagramSocket()) {
                probe.connect(target.remote().getAddress(), 9);
                address = probe.getLocalAddress().getHostAddress();
            } catch (SocketException e) {
                address = "127.0.0.1";
            }
        }
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + lp.port();
    }

    // SUBSCRIBE / NOTIFY

    @Override
    public CompletionStage<Subscription> subscribe(Flow target, String requestUri, String event, int expires,
                                                   Subscription.Listener listener) {
        SubscriptionImpl s;
        Request request;
        try {
            URI uri = messages.addresses().createURI(requestUri);
            String host = localHost(target);
            Address from = messages.addresses().createAddress("sip:client@" + host);
            s = new SubscriptionImpl(this, target, uri, from, messages.addresses().createAddress(uri), event,
                    UUID.randomUUID().toString(), tag(), listener,
                    messages.addresses().createAddress("sip:client@" + host
                            + (target.transport().equals("udp") ? "" : ";transport=" + target.transport())));
            request = s.subscribeRequest(expires);
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalArgumentException("cannot build SUBSCRIBE: " + e.getMessage(), e);
        }
        subscriptions.put(s.key(), s);
        return s.start(request, expires).whenComplete((ok, failure) -> {
            if (failure != null) subscriptions.remove(s.key());
        });
    }

    SipMessages messages() {
        return messages;
    }

    void forget(SubscriptionImpl s) {
        subscriptions.remove(s.key());
    }

    boolean closed() {
        return closed;
    }

    /**
     * A NOTIFY from the stack (its thread): answered at once, 200 for a subscription of ours and 481 for
     * any other (RFC 6665 4.1.3), then delivered on the scheduler.
     */
    public void handleNotify(SipExchange exchange) {
        Request notify = exchange.request();
        CallIdHeader callId = (CallIdHeader) notify.getHeader(CallIdHeader.NAME);
        ToHeader to = (ToHeader) notify.getHeader(ToHeader.NAME);
        SubscriptionImpl s = callId == null || to == null ? null : subscriptions.get(SubscriptionImpl.key(callId.getCallId(), to.getTag()));
        if (s == null) {
            LOG.debug("NOTIFY of no subscription ({}) from {}: 481", callId == null ? null : callId.getCallId(), exchange.flow());
            exchange.respond(481, "Subscription Does Not Exist");
            return;
        }
        EventHeader event = (EventHeader) notify.getHeader(EventHeader.NAME);
        if (event == null || !event.getEventType().equalsIgnoreCase(s.event())) {
            exchange.respond(489, "Bad Event");
            return;
        }
        SubscriptionStateHeader state = (SubscriptionStateHeader) notify.getHeader(SubscriptionStateHeader.NAME);
        if (state == null) {
            exchange.respond(400, "Missing Subscription-State");
            return;
        }
        exchange.respond(200, "OK");
        LOG.debug("NOTIFY {} of {} subscription {}", state.getState(), s.event(), s.callId());
        ContentTypeHeader ct = (ContentTypeHeader) notify.getHeader(ContentTypeHeader.NAME);
        byte[] body = notify.getRawContent();
        Notification n = new Notification(state.getState(), state.getExpires(), state.getReasonCode(),
                ct == null ? null : ct.getContentType() + "/" + ct.getContentSubType(),
                body == null ? new byte[0] : body.clone(), notify);
        ContactHeader contact = (ContactHeader) notify.getHeader(ContactHeader.NAME);
        FromHeader from = (FromHeader) notify.getHeader(FromHeader.NAME);
        scheduler.execute(() -> s.notified(n, from == null ? null : from.getTag(), contact == null ? null : contact.getAddress().getURI()));
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
        return t;
    }
}
