package org.screamrouter.sip.registrar.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.auth.AuthenticatorSlot;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.registrar.PingResult;
import org.screamrouter.sip.registrar.StoreStatus;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.FlowListener;
import org.screamrouter.sip.stack.RequestFields;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.SipStackStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.screamrouter.sip.stack.DataFiles;

/**
 * The registrar (RFC 3261 section 10.3) and keep-alive of ScreamRouter devices: REGISTER adds, refreshes and
 * removes the bindings of an address-of-record and answers with all of them; OPTIONS and CRLF keep-alives
 * count as signs of life; every online device is pinged. It is also the {@link DeviceRegistry}. Bindings and
 * devices are persisted (see {@link RegistrarStore}) and reloaded on activation, so a bundle update or a
 * restart keeps every binding that has not expired.
 *
 * <p>This component is the wiring: its references, its configuration, its gate and its one thread, and the requests
 * and flows it hands to the collaborators that do the work:
 * <ul>
 *   <li>{@link RegisterHandler}: REGISTER, step by step, and the 200 OK with every Contact;</li>
 *   <li>{@link OptionsHandler}: OPTIONS, our capabilities and a device's sign of life;</li>
 *   <li>{@link Registry}: the bindings and devices with their store, the {@link DeviceRegistry} operations, the device
 *       events, and the keep-alive tick this component's thread runs every second.</li>
 * </ul>
 */
@Component(service = {SipRequestHandler.class, FlowListener.class, DeviceRegistry.class}, configurationPid = RegistrarConfig.PID,
        property = {SipRequestHandler.METHOD + "=" + Request.REGISTER, SipRequestHandler.METHOD + "=" + Request.OPTIONS,
                SipRequestHandler.SUPPORTED + "=path"})
@Designate(ocd = RegistrarConfig.class)
public final class RegistrarComponent implements SipRequestHandler, FlowListener, DeviceRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrarComponent.class);

    private final Registry registry;
    private final RegisterHandler register;
    private final OptionsHandler options;
    /** Lets the requests in progress finish before {@link #deactivate} closes the store (see {@link RequestGate}). */
    private final org.screamrouter.sip.stack.RequestGate gate = new org.screamrouter.sip.stack.RequestGate("registrar");
    private final ScheduledExecutorService timer;
    private volatile RegistrarConfig config;
    /**
     * The client that sends keep-alive pings: a dynamic reference, so a {@code bundle:update} of the client restarts
     * nothing here (bindings stay in memory); while it is away, pings wait for the next tick.
     */
    private volatile SipClient client;
    /** Authentication (RFC 3261 10.3 step 3), waited for while the auth bundle is being updated (dynamic reference). */
    private final AuthenticatorSlot authenticator;

    @Activate
    public RegistrarComponent(@Reference SipMessages messages, @Reference SipStackStatus stack,
            RegistrarConfig config, BundleContext context) {
        this(messages, null, stack, config, Clock.systemUTC(), storeFile(config, context));
    }

    /** {@code client}: for tests; DS binds it through {@link #setClient}. */
    RegistrarComponent(SipMessages messages, SipClient client, SipStackStatus stack, RegistrarConfig config, Clock clock, Path storeFile) {
        this.config = config;
        this.client = client;
        this.registry = new Registry(messages, () -> this.client, clock, () -> this.config, storeFile);
        this.register = new RegisterHandler(messages, stack, clock, () -> this.config, registry);
        this.authenticator = new AuthenticatorSlot(() -> messages);
        register.setAuthenticator(authenticator);
        this.options = new OptionsHandler(messages, stack, registry.book(), clock);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-registrar-keepalive");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(registry::tick, 1, 1, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(register::refreshOwnAddresses, 30, 30, TimeUnit.SECONDS);
    }

    /** For tests: the bindings and devices behind this component. */
    Registry registry() {
        return registry;
    }

    static Path storeFile(RegistrarConfig config, BundleContext context) {
        if (!config.store_path().isBlank()) {
            return Path.of(config.store_path());
        }
        return DataFiles.serverFile("registrar.mv", context::getDataFile);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setClient(SipClient client) {
        this.client = client;
    }

    void unsetClient(SipClient gone) {
        if (this.client == gone) this.client = null;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setAuthenticator(SipAuthenticator authenticator) {
        this.authenticator.bind(authenticator);
    }

    void unsetAuthenticator(SipAuthenticator authenticator) {
        this.authenticator.unbind(authenticator);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setEventAdmin(EventAdmin eventAdmin) {
        registry.setEventAdmin(eventAdmin);
    }

    void unsetEventAdmin(EventAdmin eventAdmin) {
        registry.unsetEventAdmin(eventAdmin);
    }

    @Modified
    void modified(RegistrarConfig config) {
        this.config = config;
    }

    @Deactivate
    void deactivate() {
        // requests in progress finish before the store closes; later ones are held by the stack for the next revision
        // a request waiting for the authenticator goes back to the stack, held for the next revision
        authenticator.close();
        if (!gate.close(java.time.Duration.ofSeconds(5))) {
            LOG.warn("registrar stopping with REGISTER/OPTIONS requests still in progress after 5 s");
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        registry.close();
    }

    /** One keep-alive tick now, for tests that move the clock. */
    void tickForTest() {
        registry.tick();
    }

    /** Being removed by the stack: requests waiting for the authenticator leave and are held for the next revision. */
    @Override
    public void leaving() {
        authenticator.releaseWaiters();
    }

    @Override
    public void handle(SipExchange exchange) throws Exception {
        gate.enter();
        try {
            if (Request.OPTIONS.equals(exchange.request().getMethod())) {
                options.options(exchange);
            } else {
                register.register(exchange);
            }
        } finally {
            gate.leave();
        }
    }

    /** An OPTIONS the stack read without a parse: answered from its fields ({@link OptionsHandler#okHeaders}). */
    @Override
    public byte[] okHeaders(RequestFields request) throws Exception {
        if (!Request.OPTIONS.equals(request.method())) {
            return null;
        }
        gate.enter();
        try {
            return options.okHeaders(request);
        } finally {
            gate.leave();
        }
    }

    /** An RFC 5626 CRLF keep-alive on a TCP or WebSocket flow: a sign of life of the device registered on it. */
    @Override
    public void keepAlive(Flow flow) {
        registry.keptAlive(flow);
    }

    // DeviceRegistry: the registry's

    @Override
    public List<Binding> bindings() {
        return registry.bindings();
    }

    @Override
    public List<Binding> bindings(String addressOfRecord) {
        return registry.bindings(addressOfRecord);
    }

    @Override
    public List<Device> devices() {
        return registry.devices();
    }

    @Override
    public Optional<Device> device(String uuid) {
        return registry.device(uuid);
    }

    @Override
    public CompletionStage<PingResult> ping(String uuid) {
        return registry.ping(uuid);
    }

    @Override
    public boolean unregister(String uuid) {
        return registry.unregister(uuid);
    }

    @Override
    public boolean release(String uuid) {
        return registry.release(uuid);
    }

    @Override
    public StoreStatus storeStatus() {
        return registry.storeStatus();
    }
}
