package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.stack.HopImpl;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.ListeningPoint;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.UserAgentHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipSender;
import org.screamrouter.sip.stack.SipTimeoutException;
import org.screamrouter.sip.stack.SipTransportException;

/**
 * Requests outside a dialog, each in its own client transaction (RFC 3261 17.1.2), sent to the flow the
 * caller names through the {@link FlowRouter}. Completion happens on the stack's threads; callers that do
 * more than a little work continue on their own executor.
 */
final class RequestSender implements SipSender {
    private static final int MAX_REMEMBERED_SOURCES = 1024;

    private final FlowRouter router;
    private final ScheduledExecutorService timer;
    private final ConcurrentHashMap<InetAddress, String> localAddressFor = new ConcurrentHashMap<>();
    private volatile SipProvider provider;
    private volatile MessageSupport messages;

    RequestSender(FlowRouter router, ScheduledExecutorService timer) {
        this.router = router;
        this.timer = timer;
    }

    void provider(SipProvider provider, MessageSupport messages) {
        this.provider = provider;
        this.messages = messages;
    }

    @Override
    public CompletionStage<Response> send(Request request, Flow destination, Duration timeout) {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        SipProvider p = provider;
        if (p == null) {
            answer.completeExceptionally(new SipTransportException("the SIP stack is not running", null));
            return answer;
        }
        ListeningPoint lp = p.getListeningPoint(destination.transport());
        if (lp == null) {
            answer.completeExceptionally(new SipTransportException("no listening point for " + destination.transport(), null));
            return answer;
        }
        try {
            prepare(request, destination, lp);
            ClientTransaction transaction;
            router.route(new HopImpl(destination.address(), destination.port(), destination.transport()));
            try {
                transaction = p.getNewClientTransaction(request);
            } finally {
                router.clear();
            }
            transaction.setApplicationData(answer);
            ClientTransaction sent = transaction;
            ScheduledFuture<?> deadline = timer.schedule(() -> {
                if (answer.completeExceptionally(new SipTimeoutException("no final response to " + request.getMethod() + " from "
                        + destination + " within " + timeout.toMillis() + " ms"))) {
                    // the caller gave up: so do the retransmissions (else JAIN-SIP repeats the request for 64*T1 to an
                    // address that may never have asked for it)
                    try {
                        sent.terminate();
                    } catch (javax.sip.ObjectInUseException | RuntimeException e) {
                        // already ending
                    }
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            answer.whenComplete((r, e) -> deadline.cancel(false));
            transaction.sendRequest();
        } catch (SipException | java.text.ParseException | java.util.concurrent.RejectedExecutionException e) {
            answer.completeExceptionally(new SipTransportException(
                    "cannot send " + request.getMethod() + " to " + destination + ": " + e.getMessage(), e));
        }
        return answer;
    }

    private void prepare(Request request, Flow destination, ListeningPoint lp) throws java.text.ParseException, SipException {
        MessageSupport m = messages;
        try {
            if (request.getHeader(ViaHeader.NAME) == null) {
                String host = viaHost(lp.getIPAddress(), destination.remote().getAddress());
                ViaHeader via = m.headers().createViaHeader(host, lp.getPort(), destination.transport(), null);
                via.setRPort();
                request.addHeader(via);
            }
            if (request.getHeader(MaxForwardsHeader.NAME) == null) {
                request.setHeader(m.headers().createMaxForwardsHeader(70));
            }
        } catch (javax.sip.InvalidArgumentException e) {
            throw new SipException(e.getMessage(), e);
        }
        UserAgentHeader agent = m.userAgent();
        if (agent != null && request.getHeader(UserAgentHeader.NAME) == null) {
            request.setHeader(agent);
        }
    }

    /**
     * The address to put in Via when the stack listens on every interface: the one the kernel would send
     * from to reach the peer (a connected UDP socket sends nothing, it only picks a route).
     */
    private String viaHost(String bound, InetAddress peer) {
        if (!"0.0.0.0".equals(bound) && !"::".equals(bound)) {
            return bound;
        }
        String known = localAddressFor.get(peer);
        if (known != null) {
            return known;
        }
        String local;
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(peer, 9);
            local = probe.getLocalAddress().getHostAddress();
        } catch (SocketException e) {
            local = peer.isLoopbackAddress() ? peer.getHostAddress() : "127.0.0.1";
        }
        if (localAddressFor.size() < MAX_REMEMBERED_SOURCES) {
            localAddressFor.put(peer, local);
        }
        return local;
    }

    @SuppressWarnings("unchecked")
    void onResponse(ResponseEvent event) {
        ClientTransaction transaction = event.getClientTransaction();
        if (transaction == null || !(transaction.getApplicationData() instanceof CompletableFuture<?> f)) {
            return;
        }
        if (event.getResponse().getStatusCode() >= 200) {
            ((CompletableFuture<Response>) f).complete(event.getResponse());
        }
    }

    void onTimeout(TimeoutEvent event) {
        ClientTransaction transaction = event.getClientTransaction();
        if (transaction != null && transaction.getApplicationData() instanceof CompletableFuture<?> f) {
            f.completeExceptionally(new SipTimeoutException("no final response (RFC 3261 Timer F) to "
                    + transaction.getRequest().getMethod()));
        }
    }

    void onTerminated(ClientTransaction transaction) {
        if (transaction != null && transaction.getApplicationData() instanceof CompletableFuture<?> f && !f.isDone()) {
            f.completeExceptionally(new SipTransportException("transaction ended without a final response", null));
        }
    }
}
