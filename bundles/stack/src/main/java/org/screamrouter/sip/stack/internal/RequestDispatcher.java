package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.text.ParseException;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.SipResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack's listener: sends each request to the handler registered for its method (405 with
 * {@code Allow} when none; held, then 503, while the handler of a method served before is away: {@link HeldRequests}), turns handler failures into 500 and malformed requests into 400 (RFC 3261
 * 8.2), answers retransmissions of statelessly answered requests from the {@link ResponseCache}, and
 * hands responses and timeouts of client transactions to the {@link RequestSender}.
 */
final class RequestDispatcher implements SipListener {
    /** How long a listed handler whose service object SCR cannot give yet is asked again ({@link #obtain}). */
    static final long OBTAIN_WAIT_MS = 2000;
    private static final long OBTAIN_RETRY_MS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(RequestDispatcher.class);
    /** Methods the stack itself never answers (RFC 3261 17.1.1.3: ACK gets no response). */
    private static final Set<String> NO_ANSWER = Set.of(Request.ACK);
    /**
     * Methods whose answer is made again for a retransmission rather than kept (RFC 3261 8.2.7, as a stateless UAS):
     * the same request gets the same answer, To tag included ({@link ResponseTags}). OPTIONS, the keep-alive most
     * devices send: at the rates of issue 15, 32 s of kept answers were most of the server's long-lived allocation.
     */
    private static final Set<String> ANSWERED_AGAIN = Set.of(Request.OPTIONS);

    /** Whether a final answer over UDP to a request of this method is kept for its retransmissions. */
    private static boolean answerKept(String method) {
        return !ANSWERED_AGAIN.contains(method);
    }

    /**
     * Methods this server knows of (RFC 3261 and the extensions that define methods): one of these without a
     * handler is 405 Method Not Allowed; any other is 501 Not Implemented (RFC 3261 8.2.1, RFC 4475 3.1.1.2).
     */
    static final Set<String> KNOWN_METHODS = Set.of(Request.INVITE, Request.ACK, Request.BYE, Request.CANCEL, Request.OPTIONS,
            Request.REGISTER, Request.PRACK, Request.SUBSCRIBE, Request.NOTIFY, Request.PUBLISH, Request.INFO, Request.REFER,
            Request.MESSAGE, Request.UPDATE);

    private final HandlerRegistry handlers;
    private final MessageSupport messages;
    private final ResponseCache cache;
    private final Counters counters;
    private final RequestSender sender;
    private volatile SipProvider provider;

    private final SourceRates rates;
    private final HeldRequests held;
    private final java.util.concurrent.Executor resumer;
    /** One WARN line a second at most for the 503s of an away handler, with how many there were. */
    private final OccasionalWarning unavailableLog = new OccasionalWarning(LOG, java.time.Duration.ofSeconds(1),
            "503 to {} from {}: {} ({} such answers since the last line)");
    /** Cache keys of the requests the listener is handling now, to absorb copies that come meanwhile. */
    private final Set<String> inProgress = java.util.concurrent.ConcurrentHashMap.newKeySet();

    RequestDispatcher(HandlerRegistry handlers, MessageSupport messages, ResponseCache cache, Counters counters, RequestSender sender,
            SourceRates rates, HeldRequests held, java.util.concurrent.Executor resumer) {
        this.rates = rates;
        this.held = held;
        this.resumer = resumer;
        this.handlers = handlers;
        this.messages = messages;
        this.cache = cache;
        this.counters = counters;
        this.sender = sender;
    }

    void provider(SipProvider provider) {
        this.provider = provider;
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod();
        // a counter per name a peer makes up would grow without bound: methods no one knows count as one
        counters.request(KNOWN_METHODS.contains(method) || handlers.handlerFor(method) != null ? method : Counters.OTHER_METHOD);
        Flow flow;
        try {
            flow = flowOf(request);
        } catch (IOException e) {
            LOG.warn("dropping {}: cannot tell where it came from ({})", method, e.getMessage());
            counters.increment("errors.no-flow");
            return;
        }
        String key = NO_ANSWER.contains(method) || Request.CANCEL.equals(method) ? null : ResponseCache.key(request, flow);
        Exchange exchange = new Exchange(this, request, flow, event.getServerTransaction(), key);
        // nothing is kept for a method answered again: its key is never looked up (a probe of the kept answers' table,
        // under its lock, at every keep-alive)
        boolean kept = key != null && answerKept(method);
        ResponseCache.Cached earlier = kept ? cache.lookup(key, System.nanoTime()) : null;
        if (earlier != null) {
            counters.increment("retransmissions");
            resend(exchange, earlier);
            return;
        }
        if (held.resuming(key)) {
            // a copy of a held request that is being handed to its returned handler: the original will be answered
            counters.increment("held.retransmissions");
            return;
        }
        if (key != null && !inProgress.add(key)) {
            // a copy of a request the listener is handling right now (RFC 3261 17.2.2 absorbs it; JAIN-SIP's pending
            // table did for requests with a transaction, StatelessRequests have none): the original will be answered
            counters.increment("retransmissions.in-progress");
            return;
        }
        try {
            earlier = kept ? cache.lookup(key, System.nanoTime()) : null;
            if (earlier != null) {
                // answered between the lookup above and now
                counters.increment("retransmissions");
                resend(exchange, earlier);
                return;
            }
            admitted(exchange);
        } finally {
            release(exchange);
        }
    }

