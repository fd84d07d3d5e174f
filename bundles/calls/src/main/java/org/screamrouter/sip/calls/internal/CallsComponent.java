package org.screamrouter.sip.calls.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.calls.Calls;
import org.screamrouter.sip.config.ConfigurationManager;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.auth.AuthenticatorSlot;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.FlowListener;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.RequestGate;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.SipSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls to sinks (RFC 3261 sections 12-15 as a UAS): INVITE to {@code sip:<sink name or uuid>@<server>} gets 100 at
 * once and 200 OK with the audio engine's answer (WebRTC offers) or the RFC 3264 answer of the SDP bundle (plain RTP
 * offers); ACK, BYE, CANCEL, re-INVITE and INFO with trickle ICE (RFC 8840) follow in the dialog.
 *
 * <p>This component is the wiring: its references, its configuration, and the requests, events and flow ends it
 * hands to the collaborators that do the work:
 * <ul>
 *   <li>{@link CallSetup}: a new INVITE, checked ({@link Admission}, {@link InviteOffer}) and turned into a
 *       {@link Call} in the {@link CallTable};</li>
 *   <li>{@link Answerer}: the engine's answer and the 200 OK, or 488/500, within the answer deadline;</li>
 *   <li>{@link InDialog}: ACK, re-INVITE, BYE, CANCEL and INFO; {@link Trickle}: candidates in INFO both ways;</li>
 *   <li>{@link FinalResponses}: final INVITE responses retransmitted until their ACK;</li>
 *   <li>{@link Teardown}: every way a call ends;</li>
 *   <li>{@link DialogMessages}: every message of a dialog; the answers with headers of their own are the stack API's
 *       {@link org.screamrouter.sip.stack.SipResponses};</li>
 *   <li>{@link Bridges}: the audio bridge new calls use, obtained on first use.</li>
 * </ul>
 *
 * <p>Threads: the stack's threads only look up, answer what can be answered at once and start the engine; the
 * engine's callbacks and all timers run on the {@link CallScheduler}, shut down in {@link #deactivate}. Each
 * {@link Call} is guarded by its own lock.
 */
@Component(service = {SipRequestHandler.class, Calls.class, EventHandler.class, FlowListener.class},
        configurationPid = CallsConfig.PID, immediate = true,
        property = {EventConstants.EVENT_TOPIC + "=" + ListenerEndedRelay.TOPIC, SipRequestHandler.METHOD + "=" + Request.INVITE, SipRequestHandler.METHOD + "=" + Request.ACK,
                SipRequestHandler.METHOD + "=" + Request.BYE, SipRequestHandler.METHOD + "=" + Request.CANCEL,
                SipRequestHandler.METHOD + "=" + Request.INFO})
@Designate(ocd = CallsConfig.class)
public final class CallsComponent implements SipRequestHandler, Calls, EventHandler, FlowListener {
    private static final Logger LOG = LoggerFactory.getLogger(CallsComponent.class);

    /** Lets the requests in progress finish before {@link #deactivate} ends the calls (see {@link RequestGate}). */
    private final RequestGate gate = new RequestGate("calls");
    private final CallTable calls = new CallTable();
    private final Bridges bridges = new Bridges();
    private final Map<String, ListeningPoint> listeningPoints = new ConcurrentHashMap<>();

    @Reference
    private SipMessages messages;
    @Reference
    private SipSender sender;

    private volatile ConfigurationManager configuration;
    private volatile DeviceRegistry registry;
    /** Authentication, waited for while the auth bundle is being updated (one fail-closed behaviour). */
    private final AuthenticatorSlot authenticator = new AuthenticatorSlot(() -> messages);

    private volatile CallsConfig config;
    private volatile CallScheduler scheduler;
    private volatile CallSetup setup;
    private volatile InDialog inDialog;
    private volatile Teardown teardown;

    public CallsComponent() {
    }

    /** For tests: the static references given. */
    CallsComponent(SipMessages messages, SipSender sender) {
        this.messages = messages;
        this.sender = sender;
    }

