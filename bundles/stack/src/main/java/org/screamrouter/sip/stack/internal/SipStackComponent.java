package org.screamrouter.sip.stack.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.CompletionStage;
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
 * The SIP stack as a DS component: a {@link StackEngine} configured from PID {@value StackConfig#PID},
 * fed with the {@link SipRequestHandler} and {@link FlowListener} services of the whiteboard, and
 * publishing each bound listening point as a {@link ListeningPoint} service.
 */
@Component(service = {SipMessages.class, SipSender.class, SipStackStatus.class},
        configurationPid = StackConfig.PID, immediate = true)
@Designate(ocd = StackConfig.class)
public final class SipStackComponent implements SipMessages, SipSender, SipStackStatus {
    /** The methods served in this run, kept for the next run of the stack (null before activation). */
    private volatile ServedMethodsFile servedMethods;
    private static final Logger LOG = LoggerFactory.getLogger(SipStackComponent.class);

    private final StackEngine engine = new StackEngine(new StackEngine.BindingListener() {
        @Override
        public Object bound(ListeningPoint point) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(ListeningPoint.TRANSPORT, point.transport());
            props.put(ListeningPoint.ADDRESS, point.address());
            props.put(ListeningPoint.PORT, point.port());
            return context.registerService(ListeningPoint.class, point, props);
        }

        @Override
        public void unbound(ListeningPoint point, Object token) {
            try {
                ((ServiceRegistration<?>) token).unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregisters a stopping bundle's services itself
            }
        }
    });

    private volatile BundleContext context;

    /**
     * Handlers are bound as {@link ComponentServiceObjects} and obtained on their first request: a handler
     * references this component's services, so getting it while this component activates would be circular.
     */
    @Reference(service = SipRequestHandler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addHandler(ComponentServiceObjects<SipRequestHandler> handler, Map<String, Object> properties) {
        engine.putHandler(properties.get("service.id"), handler::getService, properties);
        ServedMethodsFile served = servedMethods;
        if (served != null) served.record(engine.servedMethods());
        LOG.debug("handler for {} arrived", properties.get(SipRequestHandler.METHOD));
    }

    void updatedHandler(ComponentServiceObjects<SipRequestHandler> handler, Map<String, Object> properties) {
        engine.putHandler(properties.get("service.id"), handler::getService, properties);
    }

    void removeHandler(ComponentServiceObjects<SipRequestHandler> handler, Map<String, Object> properties) {
        release(handler, engine.removeHandler(properties.get("service.id")));
    }

    /** Flow listeners, obtained on first use for the same reason as handlers. */
    @Reference(service = FlowListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addFlowListener(ComponentServiceObjects<FlowListener> listener, Map<String, Object> properties) {
        engine.putFlowListener(properties.get("service.id"), listener::getService);
    }

    void removeFlowListener(ComponentServiceObjects<FlowListener> listener, Map<String, Object> properties) {
        release(listener, engine.removeFlowListener(properties.get("service.id")));
    }

    private static <T> void release(ComponentServiceObjects<T> objects, T obtained) {
        if (obtained != null && objects != null) {
            try {
                objects.ungetService(obtained);
            } catch (IllegalStateException | IllegalArgumentException gone) {
                // the service's bundle is already stopping
            }
        }
    }

    @Activate
    void activate(BundleContext context, StackConfig config) {
        this.context = context;
        // a stack bundle update hands the bound UDP sockets from this revision to the next (UdpHandOver)
        org.osgi.framework.Bundle system = context.getBundle(0);
        BundleContext framework = system == null ? null : system.getBundleContext();
        if (framework != null) engine.parkSocketsIn(new FrameworkParkedSockets(framework, FrameworkParkedSockets.UNCLAIMED));
        engine.handlerWait(java.time.Duration.ofMillis(config.handler_wait()));
        // the methods the previous run served: their requests wait for their handlers instead of getting 405
        servedMethods = new ServedMethodsFile(context.getDataFile(ServedMethodsFile.NAME));
        engine.servedBefore(servedMethods.previous());
        servedMethods.record(engine.servedMethods());
        engine.apply(settings(config));
    }

    @Modified
    void modified(StackConfig config) {
        engine.handlerWait(java.time.Duration.ofMillis(config.handler_wait()));
        engine.apply(settings(config));
    }

    @Deactivate
    void deactivate() {
        engine.close();
    }

    private EngineSettings settings(StackConfig config) {
        String header = config.server_header();
        return EngineSettings.of(config, header == null || header.isBlank() ? null : header + "/" + context.getBundle().getVersion(),
                generatedFolder());
    }

    /**
     * Where a generated TLS certificate is kept: Karaf's etc folder (beside the configuration, where users look for
     * it), else this bundle's data area, else a temporary folder.
     */
    private java.nio.file.Path generatedFolder() {
        String etc = System.getProperty("karaf.etc");
        if (etc != null && !etc.isBlank()) {
            return java.nio.file.Path.of(etc);
        }
        java.io.File data = context.getDataFile("tls");
        return data != null ? data.toPath() : java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "screamrouter-sip-tls");
    }

    // SipMessages

    @Override public MessageFactory messages() { return engine.messages(); }

    @Override public HeaderFactory headers() { return engine.headers(); }

    @Override public AddressFactory addresses() { return engine.addresses(); }

    // SipSender

    @Override
    public CompletionStage<Response> send(Request request, Flow destination, java.time.Duration timeout) {
        return engine.send(request, destination, timeout);
    }

    // SipStackStatus

    @Override public List<ListeningPoint> listeningPoints() { return engine.listeningPoints(); }

    @Override public SortedSet<String> servedMethods() { return engine.servedMethods(); }

    @Override public Map<String, Long> counters() { return engine.counters(); }

    @Override public org.screamrouter.sip.stack.TlsStatus tls() { return engine.tls(); }
}
