package org.screamrouter.sip.stack.internal;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sip.PeerUnavailableException;
import javax.sip.SipProvider;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.FlowListener;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.SipSender;
import org.screamrouter.sip.stack.SipStackStatus;
import org.screamrouter.sip.stack.TlsStatus;
import org.screamrouter.sip.stack.internal.tls.JainSipSecurity;
import org.screamrouter.sip.stack.internal.tls.TlsChoices;
import org.screamrouter.sip.stack.internal.tls.TlsIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack without OSGi: one JAIN-SIP stack and {@link SipProvider} with a listening point per enabled
 * transport, the whiteboard table of handlers, the sender, the retransmission cache and the timer that
 * expires it. The DS component ({@link SipStackComponent}) and the standalone stack
 * ({@code org.screamrouter.sip.stack.standalone}) both drive one of these; what they add is where
 * handlers come from and what happens when a listening point is bound (a service, or nothing).
 *
 * <p>A change of ports, transports or bind address re-binds only what changed; a change of tuning, which
 * JAIN-SIP reads only when a stack is created, replaces the stack. A port that cannot be bound is logged
 * with the reason and the other transports keep working.
 */
public final class StackEngine implements SipMessages, SipSender, SipStackStatus {
    private static final Logger LOG = LoggerFactory.getLogger(StackEngine.class);
    private static final List<String> TRANSPORTS = List.of("udp", "tcp", "ws", "tls", "wss");
    private static final List<String> SECURE = List.of("tls", "wss");
    private static final int RESPONSE_CACHE_LIMIT = 200_000;
    /** How long requests wait for a handler that left to come back, unless configured ({@code handler.wait}). */
    public static final int DEFAULT_HANDLER_WAIT_MS = 5000;
    /** How long a leaving handler's requests in progress are waited for before it is released anyway. */
    private static final int HANDLER_DRAIN_SECONDS = 5;

    /** Told when a listening point is bound or unbound (the component publishes it as a service). */
    public interface BindingListener {
        /** Returns something to hand back to {@link #unbound}, e.g. a service registration. */
        Object bound(ListeningPoint point);

        void unbound(ListeningPoint point, Object token);
    }

    private final HandlerRegistry handlers = new HandlerRegistry();
    /** Requests of a method whose handler just left, until it is back (see {@link HeldRequests}). */
    private final HeldRequests held = new HeldRequests(TimeUnit.MILLISECONDS.toNanos(DEFAULT_HANDLER_WAIT_MS));
    /** Runs held requests once their handler is back, in the order they came, off the DS thread that bound it. */
    private final java.util.concurrent.ExecutorService resumer;
    private final Counters counters = new Counters();
    private final ConnectionGuard guard = new ConnectionGuard(counters);
    private final SourceRates rates = new SourceRates(counters);
    private final FlowRouter router = new FlowRouter();
    private final Map<Object, LazyService<FlowListener>> flowListeners = new ConcurrentHashMap<>();
    private final BindingListener bindings;
    private final ScheduledExecutorService timer;
    private final RequestSender sender;
    private final Map<String, Bound> bound = new LinkedHashMap<>();
    private final TlsIdentity identity = new TlsIdentity(java.time.Clock.systemUTC());
    private final UdpHandOver handOver = new UdpHandOver();

    private volatile MessageSupport messages;
    private volatile ResponseCache cache;
    private ScreamSipStack stack;
    private SipProvider provider;
    private RequestDispatcher dispatcher;
    private EngineSettings settings;

    private record Bound(ListeningPoint point, javax.sip.ListeningPoint jainPoint, Object token) {}