    /**
     * Copies of the exchange's request are no longer absorbed as copies of a request in progress: its final answer is
     * going out (a copy then finds the kept answer, or, for {@link #ANSWERED_AGAIN}, is answered again), or its handling
     * ended. Once per exchange, so that it never frees the mark of a later copy.
     */
    private void release(Exchange exchange) {
        if (exchange.cacheKey() != null && exchange.releaseInProgress()) {
            inProgress.remove(exchange.cacheKey());
        }
    }

    /** After the retransmission checks: the rate limit, the RFC 3261 8.2 checks, then the handler. */
    private void admitted(Exchange exchange) {
        Request request = exchange.request();
        String method = request.getMethod();
        Flow flow = exchange.flow();
        switch (rates.admit(flow.remote().getAddress(), System.nanoTime())) {
            case ADMIT -> { }
            case THROTTLE -> {
                counters.increment("throttled");
                if (!NO_ANSWER.contains(method)) {
                    send(exchange, SipResponses.serviceUnavailable(exchange, messages.headers(), "Service Unavailable (more than "
                            + rates.limits().perSecond() + " requests a second from " + flow.remote().getAddress().getHostAddress() + ")", 1));
                }
                return;
            }
            case DROP -> {
                counters.increment("dropped.rate");
                return;
            }
        }
        String fault = malformation(request);
        if (fault != null) {
            LOG.debug("400 to {} from {}: {}", method, flow, fault);
            respondQuietly(exchange, Response.BAD_REQUEST, fault);
            return;
        }
        dispatch(exchange);
    }

    /** Gives an admitted, well-formed request to its method's handler, or holds it while that handler is away. */
    private void dispatch(Exchange exchange) {
        Request request = exchange.request();
        String method = request.getMethod();
        Flow flow = exchange.flow();
        LazyService<SipRequestHandler> handle = handlers.handlerFor(method);
        // away: its handler left, or the one still listed said it is closing (then it is bypassed while held)
        if (held.away(method) && (handle == null || held.holding(method, System.nanoTime()))) {
            holdOrRefuse(exchange, true);
            return;
        }
        if (NO_ANSWER.contains(method)) {
            if (handle == null) return;
        } else if (handle == null) {
            // a handler being removed right now is out of the registry a moment before its method counts as away (both
            // under the registry's lock, StackEngine.removeHandler): once that lock is free, away is settled
            boolean away;
            synchronized (handlers) {
                away = held.away(method);
            }
            if (away) {
                holdOrRefuse(exchange, true);
                return;
            }
            // RFC 3261 8.2.1: 405 for a method we know and do not serve here, 501 for one we do not know at all
            boolean known = KNOWN_METHODS.contains(method);
            Response response = createResponse(request, known ? Response.METHOD_NOT_ALLOWED : Response.NOT_IMPLEMENTED,
                    known ? null : "Not Implemented (unknown method " + method + ")");
            allow(response, handlers.methods());
            reject(exchange, response);
            return;
        } else if (!inspected(exchange, handlers.supported(method))) {
            return;
        }
        handle.enter();
        try {
            if (handlers.handlerFor(method) != handle) {
                // removed between the lookup and now: it may be deactivating, so the request waits for its successor
                dispatch(exchange);
                return;
            }
            SipRequestHandler handler = obtain(handle);
            if (handler == null) {
                unavailable(exchange, "its handler's service object could not be obtained within " + OBTAIN_WAIT_MS + " ms");
                return;
            }
            handler.handle(exchange);
        } catch (org.screamrouter.sip.stack.HandlerClosedException closing) {
            // its component is deactivating (bundle:update): the request waits for the successor like one whose handler left
            LOG.debug("{} handler is closing ({}): request from {} held", method, closing.getMessage(), flow);
            if (!exchange.answered()) {
                held.closing(method, System.nanoTime());
                holdOrRefuse(exchange, false); // held for the successor, or 503 when nothing is held (handler.wait 0, full)
            }
        } catch (Exception | LinkageError e) {
            counters.increment("errors.handler");
            LOG.error("{} handler failed on a request from {}", method, flow, e);
            if (!exchange.answered() && !NO_ANSWER.contains(method)) {
                respondQuietly(exchange, Response.SERVER_INTERNAL_ERROR,
                        "Handler Failed: " + e.getClass().getSimpleName());
            }
        } finally {
            handle.leave();
        }
    }

