package org.screamrouter.sip.stack.internal;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sip.PeerUnavailableException;
import javax.sip.SipProvider;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.FlowListener;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.SipSender;
import org.screamrouter.sip.stack.SipStackStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the JAIN-SIP stack: one {@link javax.sip.SipProvider} with a listening point per enabled transport.
 * A configuration change of ports, transports or the bind address re-binds only what changed; a change of
 * tuning, which JAIN-SIP reads only when a stack is created, replaces the stack. A port that cannot be
 * bound is logged with the reason and the other transports keep working.
 */
@Component(service = {SipMessages.class, SipSender.class, SipStackStatus.class},
        configurationPid = StackConfig.PID, immediate = true)
@Designate(ocd = StackConfig.class)
public final class SipStackComponent implements SipMessages, SipSender, SipStackStatus {
    private static final Logger LOG = LoggerFactory.getLogger(SipStackComponent.class);
    private static final List<String> TRANSPORTS = List.of("udp", "tcp", "ws");
    private static final int RESPONSE_CACHE_LIMIT = 200_000;

    private final HandlerRegistry handlers = new HandlerRegistry();
    private final Counters counters = new Counters();
    private final FlowRouter router = new FlowRouter();
    private final Map<Object, LazyService<FlowListener>> flowListeners = new java.util.concurrent.ConcurrentHashMap<>();

    private BundleContext context;
    private ScheduledExecutorService timer;
    private RequestSender sender;
    private volatile MessageSupport messages;
    private volatile ResponseCache cache;
    private ScreamSipStack stack;
    private SipProvider provider;
    private RequestDispatcher dispatcher;
    private StackConfig config;
    /** transport -> what is bound for it now */
    private final Map<String, Bound> bound = new LinkedHashMap<>();

    private record Bound(ListeningPoint point, javax.sip.ListeningPoint jainPoint, ServiceRegistration<ListeningPoint> registration) {}

    /**
     * Handlers are bound as {@link ComponentServiceObjects} and obtained on their first request: a handler
     * references this component's services, so getting it while this component activates would be circular.
     */
    @Reference(service = SipRequestHandler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addHandler(ComponentServiceObjects<SipRequestHandler> handler, Map<String, Object> properties) {
        handlers.put(properties.get("service.id"), handler::getService, properties);
        LOG.debug("handler for {} arrived", properties.get(SipRequestHandler.METHOD));
    }

    void updatedHandler(ComponentServiceObjects<SipRequestHandler> handler, Map<String, Object> properties) {
        handlers.put(properties.get("service.id"), handler::getService, properties);
    }

    /** Flow listeners, obtained on first use for the same reason as handlers. */
    @Reference(service = FlowListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addFlowListener(ComponentServiceObjects<FlowListener> listener, Map<String, Object> properties) {
        flowListeners.put(properties.get("service.id"), new LazyService<>(listener::getService));
    }

    void removeFlowListener(ComponentServiceObjects<FlowListener> listener, Map<String, Object> properties) {
        LazyService<FlowListener> lazy = flowListeners.remove(properties.get("service.id"));
        release(listener, lazy == null ? null : lazy.obtained());
    }

    /** A CRLF keep-alive arrived on a TCP or WebSocket flow (JAIN-SIP's reading thread). */
    private void keepAlive(Flow flow) {
        counters.increment("keepalives");
        for (LazyService<FlowListener> listener : flowListeners.values()) {
            try {
                FlowListener l = listener.get();
                if (l != null) l.keepAlive(flow);
            } catch (RuntimeException e) {
                LOG.warn("flow listener failed on a keep-alive from {}", flow, e);
            }
        }
    }

    /** A TCP or WebSocket connection ended (JAIN-SIP's selector thread). */
    private void flowClosed(Flow flow) {
        counters.increment("flows.closed");
        for (LazyService<FlowListener> listener : flowListeners.values()) {
            try {
                FlowListener l = listener.get();
                if (l != null) l.closed(flow);
            } catch (RuntimeException e) {
                LOG.warn("flow listener failed on the end of {}", flow, e);
            }
        }
    }

    private static <T> void release(ComponentServiceObjects<T> objects, T obtained) {
        if (obtained != null) {
            try {
                objects.ungetService(obtained);
            } catch (IllegalStateException | IllegalArgumentException gone) {
                // the service's bundle is already stopping
            }
        }
    }

    void removeHandler(ComponentServiceObjects<SipRequestHandler> handler, Map<String, Object> properties) {
        LazyService<SipRequestHandler> handle = handlers.remove(properties.get("service.id"));
        release(handler, handle == null ? null : handle.obtained());
    }

    @Activate
    synchronized void activate(BundleContext context, StackConfig config) {
        this.context = context;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-stack-timer");
            t.setDaemon(true);
            return t;
        });
        this.sender = new RequestSender(router, timer);
        start(config);
        timer.scheduleWithFixedDelay(() -> {
            ResponseCache c = cache;
            if (c != null) c.expire(System.nanoTime());
        }, 5, 5, TimeUnit.SECONDS);
    }