    public StackEngine(BindingListener bindings) {
        this.bindings = bindings;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-stack-timer");
            t.setDaemon(true);
            return t;
        });
        this.sender = new RequestSender(router, timer);
        this.resumer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sip-stack-held");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> held.expired(System.nanoTime()).forEach(this::expireQuietly), 100, 100, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(() -> {
            ResponseCache c = cache;
            if (c != null) c.expire(System.nanoTime());
        }, 5, 5, TimeUnit.SECONDS);
        // connections silent past connection.idle.timeout (whole seconds) are closed within a second of it
        timer.scheduleWithFixedDelay(() -> guard.sweep(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
        // a replaced key store (or an expired generated certificate) is taken within two seconds
        timer.scheduleWithFixedDelay(this::pollTls, 2, 2, TimeUnit.SECONDS);
    }

    // whiteboard

    /** Adds or updates a request handler; {@code key} identifies it, {@code properties} carry {@code sip.method}. */
    public void putHandler(Object key, Supplier<SipRequestHandler> obtain, Map<String, Object> properties) {
        synchronized (handlers) {
            SortedSet<String> before = handlers.methods();
            handlers.put(key, obtain, properties);
            held.served(before, handlers.methods(), System.nanoTime());
        }
        // requests held while this method's handler was away go to the new one
        held.returned(method -> handlers.handlerFor(method) != null).forEach(HeldRequests.Held::resume);
    }

    /** Removes a handler; returns the object obtained for it so the caller can release it, or null. */
    public SipRequestHandler removeHandler(Object key) {
        LazyService<SipRequestHandler> handle;
        synchronized (handlers) {
            SortedSet<String> before = handlers.methods();
            handle = handlers.remove(key);
            held.served(before, handlers.methods(), System.nanoTime());
        }
        if (handle == null) return null;
        // requests waiting in it for something else (an authenticator that is away) leave now and are held here
        SipRequestHandler obtained = handle.obtained();
        if (obtained != null) {
            try {
                obtained.leaving();
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("a request handler failed when told it is leaving", e);
            }
        }
        // DS deactivates the handler's component once this returns: the requests already in it finish first (a
        // registrar closing its store under a REGISTER answered 500 during bundle:update)
        if (!handle.awaitIdle(TimeUnit.SECONDS.toNanos(HANDLER_DRAIN_SECONDS))) {
            LOG.warn("a request handler left while requests were still in it after {} s", HANDLER_DRAIN_SECONDS);
        }
        return handle.obtained();
    }

    /**
     * Methods the stack served before it started (read from where its previous run left them): until their handlers
     * register, their requests are held as if those handlers had just left (a stack update, a restart).
     */
    public void servedBefore(java.util.Set<String> methods) {
        synchronized (handlers) {
            held.servedBefore(methods, handlers.methods(), System.nanoTime());
        }
    }

    /** Where this engine's UDP sockets are left when it closes, for the next engine to adopt (null: they are closed). */
    public void parkSocketsIn(ParkedSockets lot) {
        handOver.lot(lot);
    }

    /** How long requests of a method whose handler left wait for one to come back before 503 ({@code handler.wait}). */
    public void handlerWait(Duration wait) {
        held.waitNanos(wait.toNanos());
    }

    private void expireQuietly(HeldRequests.Held h) {
        try {
            h.expire();
        } catch (RuntimeException e) {
            LOG.warn("answering a held request failed", e);
        }
    }

    public void putFlowListener(Object key, Supplier<FlowListener> obtain) {
        flowListeners.put(key, new LazyService<>(obtain));
    }

    /** Removes a flow listener; returns the object obtained for it, or null. */
    public FlowListener removeFlowListener(Object key) {
        LazyService<FlowListener> lazy = flowListeners.remove(key);
        return lazy == null ? null : lazy.obtained();
    }

    /** A CRLF keep-alive arrived on a TCP or WebSocket flow (JAIN-SIP's reading thread). */
    private void keepAlive(Flow flow) {
        counters.increment("keepalives");
        tellFlowListeners(flow, "a keep-alive from", FlowListener::keepAlive);
    }

    /** A TCP or WebSocket connection ended (JAIN-SIP's selector thread). */
    private void flowClosed(Flow flow) {
        counters.increment("flows.closed");
        tellFlowListeners(flow, "the end of", FlowListener::closed);
    }

    private void tellFlowListeners(Flow flow, String what, java.util.function.BiConsumer<FlowListener, Flow> call) {
        for (LazyService<FlowListener> listener : flowListeners.values()) {
            try {
                FlowListener l = listener.get();
                if (l != null) call.accept(l, flow);
            } catch (RuntimeException e) {
                LOG.warn("flow listener failed on {} {}", what, flow, e);
            }
        }
    }

    // life cycle

    /** Starts with these settings, or applies them to the running stack (re-binding only what changed). */
    public synchronized void apply(EngineSettings wanted) {
        guard.limits(wanted.limits());
        rates.limits(wanted.limits().rates());
        boolean tlsChanged = (wanted.tlsEnabled() || wanted.wssEnabled()) && identity.configure(wanted.tls());
        if (stack != null && !wanted.needsNewStack(settings)) {
            settings = wanted;
            if (tlsChanged) {
                // new certificate settings: the TLS listening points are made again (their contexts read them once)
                SECURE.forEach(this::unbind);
            }
            bindAll(wanted);
            return;
        }
        if (stack != null) {
            LOG.info("SIP stack tuning changed: replacing the stack");
        }
        stop();
        start(wanted);
    }

    /**
     * Unbinds everything and stops the JAIN-SIP stack and the timer; the engine cannot be restarted. Its UDP sockets
     * stay bound, parked for the next engine ({@link UdpHandOver}), when it was given somewhere to park them
     * ({@link #parkSocketsIn}).
     */
    public synchronized void close() {
        handOver.parkOnStop();
        stop();
        timer.shutdownNow();
        resumer.shutdownNow();
    }

    private void start(EngineSettings settings) {
        this.settings = settings;
        this.messages = new MessageSupport(settings.product());
        this.cache = new ResponseCache(TimeUnit.SECONDS.toNanos(settings.retransmissionWindowSeconds()), RESPONSE_CACHE_LIMIT);
        this.dispatcher = new RequestDispatcher(handlers, messages, cache, counters, sender, rates, held, resumer);
        try {
            stack = new ScreamSipStack(stackProperties(settings), router, this::keepAlive, this::flowClosed, guard, rates,
                    new JainSipSecurity(identity), handOver, counters, new PlainAnswers(handlers, held, rates, counters, messages));
        } catch (PeerUnavailableException e) {
            LOG.error("cannot create the SIP stack: {}", e.getMessage(), e);
            stack = null;
            return;
        }
        bindAll(settings);
    }

    private void stop() {
        for (String transport : new ArrayList<>(bound.keySet())) {
            unbind(transport);
        }
        if (provider != null) {
            // not deleteSipProvider: deleting the last provider stops the stack, and JAIN-SIP's stop sleeps a
            // second each time; stop() below frees the provider with everything else
            provider.removeSipListener(dispatcher);
            provider = null;
        }
        sender.provider(null, messages);
        if (stack != null) {
            // every listening point is gone (its port free, or parked): what JAIN-SIP's stop still does is end its
            // timers and clear its tables after a fixed one-second sleep, which a bundle update or a re-bind need
            // not wait for (it was most of the stack update's gap)
            ScreamSipStack stopping = stack;
            stack = null;
            Thread t = new Thread(() -> {
                try {
                    stopping.stop();
                } catch (RuntimeException | LinkageError e) {
                    // at shutdown the JAIN-SIP bundle may already be gone: its classes cannot load any more
                    LOG.debug("JAIN-SIP's stop after the listening points were released: {}", e.toString());
                }
            }, "sip-stack-stopping");
            t.setDaemon(true);
            t.start();
        }
    }

    private void bindAll(EngineSettings settings) {
        if (stack == null) {
            return;
        }
        int ephemeral = -1;
        for (String transport : TRANSPORTS) {
            ListeningPoint wanted = wanted(settings, transport);
            if (wanted != null && SECURE.contains(transport) && !identity.ready()) {
                wanted = null; // no certificate: TlsIdentity said why
            }
            Bound now = bound.get(transport);
            if (now != null && (now.point().equals(wanted)
                    || wanted != null && wanted.port() == 0 && settings.ephemeralPorts()
                    && now.point().transport().equals(wanted.transport()) && now.point().address().equals(wanted.address()))) {
                continue;
            }
            if (now != null) {
                unbind(transport);
            }
            if (wanted != null) {
                if (wanted.port() == 0 && settings.ephemeralPorts()) {
                    int port;
                    if (transport.equals("udp") || transport.equals("tcp")) {
                        if (ephemeral < 0) ephemeral = freePort(settings);
                        port = ephemeral;
                    } else {
                        port = freeTcpPort(settings); // a port of its own for each of ws, tls and wss
                    }
                    wanted = new ListeningPoint(wanted.transport(), wanted.address(), port);
                }
                if (SECURE.contains(transport)) {
                    // read by each TLS channel as it is made (JAIN-SIP's TLS_CLIENT_AUTH_TYPE)
                    stack.getConfigurationProperties().setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE",
                            settings.tls().jainSipClientAuth());
                }
                bind(wanted);
            }
        }
        LOG.info("SIP stack {} listening on {}", settings.stackName(), listeningPoints());
    }

    private static ListeningPoint wanted(EngineSettings s, String transport) {
        return switch (transport) {
            case "udp" -> s.udpEnabled() ? new ListeningPoint("udp", s.bindAddress(), s.udpPort()) : null;
            case "tcp" -> s.tcpEnabled() ? new ListeningPoint("tcp", s.bindAddress(), s.tcpPort()) : null;
            case "ws" -> s.wsEnabled() ? new ListeningPoint("ws", s.bindAddress(), s.wsPort()) : null;
            case "tls" -> s.tlsEnabled() ? new ListeningPoint("tls", s.bindAddress(), s.tlsPort()) : null;
            case "wss" -> s.wssEnabled() ? new ListeningPoint("wss", s.bindAddress(), s.wssPort()) : null;
            default -> null;
        };
    }

    /**
     * A port free for UDP and TCP alike on the bind address (JAIN-SIP refuses port 0, so the kernel's choice
     * is asked for first; another program could take it in between, which only a test machine would see).
     */
    private static int freePort(EngineSettings s) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(literal(s.bindAddress())), 0))) {
                int port = udp.getLocalPort();
                if (!s.tcpEnabled() && !s.wsEnabled()) return port;
                try (ServerSocket tcp = new ServerSocket()) {
                    tcp.bind(new InetSocketAddress(udp.getLocalAddress(), port));
                    return port;
                } catch (IOException taken) {
                    // try another
                }
            } catch (IOException e) {
                LOG.debug("probing a free port: {}", e.toString());
            }
        }
        return -1;
    }

    /** A free TCP port of the bind address, or -1. */
    private static int freeTcpPort(EngineSettings s) {
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.bind(new InetSocketAddress(InetAddress.getByName(literal(s.bindAddress())), 0));
            return tcp.getLocalPort();
        } catch (IOException e) {
            LOG.debug("probing a free TCP port: {}", e.toString());
            return -1;
        }
    }

    /** Looks for a replaced key store; binds tls and wss when a certificate became usable. */
    private void pollTls() {
        try {
            if (identity.poll() == TlsIdentity.Change.READY) {
                synchronized (this) {
                    if (settings != null) bindAll(settings);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("checking the TLS key store failed", e);
        }
    }

    private static String literal(String address) {
        if (!address.isEmpty() && (Character.digit(address.charAt(0), 16) >= 0 || address.indexOf(':') >= 0)) {
            return address;
        }
        throw new IllegalArgumentException("the bind address must be an IP literal: " + address);
    }

    private void bind(ListeningPoint point) {
        if (point.port() < 1 || point.port() > 65535) {
            LOG.error("not listening on {}: port {} is out of range 1-65535", point.transport(), point.port());
            return;
        }
        javax.sip.ListeningPoint jainPoint;
        try {
            jainPoint = stack.createListeningPoint(point.address(), point.port(), point.transport());
        } catch (Exception e) {
            LOG.error("cannot listen on {} {}:{}: {}", point.transport(), point.address(), point.port(), rootCause(e));
            return;
        }
        try {
            if (provider == null) {
                provider = stack.createSipProvider(jainPoint);
                provider.addSipListener(dispatcher);
                dispatcher.provider(provider);
                sender.provider(provider, messages);
            } else {
                provider.addListeningPoint(jainPoint);
            }
        } catch (Exception e) {
            LOG.error("cannot use {} {}:{}: {}", point.transport(), point.address(), point.port(), rootCause(e));
            deleteQuietly(jainPoint);
            return;
        }
        if (jainPoint instanceof gov.nist.javax.sip.ListeningPointImpl impl && impl.getMessageProcessor() instanceof UdpIntake.Processor udp) {
            udp.open(); // the provider has its listener now: the datagrams read meanwhile can be handled
        }
        Object token = bindings == null ? null : bindings.bound(point);
        bound.put(point.transport(), new Bound(point, jainPoint, token));
    }

    private void unbind(String transport) {
        Bound b = bound.remove(transport);
        if (b == null) {
            return;
        }
        if (bindings != null) {
            bindings.unbound(b.point(), b.token());
        }
        if (provider != null) {
            try {
                provider.removeListeningPoint(b.jainPoint());
            } catch (Exception e) {
                LOG.debug("removing {} from the provider: {}", transport, e.toString());
            }
        }
        deleteQuietly(b.jainPoint());
    }

    private void deleteQuietly(javax.sip.ListeningPoint jainPoint) {
        try {
            stack.deleteListeningPoint(jainPoint);
        } catch (Exception e) {
            LOG.debug("deleting listening point: {}", e.toString());
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t + ")";
    }

    static Properties stackProperties(EngineSettings s) {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", s.stackName());
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        p.setProperty("javax.sip.USE_ROUTER_FOR_ALL_URIS", "true");
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", "org.screamrouter.sip.jainsip.Slf4jStackLogger");
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", "org.screamrouter.sip.jainsip.Slf4jServerLogger");
        p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", "gov.nist.javax.sip.stack.NioMessageProcessorFactory");
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", Integer.toString(s.threadPoolSize()));
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(s.maxMessageSize()));
        p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", Integer.toString(s.udpBufferSize()));
        p.setProperty("gov.nist.javax.sip.SEND_UDP_BUFFER_SIZE", Integer.toString(s.udpBufferSize()));
        p.setProperty("gov.nist.javax.sip.ALWAYS_ADD_RPORT", "true");
        p.setProperty("gov.nist.javax.sip.AGGRESSIVE_CLEANUP", "true");
        p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        // NOTIFYs go to the NOTIFY handler (the SipClient's subscriptions) like any request. Without this,
        // JAIN-SIP locks every SUBSCRIBE client transaction of the dialog for each NOTIFY and unlocks only
        // one: with a refresh and an unsubscribe both in its table a NOTIFY was never delivered
        p.setProperty("gov.nist.javax.sip.DELIVER_UNSOLICITED_NOTIFY", "true");
        // answer WebSocket clients with the Via and Contact they sent: the flow is recorded separately
        p.setProperty("gov.nist.javax.sip.PATCH_SIP_WEBSOCKETS_HEADERS", "false");
        // TLS: read by every TLS channel, server and client side (verified by handshakes in TlsTransportTest)
        p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", String.join(",", TlsChoices.PROTOCOLS));
        p.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES", String.join(",", TlsChoices.cipherSuites()));
        p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", s.tls().jainSipClientAuth());
        return p;
    }

    // SipMessages

    @Override public MessageFactory messages() { return messages.messages(); }

    @Override public HeaderFactory headers() { return messages.headers(); }

    @Override public AddressFactory addresses() { return messages.addresses(); }

    // SipSender

    @Override
    public CompletionStage<Response> send(Request request, Flow destination, Duration timeout) {
        counters.increment("sent." + request.getMethod());
        return sender.send(request, destination, timeout);
    }

    // SipStackStatus

    @Override
    public synchronized List<ListeningPoint> listeningPoints() {
        List<ListeningPoint> out = new ArrayList<>();
        bound.values().forEach(b -> out.add(b.point()));
        return out;
    }

    @Override public SortedSet<String> servedMethods() { return handlers.methods(); }

    @Override
    public synchronized TlsStatus tls() {
        return settings != null && (settings.tlsEnabled() || settings.wssEnabled()) ? identity.status() : TlsStatus.NONE;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> out = counters.snapshot();
        ResponseCache c = cache;
        if (c != null) out.put("retransmission-cache.size", (long) c.size());
        out.put("connections.open", (long) guard.open());
        out.put("held.now", (long) held.size());
        return out;
    }
}