    /**
     * The handler's service object. Right after a stack update the stack takes requests while it is still activating,
     * and the first request makes SCR activate the handler's component, which needs the stack's own services: SCR
     * then gives no object (seen: one REGISTER in 20,000 answered 503 during hotswap-bench's stack update). The object
     * comes within moments, so it is asked again for at most {@link #OBTAIN_WAIT_MS}.
     */
    private SipRequestHandler obtain(LazyService<SipRequestHandler> handle) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(OBTAIN_WAIT_MS);
        SipRequestHandler handler = handle.get();
        while (handler == null && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(OBTAIN_RETRY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            handler = handle.get();
        }
        return handler;
    }

    /**
     * A request of a method whose handler just left (a bundle update): held until a handler is back, then handled on
     * the {@code resumer}; when the wait has run out (or the bound of held requests is reached), 503 with Retry-After.
     * When its method is no longer away (the handler came back meanwhile) it is dispatched again if {@code again}, else
     * (its handler said it is closing, and nothing is held: handler.wait 0) refused like one past the wait.
     */
    private void holdOrRefuse(Exchange exchange, boolean again) {
        String method = exchange.request().getMethod();
        HeldRequests.Outcome outcome = held.hold(method, exchange.cacheKey(), new HeldRequests.Held() {
            @Override
            public void resume() {
                counters.increment("held.resumed");
                resumer.execute(() -> {
                    try {
                        dispatch(exchange);
                    } finally {
                        held.resumed(exchange.cacheKey());
                    }
                });
            }

            @Override
            public void expire() {
                unavailable(exchange, "it was held for its handler, which did not come back in time");
            }
        }, System.nanoTime());
        switch (outcome) {
            case HELD -> counters.increment("held");
            case RETRANSMISSION -> counters.increment("held.retransmissions");
            case REFUSED -> unavailable(exchange, "its handler is away past the wait, or too many requests are held");
            case NOT_AWAY -> {
                if (again) dispatch(exchange);
                else unavailable(exchange, "its handler is closing and requests are not held (handler.wait 0)");
            }
        }
    }