    @Modified
    synchronized void modified(StackConfig config) {
        if (needsNewStack(this.config, config)) {
            LOG.info("SIP stack tuning changed: replacing the stack");
            stop();
            start(config);
        } else {
            this.config = config;
            bindAll(config);
        }
    }

    @Deactivate
    synchronized void deactivate() {
        stop();
        timer.shutdownNow();
    }

    private void start(StackConfig config) {
        this.config = config;
        this.messages = new MessageSupport(config.server_header() + "/" + context.getBundle().getVersion());
        this.cache = new ResponseCache(TimeUnit.SECONDS.toNanos(config.retransmission_window()), RESPONSE_CACHE_LIMIT);
        this.dispatcher = new RequestDispatcher(handlers, messages, cache, counters, sender);
        try {
            stack = new ScreamSipStack(stackProperties(config), router, this::keepAlive, this::flowClosed);
        } catch (PeerUnavailableException e) {
            LOG.error("cannot create the SIP stack: {}", e.getMessage(), e);
            stack = null;
            return;
        }
        bindAll(config);
    }

    private void stop() {
        for (String transport : new ArrayList<>(bound.keySet())) {
            unbind(transport);
        }
        if (provider != null) {
            provider.removeSipListener(dispatcher);
            try {
                stack.deleteSipProvider(provider);
            } catch (Exception e) {
                LOG.debug("deleting the SIP provider: {}", e.toString());
            }
            provider = null;
        }
        sender.provider(null, messages);
        if (stack != null) {
            stack.stop();
            stack = null;
        }
    }

    private void bindAll(StackConfig config) {
        if (stack == null) {
            return;
        }
        for (String transport : TRANSPORTS) {
            ListeningPoint wanted = wanted(config, transport);
            Bound now = bound.get(transport);
            if (now != null && now.point().equals(wanted)) {
                continue;
            }
            if (now != null) {
                unbind(transport);
            }
            if (wanted != null) {
                bind(wanted);
            }
        }
        LOG.info("SIP stack listening on {}", listeningPoints());
    }

    private static ListeningPoint wanted(StackConfig config, String transport) {
        return switch (transport) {
            case "udp" -> config.udp_enabled() ? new ListeningPoint("udp", config.bind_address(), config.udp_port()) : null;
            case "tcp" -> config.tcp_enabled() ? new ListeningPoint("tcp", config.bind_address(), config.tcp_port()) : null;
            case "ws" -> config.ws_enabled() ? new ListeningPoint("ws", config.bind_address(), config.ws_port()) : null;
            default -> null;
        };
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
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(ListeningPoint.TRANSPORT, point.transport());
        props.put(ListeningPoint.ADDRESS, point.address());
        props.put(ListeningPoint.PORT, point.port());
        ServiceRegistration<ListeningPoint> registration = context.registerService(ListeningPoint.class, point, props);
        bound.put(point.transport(), new Bound(point, jainPoint, registration));
    }

    private void unbind(String transport) {
        Bound b = bound.remove(transport);
        if (b == null) {
            return;
        }
        try {
            b.registration().unregister();
        } catch (IllegalStateException alreadyGone) {
            // the framework unregisters a stopping bundle's services itself
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

    private static boolean needsNewStack(StackConfig before, StackConfig after) {
        return before == null
                || before.thread_pool_size() != after.thread_pool_size()
                || before.max_message_size() != after.max_message_size()
                || before.udp_buffer_size() != after.udp_buffer_size()
                || before.retransmission_window() != after.retransmission_window()
                || !before.server_header().equals(after.server_header());
    }

    static Properties stackProperties(StackConfig config) {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "screamrouter-sip");
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        p.setProperty("javax.sip.USE_ROUTER_FOR_ALL_URIS", "true");
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", "org.screamrouter.sip.jainsip.Slf4jStackLogger");
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", "org.screamrouter.sip.jainsip.Slf4jServerLogger");
        p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", "gov.nist.javax.sip.stack.NioMessageProcessorFactory");
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", Integer.toString(config.thread_pool_size()));
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(config.max_message_size()));
        p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", Integer.toString(config.udp_buffer_size()));
        p.setProperty("gov.nist.javax.sip.SEND_UDP_BUFFER_SIZE", Integer.toString(config.udp_buffer_size()));
        p.setProperty("gov.nist.javax.sip.ALWAYS_ADD_RPORT", "true");
        p.setProperty("gov.nist.javax.sip.AGGRESSIVE_CLEANUP", "true");
        p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        // answer WebSocket clients with the Via and Contact they sent: the flow is recorded separately
        p.setProperty("gov.nist.javax.sip.PATCH_SIP_WEBSOCKETS_HEADERS", "false");
        return p;
    }

    // SipMessages

    @Override public MessageFactory messages() { return messages.messages(); }

    @Override public HeaderFactory headers() { return messages.headers(); }

    @Override public AddressFactory addresses() { return messages.addresses(); }

    // SipSender

    @Override
    public CompletionStage<Response> send(Request request, Flow destination, java.time.Duration timeout) {
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
    public Map<String, Long> counters() {
        Map<String, Long> out = counters.snapshot();
        ResponseCache c = cache;
        if (c != null) out.put("retransmission-cache.size", (long) c.size());
        return out;
    }
}