    /**
     * The bridge new calls use is the best ranked one (greedy); a call keeps the bridge it started on, and when that
     * bridge goes, its calls end ({@link Bridges}).
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setBridge(ComponentServiceObjects<AudioBridge> bridge) {
        bridges.bind(bridge);
    }

    void unsetBridge(ComponentServiceObjects<AudioBridge> gone) {
        bridges.unbind(gone, stopped -> {
            Teardown t = teardown;
            if (t != null) t.bridgeStopped(stopped);
        });
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setConfiguration(ConfigurationManager configuration) {
        this.configuration = configuration;
    }

    void unsetConfiguration(ConfigurationManager gone) {
        if (this.configuration == gone) this.configuration = null;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setRegistry(DeviceRegistry registry) {
        this.registry = registry;
    }

    void unsetRegistry(DeviceRegistry gone) {
        if (this.registry == gone) this.registry = null;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setAuthenticator(SipAuthenticator authenticator) {
        this.authenticator.bind(authenticator);
    }

    void unsetAuthenticator(SipAuthenticator gone) {
        this.authenticator.unbind(gone);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListeningPoint(ListeningPoint point) {
        listeningPoints.put(point.transport(), point);
    }

    void removeListeningPoint(ListeningPoint point) {
        listeningPoints.remove(point.transport(), point);
    }

    @Activate
    void activate(CallsConfig config) {
        activate(config, CallScheduler.threads());
    }

    /** Makes the collaborators; tests give their own scheduler. */
    void activate(CallsConfig config, CallScheduler scheduler) {
        this.config = config;
        this.scheduler = scheduler;
        HeaderFactory headers = messages.headers();
        DialogMessages dialogs = new DialogMessages(messages, listeningPoints::get);
        // a 2xx without ACK ends its call: FinalResponses tells the Teardown, which sends through FinalResponses
        FinalResponses finals = new FinalResponses(scheduler, () -> this.config.t1_ms(), (call, r) -> teardown.noAck(call, r));
        Teardown ending = new Teardown(calls, dialogs, finals, sender, scheduler, this::config);
        Trickle trickle = new Trickle(dialogs, headers, sender, scheduler, this::config);
        Answerer answerer = new Answerer(dialogs, headers, finals, ending, trickle, scheduler, this::config);
        this.teardown = ending;
        this.inDialog = new InDialog(calls, dialogs, headers, finals, ending, trickle, scheduler);
        this.setup = new CallSetup(calls, new Admission(calls), dialogs, headers, answerer, new CallSetup.Services() {
            @Override
            public SipAuthenticator authenticator() {
                return authenticator;
            }

            @Override
            public AudioBridge bridge() {
                return bridges.current();
            }

            @Override
            public Optional<Sink> sink(String target) {
                ConfigurationManager cm = configuration;
                DeviceRegistry dr = registry;
                return SinkDirectory.find(target, t -> cm == null ? Optional.empty() : cm.sinkEntry(t),
                        uuid -> dr == null ? Optional.empty() : dr.device(uuid));
            }
        }, this::config);
        LOG.info("calls to sinks: answer deadline {} ms, at most {} calls", config.answer_deadline_ms(), config.max_calls());
    }

    private CallsConfig config() {
        return config;
    }

    @Modified
    void modified(CallsConfig config) {
        this.config = config; // read per call: new values apply to the next INVITE
    }

    /**
     * Ends every call cleanly ({@link Teardown#endAll}) once the requests in progress are done, then stops the
     * timers and releases the bridge. A hot swap of this bundle thus never drops a call silently; the new revision
     * starts with no calls.
     */
    @Deactivate
    void deactivate() {
        // a request waiting for the authenticator goes back to the stack, held for the next revision
        authenticator.close();
        if (!gate.close(Duration.ofSeconds(5))) {
            LOG.warn("calls stopping with requests still in progress after 5 s");
        }
        teardown.endAll();
        scheduler.shutdownNow();
        calls.clear();
        bridges.releaseCurrent();
    }

    // SipRequestHandler: on the stack's threads

    /** Being removed by the stack: requests waiting for the authenticator leave and are held for the next revision. */
    @Override
    public void leaving() {
        authenticator.releaseWaiters();
    }

    @Override
    public void handle(SipExchange exchange) {
        // a request that races a hot swap finishes before the calls are torn down, or is held for the next revision
        gate.enter();
        try {
            Request request = exchange.request();
            switch (request.getMethod()) {
                case Request.INVITE -> {
                    if (Requests.toTag(request) != null) inDialog.reInvite(exchange);
                    else setup.invite(exchange);
                }
                case Request.ACK -> inDialog.ack(exchange);
                case Request.BYE -> inDialog.bye(exchange);
                case Request.CANCEL -> inDialog.cancel(exchange);
                case Request.INFO -> inDialog.info(exchange);
                default -> exchange.respond(Response.METHOD_NOT_ALLOWED, null);
            }
        } finally {
            gate.leave();
        }
    }

    // the bridge dropped a listener (ListenerEndedRelay), and FlowListener

    @Override
    public void handleEvent(Event event) {
        teardown.mediaEnded(event.getProperty(ListenerEndedRelay.SINK), String.valueOf(event.getProperty(ListenerEndedRelay.LISTENER)),
                event.getProperty(ListenerEndedRelay.REASON));
    }

    @Override
    public void keepAlive(Flow flow) {
        // a sign of life; nothing to do for calls
    }

    @Override
    public void closed(Flow flow) {
        teardown.flowClosed(flow);
    }

    // Calls

    @Override
    public List<CallInfo> calls() {
        return calls.list();
    }

    @Override
    public Optional<CallInfo> call(String callId) {
        return calls.info(callId);
    }

    @Override
    public boolean hangup(String callId) {
        return teardown.hangup(callId);
    }
}