    /** 503 with Retry-After for a request whose handler is away (nothing for an ACK, which gets no answer). */
    private void unavailable(Exchange exchange, String why) {
        if (NO_ANSWER.contains(exchange.request().getMethod())) return;
        unavailableLog.log(exchange.request().getMethod(), exchange.flow(), why);
        long seconds = Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(held.waitNanos()));
        reject(exchange, SipResponses.serviceUnavailable(exchange, messages.headers(), "Service Unavailable (the "
                + exchange.request().getMethod() + " handler is being replaced or was stopped)", (int) Math.min(seconds, 3600)));
    }

    /**
     * RFC 3261 8.2.2: the Request-URI's scheme (416) and the extensions the request requires (420, with an
     * Unsupported header). Answers and returns false when the request fails one. As the only hop a request reaches
     * (no proxy), Proxy-Require tags are treated as required of this server too, as RFC 4475 3.3.5 expects of an
     * element acting in both roles.
     */
    private boolean inspected(Exchange exchange, Set<String> supported) {
        Request request = exchange.request();
        String scheme = request.getRequestURI().getScheme();
        if (!"sip".equalsIgnoreCase(scheme) && !"sips".equalsIgnoreCase(scheme)) {
            reject(exchange, createResponse(request, Response.UNSUPPORTED_URI_SCHEME, "Unsupported URI Scheme (" + scheme + ")"));
            return false;
        }
        if ("sips".equalsIgnoreCase(scheme) && !org.screamrouter.sip.stack.ContactUris.secure(exchange.flow().transport())) {
            // RFC 5630: a SIPS request is carried over TLS on every hop; one that came in the clear may have been read
            // or changed on the way, so it is not served as if it were secure (a UA may retry with sip:, or over TLS)
            reject(exchange, createResponse(request, Response.UNSUPPORTED_URI_SCHEME, "Unsupported URI Scheme (sips: over "
                    + exchange.flow().transport() + "; it needs TLS, RFC 5630)"));
            return false;
        }
        java.util.List<String> unsupported = new java.util.ArrayList<>();
        for (String header : new String[] {javax.sip.header.RequireHeader.NAME, javax.sip.header.ProxyRequireHeader.NAME}) {
            for (java.util.ListIterator<?> it = request.getHeaders(header); it.hasNext(); ) {
                String tag = optionTag(it.next());
                if (tag != null && !supported.contains(tag.toLowerCase(Locale.ROOT)) && !unsupported.contains(tag)) {
                    unsupported.add(tag);
                }
            }
        }
        if (!unsupported.isEmpty()) {
            Response response = createResponse(request, Response.BAD_EXTENSION, "Bad Extension (" + String.join(", ", unsupported) + ")");
            try {
                response.setHeader(messages.headers().createUnsupportedHeader(String.join(", ", unsupported)));
            } catch (ParseException e) {
                throw new IllegalStateException("option tags are tokens: " + unsupported, e);
            }
            reject(exchange, response);
            return false;
        }
        return true;
    }

    private static String optionTag(Object header) {
        if (header instanceof javax.sip.header.OptionTag tagged) {
            return tagged.getOptionTag();
        }
        return null;
    }

    /** Sends a rejection the stack itself decided on, with one line saying why. */
    private void reject(Exchange exchange, Response response) {
        LOG.debug("{} {} to {} from {}", response.getStatusCode(), response.getReasonPhrase(), exchange.request().getMethod(), exchange.flow());
        counters.increment("rejected." + response.getStatusCode());
        send(exchange, response);
    }

    /** What RFC 3261 8.2 and 8.1.1 require of a request that JAIN-SIP's parser let through, or null. */
    static String malformation(Request request) {
        CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
        if (cseq == null) {
            return "Missing CSeq";
        }
        if (!cseq.getMethod().equalsIgnoreCase(request.getMethod())) {
            return "CSeq method " + cseq.getMethod() + " does not match request method " + request.getMethod();
        }
        if (request.getHeader(ToHeader.NAME) == null) {
            return "Missing To";
        }
        if (request.getHeader(javax.sip.header.FromHeader.NAME) == null) {
            return "Missing From";
        }
        if (request.getHeader(javax.sip.header.CallIdHeader.NAME) == null) {
            return "Missing Call-ID";
        }
        return null;
    }

    private void allow(Response response, SortedSet<String> methods) {
        try {
            response.setHeader(messages.headers().createAllowHeader(String.join(", ", methods)));
        } catch (ParseException e) {
            throw new IllegalStateException("method names are tokens: " + methods, e);
        }
    }

    Response createResponse(Request request, int status, String reason) {
        return messages.response(request, status, reason);
    }

    ServerTransaction newServerTransaction(Request request) {
        try {
            ServerTransaction tx = provider.getNewServerTransaction(request);
            if (tx instanceof gov.nist.javax.sip.stack.SIPServerTransaction st && st.getInternalState() < 0) {
                // a request that came without a transaction (StatelessRequests): JAIN-SIP makes one that never went
                // through its own processRequest, so it has no state; in Trying (RFC 3261 17.2.2) its final answer
                // moves it to Completed, where it answers the copies (ScreamSipStack sends them to it) itself
                st.setState(javax.sip.TransactionState._TRYING);
            }
            return tx;
        } catch (SipException e) {
            throw new IllegalStateException("cannot create a server transaction: " + e.getMessage(), e);
        }
    }

    /**
     * Sends a response on the flow its request came from. A final answer sent over UDP without a transaction is kept
     * ({@link ResponseCache}) as the very datagram sent, encoded once for both.
     */
    void send(Exchange exchange, Response response) {
        // a final answer releases the request's in-progress mark before it goes out (the peer may send again the moment
        // it arrives), and after the answer is kept, where it is kept, so that a copy finds one or the other
        boolean fin = response.getStatusCode() >= 200;
        try {
            ServerTransaction transaction = exchange.existingTransaction();
            if (transaction != null) {
                if (fin) release(exchange);
                transaction.sendResponse(response);
            } else if ("udp".equals(exchange.flow().transport())) {
                // RFC 3581: answer the source address and port, whatever the Via claims
                ViaHeader via = (ViaHeader) response.getHeader(ViaHeader.NAME);
                via.setReceived(exchange.flow().address());
                via.setParameter("rport", Integer.toString(exchange.flow().port()));
                // as a datagram to the packet's source, from the socket it came in on. Not SipProvider.sendResponse: it
                // opens the transport the Via names (RFC 4475 regaut01 names TCP), and refuses while any server
                // transaction has the same branch, whatever its sent-by, method or source
                MessageChannel channel = (MessageChannel) ((SIPRequest) exchange.request()).getMessageChannel();
                if (channel.getMessageProcessor() instanceof UdpIntake.Processor udp) {
                    byte[] datagram = ((SIPMessage) response).encodeAsBytes(channel.getTransport());
                    if (answerKept(exchange.request().getMethod())) {
                        // kept before it is sent: a retransmission racing the answer must find it
                        cache.remember(exchange.cacheKey(), datagram, response.getStatusCode(), System.nanoTime());
                    }
                    if (fin) release(exchange);
                    udp.send(datagram, exchange.flow().remote());
                } else {
                    // JAIN-SIP's own UDP processor (UdpIntake could not be put in): nothing kept, a copy is handled again
                    if (fin) release(exchange);
                    channel.sendMessage((SIPMessage) response, exchange.flow().remote().getAddress(), exchange.flow().port());
                }
            } else {
                // connection-oriented: the connection the request came on
                if (fin) release(exchange);
                Object channel = ((SIPRequest) exchange.request()).getMessageChannel();
                ((MessageChannel) channel).sendMessage((SIPMessage) response);
            }
            counters.response(response.getStatusCode());
        } catch (Exception e) {
            counters.increment("errors.send");
            LOG.debug("could not send {} to {} (counted as errors.send; a peer gone before its answer is routine): {}", response.getStatusCode(), exchange.flow(), e.toString());
        }
    }

    /** Answers a retransmitted request with the datagram kept for it (only UDP answers are kept). */
    private void resend(Exchange exchange, ResponseCache.Cached kept) {
        try {
            MessageChannel channel = (MessageChannel) ((SIPRequest) exchange.request()).getMessageChannel();
            ((UdpIntake.Processor) channel.getMessageProcessor()).send(kept.datagram(), exchange.flow().remote());
            counters.response(kept.status());
        } catch (IOException | RuntimeException e) {
            counters.increment("errors.send");
            LOG.debug("could not send {} again to {} (counted as errors.send): {}", kept.status(), exchange.flow(), e.toString());
        }
    }

    private void respondQuietly(Exchange exchange, int status, String reason) {
        try {
            exchange.respond(createResponse(exchange.request(), status, reason));
        } catch (RuntimeException e) {
            LOG.warn("could not answer {} with {}: {}", exchange.request().getMethod(), status, e.toString());
        }
    }

    static Flow flowOf(Request request) throws IOException {
        Object channel = request instanceof SIPRequest sip ? sip.getMessageChannel() : null;
        if (!(channel instanceof MessageChannel mc)) {
            throw new IOException("no message channel");
        }
        InetAddress source = mc.getPeerPacketSourceAddress();
        int port = mc.getPeerPacketSourcePort();
        if ((source == null || port <= 0) && mc.getPeerPort() > 0 && mc.getPeerAddress() != null) {
            // a request this stack sent to its own listening point (the in-process SipClient registering to
            // this server): JAIN-SIP hands it over without a socket, so there is no packet source; the peer
            // of the channel is the listening point it came from (an address JAIN-SIP holds, not a name)
            source = InetAddress.getByName(mc.getPeerAddress());
            port = mc.getPeerPort();
        }
        if (source == null || port <= 0) {
            throw new IOException("no source address");
        }
        return new Flow(mc.getTransport().toLowerCase(Locale.ROOT), new InetSocketAddress(source, port));
    }

    @Override
    public void processResponse(ResponseEvent event) {
        counters.increment("responses.received");
        sender.onResponse(event);
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (event.isServerTransaction()) {
            return;
        }
        sender.onTimeout(event);
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        counters.increment("errors.io");
        LOG.debug("I/O error with {}:{} over {}", event.getHost(), event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        if (!event.isServerTransaction()) {
            sender.onTerminated(event.getClientTransaction());
        }
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        // dialogs belong to the bundles that made them
    }
}
