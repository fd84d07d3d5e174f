package org.screamrouter.sip.client.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.SipSender;
import org.screamrouter.sip.stack.SipStackStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process {@link SipClient}: the server's stack sends its requests, and this component serves the
 * stack's NOTIFYs (whiteboard, {@code sip.method=NOTIFY}) for its subscriptions. The stack obtains handler
 * services lazily, on their first request, so this component referencing the stack and the stack binding
 * this component as a handler is no circular activation.
 */
@Component(service = {SipClient.class, SipRequestHandler.class}, configurationPid = ClientConfig.PID,
        property = SipRequestHandler.METHOD + "=NOTIFY")
@Designate(ocd = ClientConfig.class)
public final class SipClientComponent extends ForwardingClient implements SipRequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SipClientComponent.class);

    private final SipSender sender;
    private final SipMessages messages;
    private final SipStackStatus status;
    private final ScheduledExecutorService executor;

    @Activate
    public SipClientComponent(@Reference SipSender sender, @Reference SipMessages messages,
                              @Reference SipStackStatus status, ClientConfig config) {
        super(null);
        this.sender = sender;
        this.messages = messages;
        this.status = status;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-client");
            t.setDaemon(true);
            return t;
        });
        core(newCore(config));
        LOG.info("SIP client ready, default timeout {} ms", config.timeout_ms());
    }

    private ClientCore newCore(ClientConfig config) {
        return new ClientCore(sender, messages, status::listeningPoints, Scheduler.of(executor),
                Duration.ofMillis(config.timeout_ms()));
    }

    /** A new timeout applies to requests sent from now on. */
    @Modified
    void modified(ClientConfig config) {
        ClientCore c = core();
        if (c != null) c.defaultTimeout(Duration.ofMillis(config.timeout_ms()));
    }

    @Deactivate
    void deactivate() {
        ClientCore c = core();
        core(null);
        if (c != null) c.close();
        executor.shutdownNow();
    }

    @Override
    public void handle(SipExchange exchange) {
        ClientCore c = core();
        if (c == null) {
            exchange.respond(481, "Subscription Does Not Exist");
        } else {
            c.handleNotify(exchange);
        }
    }
}
