package org.screamrouter.sip.calls.internal;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
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
import org.screamrouter.sip.audio.ListenerInfo;
import org.screamrouter.sip.audio.RtpCodec;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.calls.Calls;
import org.screamrouter.sip.config.ConfigurationManager;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.registrar.SipAuthenticator;
import org.screamrouter.sip.sdp.Candidate;
import org.screamrouter.sip.sdp.LocalCapabilities;
import org.screamrouter.sip.sdp.MediaDescription;
import org.screamrouter.sip.sdp.OfferAnswer;
import org.screamrouter.sip.sdp.OfferRejectedException;
import org.screamrouter.sip.sdp.ParseResult;
import org.screamrouter.sip.sdp.SdpFragment;
import org.screamrouter.sip.sdp.SdpParser;
import org.screamrouter.sip.sdp.SdpWriter;
import org.screamrouter.sip.sdp.SessionDescription;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.FlowListener;
import org.screamrouter.sip.stack.ListeningPoint;
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
 * <p>Transactions: INVITEs are answered without a JAIN-SIP server transaction (automatic dialog support is off in
 * the stack, and JAIN-SIP retransmits a 2xx only through its dialog layer). This component keeps the dialog itself
 * and retransmits every final INVITE response over UDP at T1, 2*T1 ... T2 until its ACK, for 64*T1 (RFC 3261 13.3.1.4
 * and 17.2.1); a retransmitted INVITE gets the 100 again, or the final response from the stack's retransmission
 * cache. A 2xx never acknowledged ends the call with BYE.
 *
 * <p>Threads: the stack's threads only look up, answer what can be answered at once and start the engine; the
 * engine's callbacks and all timers run on this component's executor. Each {@link Call} is guarded by its own lock.
 * Requests the server sends in a dialog (BYE, INFO) are built here (route set, CSeq, tags) and go through
 * {@link SipSender} to the call's flow, never to the host of a Contact.
 */
@Component(service = {SipRequestHandler.class, Calls.class, EventHandler.class, FlowListener.class},
        configurationPid = CallsConfig.PID, immediate = true,
        property = {EventConstants.EVENT_TOPIC + "=" + ListenerEndedRelay.TOPIC, SipRequestHandler.METHOD + "=" + Request.INVITE, SipRequestHandler.METHOD + "=" + Request.ACK,
                SipRequestHandler.METHOD + "=" + Request.BYE, SipRequestHandler.METHOD + "=" + Request.CANCEL,
                SipRequestHandler.METHOD + "=" + Request.INFO})
@Designate(ocd = CallsConfig.class)
public final class CallsComponent implements SipRequestHandler, Calls, EventHandler, FlowListener {
    /** Lets the requests in progress finish before {@link #deactivate} ends the calls (see {@link RequestGate}). */
    private final org.screamrouter.sip.stack.RequestGate gate = new org.screamrouter.sip.stack.RequestGate("calls");
    private static final Logger LOG = LoggerFactory.getLogger(CallsComponent.class);
    static final String ALLOW = "INVITE, ACK, BYE, CANCEL, INFO, OPTIONS";
    static final String TRICKLE = SdpFragment.CONTENT_TYPE;

    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    private final java.security.SecureRandom tags = new java.security.SecureRandom();
    private final Map<String, ListeningPoint> listeningPoints = new ConcurrentHashMap<>();

    @Reference
    private SipMessages messages;
    @Reference
    private SipSender sender;

    private volatile BridgeHandle bridgeHandle;
    private final Map<ComponentServiceObjects<AudioBridge>, BridgeHandle> bridgeHandles = new ConcurrentHashMap<>();
    private volatile ConfigurationManager configuration;
    private volatile DeviceRegistry registry;
    private volatile SipAuthenticator authenticator;

    private volatile CallsConfig config;
    private volatile ScheduledThreadPoolExecutor executor;

    /**
     * The bridge is obtained on first use, not when it is bound, so that activating this component never activates
     * the bridge (with its native engine) before the first call.
     */
    private static final class BridgeHandle {
        private final ComponentServiceObjects<AudioBridge> objects;
        private AudioBridge obtained;

        BridgeHandle(ComponentServiceObjects<AudioBridge> objects) {
            this.objects = objects;
        }

        synchronized AudioBridge get() {
            if (obtained == null) {
                try {
                    obtained = objects.getService();
                } catch (IllegalStateException gone) {
                    return null;
                }
            }
            return obtained;
        }

        synchronized AudioBridge obtainedOrNull() {
            return obtained;
        }

        synchronized void release() {
            if (obtained != null) {
                try {
                    objects.ungetService(obtained);
                } catch (IllegalStateException | IllegalArgumentException gone) {
                    // the bridge's bundle is stopping
                }
                obtained = null;
            }
        }
    }

    /**
     * The bridge new calls use is the best ranked one (greedy: a WHEP relay ranked above the embedded engine takes over
     * as it starts). A call keeps the bridge it started on; when that bridge goes, its calls end.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setBridge(ComponentServiceObjects<AudioBridge> bridge) {
        BridgeHandle handle = new BridgeHandle(bridge);
        bridgeHandles.put(bridge, handle);
        this.bridgeHandle = handle;
    }

    void unsetBridge(ComponentServiceObjects<AudioBridge> gone) {
        BridgeHandle handle = bridgeHandles.remove(gone);
        if (handle == null) {
            return;
        }
        AudioBridge stopped = handle.obtainedOrNull();
        if (stopped != null) {
            // its listeners are gone with it: the calls on it have no media any more
            for (Call call : List.copyOf(calls.values())) {
                if (call.bridge == stopped) hangup(call, "the audio engine stopped", 503);
            }
        }
        if (this.bridgeHandle == handle) this.bridgeHandle = null;
        handle.release();
    }

    private AudioBridge bridge() {
        BridgeHandle handle = bridgeHandle;
        return handle == null ? null : handle.get();
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
        this.authenticator = authenticator;
    }

    void unsetAuthenticator(SipAuthenticator gone) {
        if (this.authenticator == gone) this.authenticator = null;
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
        this.config = config;
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "sip-calls");
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        this.executor = ex;
        LOG.info("calls to sinks: answer deadline {} ms, at most {} calls", config.answer_deadline_ms(), config.max_calls());
    }

    @Modified
    void modified(CallsConfig config) {
        this.config = config; // read per call: new values apply to the next INVITE
    }

    /**
     * Ends every call cleanly: BYE for answered calls (their answers awaited for {@code shutdown.grace.ms}), 503 for
     * those still being answered, and every listener removed. A hot swap of this bundle thus never drops a call
     * silently; the new revision starts with no calls.
     */
    @Deactivate
    void deactivate() {
        if (!gate.close(java.time.Duration.ofSeconds(5))) {
            LOG.warn("calls stopping with requests still in progress after 5 s");
        }
        List<CompletableFuture<?>> byes = new ArrayList<>();
        for (Call call : List.copyOf(calls.values())) {
            byes.add(hangup(call, "the calls service is stopping", 503).toCompletableFuture());
        }
        if (!byes.isEmpty()) {
            LOG.info("calls service stopping: ending {} calls", byes.size());
            try {
                CompletableFuture.allOf(byes.toArray(CompletableFuture[]::new))
                        .get(config.shutdown_grace_ms(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.info("not every BYE was answered within {} ms", config.shutdown_grace_ms());
            }
        }
        executor.shutdownNow();
        calls.clear();
        BridgeHandle handle = bridgeHandle;
        if (handle != null) {
            handle.release();
        }
    }

    // SipRequestHandler: on the stack's threads

    @Override
    public void handle(SipExchange exchange) {
        // a request that races a hot swap finishes before the calls are torn down, or is held for the next revision
        gate.enter();
        try {
            switch (exchange.request().getMethod()) {
                case Request.INVITE -> onInvite(exchange);
                case Request.ACK -> onAck(exchange);
                case Request.BYE -> onBye(exchange);
                case Request.CANCEL -> onCancel(exchange);
                case Request.INFO -> onInfo(exchange);
                default -> exchange.respond(Response.METHOD_NOT_ALLOWED, null);
            }
        } finally {
            gate.leave();
        }
    }

    private void onInvite(SipExchange exchange) {
        Request request = exchange.request();
        String callId = callId(request);
        if (toTag(request) != null) {
            onReInvite(exchange, callId);
            return;
        }
        Call existing = calls.get(callId);
        if (existing != null) {
            if (existing.inviteBranch.equals(branch(request))) {
                // a retransmission while the answer is being made (a final answer is resent by the stack's cache)
                synchronized (existing) {
                    if (existing.phase == Call.Phase.PROCEEDING) {
                        exchange.respond(exchange.createResponse(Response.TRYING));
                    }
                }
            } else {
                exchange.respond(Response.LOOP_DETECTED, "Loop Detected (Call-ID " + callId + " is in a call already)");
            }
            return;
        }
        SipAuthenticator auth = authenticator;
        if (auth == null) {
            // the registrar's authenticator is being replaced (bundle update): fail closed, the UA retries
            respondRetryAfter(exchange, "Service Unavailable (authentication is restarting)");
            return;
        }
        if (!auth.authenticate(exchange).proceed()) {
            return;
        }
        AudioBridge engine = bridge();
        if (engine == null) {
            respondRetryAfter(exchange, "Service Unavailable (the audio engine is not running)");
            return;
        }
        CallsConfig cfg = config;
        if (calls.size() >= cfg.max_calls()) {
            respondRetryAfter(exchange, "Service Unavailable (" + cfg.max_calls() + " calls in progress)");
            return;
        }
        java.net.InetAddress source = exchange.flow().remote().getAddress();
        if (calls.values().stream().filter(c -> c.flow.remote().getAddress().equals(source)).count() >= cfg.max_calls_per_source()) {
            respondRetryAfter(exchange, "Service Unavailable (" + cfg.max_calls_per_source() + " calls from " + source.getHostAddress() + ")");
            return;
        }
        String target = request.getRequestURI() instanceof SipURI uri ? SinkDirectory.unescape(uri.getUser()) : null;
        ConfigurationManager cm = configuration;
        DeviceRegistry dr = registry;
        Optional<Sink> found = SinkDirectory.find(target, cm == null ? List.of() : cm.sinks(), dr == null ? List.of() : dr.devices());
        if (found.isEmpty()) {
            exchange.respond(Response.NOT_FOUND, target == null || target.isBlank()
                    ? "Not Found (name a sink: sip:<sink name or uuid>@server)" : "Not Found (no sink " + target + ")");
            return;
        }
        Sink sink = found.get();
        if (!sink.enabled()) {
            exchange.respond(Response.TEMPORARILY_UNAVAILABLE, "Temporarily Unavailable (sink " + sink.id() + " is disabled)");
            return;
        }
        byte[] body = request.getRawContent();
        if (body == null || body.length == 0) {
            reject488(exchange, 304, "no offer: an INVITE without SDP is not supported");
            return;
        }
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        if (type == null || !"application".equalsIgnoreCase(type.getContentType()) || !"sdp".equalsIgnoreCase(type.getContentSubType())) {
            Response r = exchange.createResponse(Response.UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type (the offer must be application/sdp)");
            try {
                r.setHeader(messages.headers().createAcceptHeader("application", "sdp"));
            } catch (ParseException e) {
                throw new IllegalStateException(e);
            }
            exchange.respond(r);
            return;
        }
        String offerText = new String(body, StandardCharsets.UTF_8);
        ParseResult parsed = SdpParser.parseLenient(offerText);
        if (parsed.hasErrors()) {
            exchange.respond(Response.BAD_REQUEST, "Bad Request (malformed SDP: " + parsed.errors().get(0) + ")");
            return;
        }
        SessionDescription offer = parsed.description();
        Optional<MediaDescription> audio = offer.media().stream()
                .filter(m -> m.media().equalsIgnoreCase("audio") && m.port() != 0).findFirst();
        if (audio.isEmpty()) {
            reject488(exchange, 304, "no audio stream offered");
            return;
        }
        String proto = audio.get().protocol().toUpperCase(java.util.Locale.ROOT);
        CallInfo.Kind kind;
        if (proto.contains("SAVP") && offer.fingerprint(audio.get()).isPresent()) {
            kind = CallInfo.Kind.WEBRTC;
        } else if (proto.equals("RTP/AVP") || proto.equals("RTP/AVPF")) {
            kind = CallInfo.Kind.RTP;
        } else {
            reject488(exchange, 302, "transport " + audio.get().protocol() + " not supported: offer RTP/AVP, or "
                    + "UDP/TLS/RTP/SAVPF with a DTLS fingerprint");
            return;
        }
        // plain RTP: the answer is known now, so a 488 goes out before any listener exists
        SessionDescription rtpAnswer = null;
        InetSocketAddress mediaTarget = null;
        String localAddress = localAddressFor(exchange.flow());
        String sessionId = Long.toString(System.currentTimeMillis());
        if (kind == CallInfo.Kind.RTP) {
            LocalCapabilities placeholder = RtpNegotiation.local(localAddress, 9, sessionId);
            try {
                rtpAnswer = OfferAnswer.answer(offer, placeholder, RtpNegotiation.origin(placeholder));
            } catch (OfferRejectedException e) {
                reject488(exchange, e.reason() == OfferRejectedException.Reason.NO_COMMON_CODEC ? 305 : 304, e.getMessage());
                return;
            }
            mediaTarget = MediaTarget.choose(offer, audio.get(), exchange.flow());
        }
        Call call;
        try {
            call = newCall(exchange, callId, sink, kind, engine);
        } catch (ParseException | RuntimeException e) {
            exchange.respond(Response.BAD_REQUEST, "Bad Request (" + e.getMessage() + ")");
            return;
        }
        if (calls.putIfAbsent(callId, call) != null) {
            exchange.respond(Response.LOOP_DETECTED, "Loop Detected (Call-ID " + callId + " is in a call already)");
            return;
        }
        exchange.respond(exchange.createResponse(Response.TRYING));
        LOG.info("call {} from {} to sink {} ({}): proceeding", callId, exchange.flow(), sink.id(), kind);
        synchronized (call) {
            call.deadline = executor.schedule(() -> answerDeadline(call), cfg.answer_deadline_ms(), TimeUnit.MILLISECONDS);
        }
        if (kind == CallInfo.Kind.WEBRTC) {
            engine.addWebRtcListener(sink.id(), callId, offerText, sdp -> { }, (candidate, mid) ->
                            executor.execute(() -> localCandidate(call, candidate, mid)), exchange.flow().address())
                    .whenCompleteAsync((answer, failure) -> webRtcAnswered(call, answer, failure), executor);
        } else {
            SessionDescription placeholderAnswer = rtpAnswer;
            MediaDescription accepted = RtpNegotiation.acceptedAudio(placeholderAnswer).orElseThrow();
            RtpCodec codec = RtpNegotiation.codecOf(accepted);
            InetSocketAddress target2 = mediaTarget;
            synchronized (call) {
                call.media = target2.getAddress().getHostAddress() + ":" + target2.getPort();
            }
            // media wait for the ACK with our To-tag (onAck): the offer's address may be forged until then
            engine.prepareRtpListener(sink.id(), callId, codec, target2)
                    .whenCompleteAsync((local, failure) -> rtpAnswered(call, offer, localAddress, sessionId, local, failure), executor);
        }
    }

    /**
     * Our To-tag: 64 random bits. An ACK must carry it, so whoever did not receive our answer (a forged INVITE's
     * source) cannot confirm the call (JAIN-SIP's own tags are 32 bits of a predictable generator).
     */
    private String newTag() {
        return Long.toHexString(tags.nextLong() | Long.MIN_VALUE);
    }

    private Call newCall(SipExchange exchange, String callId, Sink sink, CallInfo.Kind kind, AudioBridge engine) throws ParseException {
        Request request = exchange.request();
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        ContactHeader contact = (ContactHeader) request.getHeader(ContactHeader.NAME);
        if (contact == null) {
            throw new ParseException("an INVITE needs a Contact (RFC 3261 8.1.1.8)", 0);
        }
        List<Address> routes = new ArrayList<>();
        ListIterator<?> rr = request.getHeaders(RecordRouteHeader.NAME);
        while (rr.hasNext()) {
            routes.add((Address) ((RecordRouteHeader) rr.next()).getAddress().clone());
        }
        CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
        return new Call(callId, sink, exchange.flow(), kind, engine, exchange, branch(request), cseq.getSeqNumber(),
                newTag(), from.getTag(), (Address) to.getAddress().clone(),
                (Address) from.getAddress().clone(), (URI) contact.getAddress().getURI().clone(), routes);
    }

    /** Executor: the engine answered a WebRTC offer (or failed to). */
    private void webRtcAnswered(Call call, String answer, Throwable failure) {
        if (failure != null) {
            engineFailed(call, failure);
            return;
        }
        ParseResult parsed = SdpParser.parseLenient(answer);
        synchronized (call) {
            SessionDescription d = parsed.description();
            d.firstMedia("audio").ifPresent(m -> {
                call.iceUfrag = d.iceUfrag(m).orElse(null);
                call.icePwd = d.icePwd(m).orElse(null);
                call.mid = m.mid().orElse("0");
                call.answeredCandidates.addAll(m.candidates());
            });
            call.media = "webrtc:" + call.flow.address();
        }
        sendAnswer(call, answer);
    }

    /** Executor: the engine's RTP listener exists (or could not be made); the answer gets its real port. */
    private void rtpAnswered(Call call, SessionDescription offer, String localAddress, String sessionId,
            InetSocketAddress local, Throwable failure) {
        if (failure != null) {
            engineFailed(call, failure);
            return;
        }
        String address = local.getAddress() == null || local.getAddress().isAnyLocalAddress()
                ? localAddress : local.getAddress().getHostAddress();
        LocalCapabilities caps = RtpNegotiation.local(address, local.getPort(), sessionId);
        String answer;
        try {
            answer = SdpWriter.write(RtpNegotiation.withPacketTime(OfferAnswer.answer(offer, caps, RtpNegotiation.origin(caps))));
        } catch (OfferRejectedException e) {
            engineFailed(call, e); // cannot happen: the same offer was accepted before
            return;
        }
        sendAnswer(call, answer);
    }

    private void sendAnswer(Call call, String answerSdp) {
        Response ok;
        synchronized (call) {
            if (call.phase != Call.Phase.PROCEEDING) {
                // cancelled, timed out or hung up meanwhile: the listener must not outlive the call
                removeListener(call);
                return;
            }
            try {
                ok = call.invite.createResponse(Response.OK);
                dialogResponse(call, ok);
                ok.setContent(answerSdp, messages.headers().createContentTypeHeader("application", "sdp"));
            } catch (ParseException e) {
                LOG.error("call {}: cannot build the 200 OK", call.callId, e);
                failBeforeAnswer(call, Response.SERVER_INTERNAL_ERROR, "Server Internal Error (cannot build the answer)");
                return;
            }
            call.answerSdp = answerSdp;
            call.phase = Call.Phase.ANSWERED;
            if (call.deadline != null) {
                call.deadline.cancel(false);
                call.deadline = null;
            }
            sendFinal(call, call.invite, ok, call.inviteCSeq);
        }
        LOG.info("call {} to sink {}: answered", call.callId, call.sink.id());
    }

    /** Tag, Contact, Record-Route and Allow of a 2xx in this dialog. */
    private void dialogResponse(Call call, Response ok) throws ParseException {
        HeaderFactory h = messages.headers();
        ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag(call.localTag);
        ok.setHeader(h.createContactHeader(messages.addresses().createAddress(contactUri(call))));
        ListIterator<?> rr = call.invite.request().getHeaders(RecordRouteHeader.NAME);
        while (rr.hasNext()) {
            ok.addHeader((RecordRouteHeader) ((RecordRouteHeader) rr.next()).clone());
        }
        ok.setHeader(h.createAllowHeader(ALLOW));
        if (call.kind == CallInfo.Kind.WEBRTC) {
            ok.setHeader(h.createHeader("Recv-Info", "trickle-ice"));
        }
    }

    private SipURI contactUri(Call call) throws ParseException {
        ListeningPoint lp = listeningPoints.get(call.flow.transport());
        String host = lp != null && !isWildcard(lp.address()) ? lp.address() : localAddressFor(call.flow);
        int port = lp != null ? lp.port() : call.invite.request().getRequestURI() instanceof SipURI s ? s.getPort() : -1;
        return org.screamrouter.sip.stack.ContactUris.of(messages.addresses(), call.flow.transport(), host, port,
                call.invite.request().getRequestURI().isSipURI() && ((SipURI) call.invite.request().getRequestURI()).isSecure());
    }

    /** Sends a final INVITE response and retransmits it over UDP until its ACK (or 64*T1). */
    private void sendFinal(Call call, SipExchange exchange, Response response, long cseq) {
        synchronized (call) {
            call.awaitingAck = response;
            call.awaitingAckExchange = exchange;
            call.awaitingAckCSeq = cseq;
            exchange.respond(response);
            long t1 = config.t1_ms();
            long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(64 * t1);
            scheduleRetransmission(call, response, t1, giveUpAt);
        }
    }

    private void scheduleRetransmission(Call call, Response response, long interval, long giveUpAt) {
        ScheduledThreadPoolExecutor ex = executor;
        if (ex.isShutdown()) {
            return;
        }
        long delay = Math.min(interval, Math.max(0, TimeUnit.NANOSECONDS.toMillis(giveUpAt - System.nanoTime())));
        call.retransmission = ex.schedule(() -> retransmit(call, response, interval, giveUpAt), delay, TimeUnit.MILLISECONDS);
    }

    private void retransmit(Call call, Response response, long interval, long giveUpAt) {
        boolean noAck;
        synchronized (call) {
            if (call.awaitingAck != response) {
                return; // acknowledged, or replaced
            }
            noAck = System.nanoTime() - giveUpAt >= 0;
            if (!noAck) {
                if ("udp".equals(call.flow.transport())) {
                    call.awaitingAckExchange.respond(response);
                }
                scheduleRetransmission(call, response, Math.min(interval * 2, 8L * config.t1_ms()), giveUpAt);
                return;
            }
            call.awaitingAck = null;
            call.retransmission = null;
        }
        if (response.getStatusCode() / 100 == 2) {
            LOG.info("call {}: no ACK for the 200 OK within 64*T1, ending it", call.callId);
            hangup(call, "no ACK", 408);
        } else {
            forget(call);
        }
    }

    private void onAck(SipExchange exchange) {
        Request request = exchange.request();
        Call call = calls.get(callId(request));
        if (call == null) {
            return;
        }
        long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        String toTag = ((ToHeader) request.getHeader(ToHeader.NAME)).getTag();
        if (!call.localTag.equals(toTag)) {
            // not from whoever got our answer (RFC 3261 17.2.3 / 12.2.2 match on our tag): a forged INVITE's ACK
            LOG.debug("call {}: ACK without our To-tag (had {}) from {}: ignored", call.callId, toTag, exchange.flow());
            return;
        }
        boolean confirmed = false;
        boolean over = false;
        boolean startMedia = false;
        synchronized (call) {
            if (call.awaitingAck == null || call.awaitingAckCSeq != cseq) {
                return; // a retransmitted ACK, or one for something else
            }
            int status = call.awaitingAck.getStatusCode();
            call.awaitingAck = null;
            if (call.retransmission != null) {
                call.retransmission.cancel(false);
                call.retransmission = null;
            }
            if (status / 100 != 2) {
                over = true;
            } else if (call.phase == Call.Phase.ANSWERED) {
                call.phase = Call.Phase.CONFIRMED;
                confirmed = true;
                startMedia = call.kind == CallInfo.Kind.RTP;
            }
        }
        if (over) {
            forget(call);
        } else if (confirmed) {
            LOG.info("call {} to sink {}: confirmed", call.callId, call.sink.id());
            if (startMedia) {
                call.bridge.startRtpListener(call.sink.id(), call.callId).whenComplete((v, e) -> {
                    if (e != null) executor.execute(() -> hangup(call, "media could not start: " + e.getMessage(), 500));
                });
            }
            executor.execute(() -> flushCandidates(call));
        }
    }

    private void onReInvite(SipExchange exchange, String callId) {
        Call call = inDialog(exchange, callId);
        if (call == null) {
            return;
        }
        long cseq = ((CSeqHeader) exchange.request().getHeader(CSeqHeader.NAME)).getSeqNumber();
        synchronized (call) {
            if (call.phase != Call.Phase.CONFIRMED) {
                exchange.respond(Response.REQUEST_PENDING, "Request Pending (the call is not confirmed)");
                return;
            }
            if (call.awaitingAck != null) {
                Response r = exchange.createResponse(Response.SERVER_INTERNAL_ERROR, "Server Internal Error (previous INVITE not acknowledged)");
                setRetryAfter(r, 1);
                exchange.respond(r);
                return;
            }
            call.remoteCSeq = Math.max(call.remoteCSeq, cseq);
            // the session is unchanged: the current answer, same o= version (RFC 3264 section 8)
            try {
                Response ok = exchange.createResponse(Response.OK);
                dialogResponse(call, ok);
                ok.setContent(call.answerSdp, messages.headers().createContentTypeHeader("application", "sdp"));
                sendFinal(call, exchange, ok, cseq);
            } catch (ParseException e) {
                exchange.respond(Response.SERVER_INTERNAL_ERROR, "Server Internal Error (" + e.getMessage() + ")");
            }
        }
        LOG.debug("call {}: re-INVITE answered with the current session", callId);
    }

    private void onBye(SipExchange exchange) {
        Call call = inDialog(exchange, callId(exchange.request()));
        if (call == null) {
            return;
        }
        exchange.respond(Response.OK, null);
        LOG.info("call {} to sink {}: ended by the peer (BYE) after {} s", call.callId, call.sink.id(),
                Duration.between(call.started, java.time.Instant.now()).toSeconds());
        synchronized (call) {
            call.phase = Call.Phase.ENDED;
        }
        forget(call);
    }

    private void onCancel(SipExchange exchange) {
        Request request = exchange.request();
        Call call = calls.get(callId(request));
        if (call == null || !call.inviteBranch.equals(branch(request))) {
            exchange.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "Call/Transaction Does Not Exist");
            return;
        }
        exchange.respond(Response.OK, null);
        boolean cancelled = false;
        synchronized (call) {
            if (call.phase == Call.Phase.PROCEEDING) {
                cancelled = true;
                failBeforeAnswer(call, Response.REQUEST_TERMINATED, "Request Terminated");
            }
        }
        if (cancelled) {
            LOG.info("call {} to sink {}: cancelled", call.callId, call.sink.id());
        }
    }

    private void onInfo(SipExchange exchange) {
        Request request = exchange.request();
        Call call = inDialog(exchange, callId(request));
        if (call == null) {
            return;
        }
        byte[] body = request.getRawContent();
        if (body == null || body.length == 0) {
            exchange.respond(Response.OK, null);
            return;
        }
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        String mime = type == null ? "" : type.getContentType() + "/" + type.getContentSubType();
        if (!TRICKLE.equalsIgnoreCase(mime)) {
            Response r = exchange.createResponse(Response.UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type (INFO carries " + TRICKLE + ")");
            try {
                r.setHeader(messages.headers().createAcceptHeader("application", "trickle-ice-sdpfrag"));
            } catch (ParseException e) {
                throw new IllegalStateException(e);
            }
            exchange.respond(r);
            return;
        }
        SdpFragment.Lenient parsed = SdpFragment.parseLenient(new String(body, StandardCharsets.UTF_8));
        if (parsed.diagnostics().stream().anyMatch(org.screamrouter.sip.sdp.Diagnostic::isError)) {
            exchange.respond(Response.BAD_REQUEST, "Bad Request (malformed sdpfrag: "
                    + parsed.diagnostics().stream().filter(org.screamrouter.sip.sdp.Diagnostic::isError).findFirst().orElseThrow() + ")");
            return;
        }
        AudioBridge engine = call.bridge;
        int count = 0;
        if (engine != null && call.kind == CallInfo.Kind.WEBRTC) {
            for (MediaDescription m : parsed.fragment().media()) {
                String mid = m.mid().orElse(call.mid);
                for (Candidate c : m.candidates()) {
                    engine.addRemoteIceCandidate(call.sink.id(), call.callId, "candidate:" + c.toAttributeValue(), mid)
                            .whenComplete((v, e) -> {
                                if (e != null) LOG.debug("call {}: candidate refused: {}", call.callId, e.toString());
                            });
                    count++;
                }
            }
        }
        exchange.respond(Response.OK, null);
        LOG.debug("call {}: {} remote candidates from INFO", call.callId, count);
    }

    /** The call a request with a To tag belongs to, or null after answering 481. */
    private Call inDialog(SipExchange exchange, String callId) {
        Request request = exchange.request();
        Call call = calls.get(callId);
        String toTag = toTag(request);
        String fromTag = ((FromHeader) request.getHeader(FromHeader.NAME)).getTag();
        if (call == null || toTag == null || !toTag.equals(call.localTag) || fromTag == null || !fromTag.equals(call.remoteTag)) {
            exchange.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "Call/Transaction Does Not Exist");
            return null;
        }
        synchronized (call) {
            if (call.phase == Call.Phase.ENDED || call.phase == Call.Phase.REJECTED) {
                exchange.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "Call/Transaction Does Not Exist");
                return null;
            }
        }
        return call;
    }

    // the engine

    private void answerDeadline(Call call) {
        synchronized (call) {
            if (call.phase != Call.Phase.PROCEEDING) {
                return;
            }
            call.deadline = null;
            LOG.info("call {} to sink {}: the audio engine did not answer within {} ms", call.callId, call.sink.id(),
                    config.answer_deadline_ms());
            failBeforeAnswer(call, Response.SERVER_INTERNAL_ERROR,
                    "Server Internal Error (the audio engine did not answer within " + config.answer_deadline_ms() + " ms)");
        }
    }

    private void engineFailed(Call call, Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        synchronized (call) {
            if (call.phase != Call.Phase.PROCEEDING) {
                return;
            }
            LOG.info("call {} to sink {}: the audio engine refused the offer: {}", call.callId, call.sink.id(), cause.toString());
            if (cause instanceof IllegalArgumentException) {
                Response r = call.invite.createResponse(Response.NOT_ACCEPTABLE_HERE);
                addWarning(r, 305, String.valueOf(cause.getMessage()));
                rejectCall(call, r);
            } else {
                failBeforeAnswer(call, Response.SERVER_INTERNAL_ERROR, "Server Internal Error (audio engine: " + cause.getMessage() + ")");
            }
        }
    }

    /** Caller holds the call's lock: a final error response to the INVITE, the listener removed. */
    private void failBeforeAnswer(Call call, int status, String reason) {
        rejectCall(call, call.invite.createResponse(status, sanitize(reason)));
    }

    private void rejectCall(Call call, Response response) {
        call.phase = Call.Phase.REJECTED;
        if (call.deadline != null) {
            call.deadline.cancel(false);
            call.deadline = null;
        }
        removeListener(call);
        sendFinal(call, call.invite, response, call.inviteCSeq);
    }

    /** Executor: a candidate the engine found after its answer; goes out in INFO once the dialog is confirmed. */
    private void localCandidate(Call call, String candidate, String mid) {
        synchronized (call) {
            if (candidate == null) {
                call.pendingEndOfCandidates = true;
            } else {
                call.pendingCandidates.add(candidate);
            }
            if (mid != null) {
                call.mid = mid;
            }
        }
        flushCandidates(call);
    }

    /** Sends what candidates wait, in one INFO at a time (RFC 8840 section 4.3), once the dialog is confirmed. */
    private void flushCandidates(Call call) {
        Request info;
        synchronized (call) {
            if (call.phase != Call.Phase.CONFIRMED || call.infoInFlight
                    || (call.pendingCandidates.isEmpty() && !call.pendingEndOfCandidates)) {
                return;
            }
            List<Candidate> candidates = new ArrayList<>();
            for (String c : call.pendingCandidates) {
                Candidate.parse(c).filter(parsed -> !call.answeredCandidates.contains(parsed)).ifPresent(candidates::add);
            }
            if (candidates.isEmpty() && !call.pendingEndOfCandidates) {
                call.pendingCandidates.clear();
                return; // all of them were in the answer already
            }
            SdpFragment fragment = SdpFragment.of(call.iceUfrag == null ? "" : call.iceUfrag, call.icePwd == null ? "" : call.icePwd,
                    "audio", call.mid, candidates, call.pendingEndOfCandidates);
            try {
                info = inDialogRequest(call, Request.INFO);
                info.setHeader(messages.headers().createHeader("Info-Package", "trickle-ice"));
                info.setContent(fragment.toSdpFrag(), messages.headers().createContentTypeHeader("application", "trickle-ice-sdpfrag"));
            } catch (ParseException e) {
                LOG.warn("call {}: cannot build INFO: {}", call.callId, e.getMessage());
                return;
            }
            call.pendingCandidates.clear();
            call.pendingEndOfCandidates = false;
            call.infoInFlight = true;
        }
        sender.send(info, call.flow, Duration.ofMillis(config.bye_timeout_ms())).whenCompleteAsync((r, e) -> {
            synchronized (call) {
                call.infoInFlight = false;
            }
            if (e != null || r.getStatusCode() >= 300) {
                LOG.debug("call {}: trickle INFO answered {}", call.callId, e != null ? e.toString() : r.getStatusCode());
            }
            flushCandidates(call);
        }, executor);
    }

    // server-side ending

    /** Ends a call from the server side; completes when it is over (BYE answered or timed out). */
    private CompletionStage<Void> hangup(Call call, String why, int statusBeforeAnswer) {
        Request bye;
        synchronized (call) {
            switch (call.phase) {
                case PROCEEDING -> {
                    failBeforeAnswer(call, statusBeforeAnswer, (statusBeforeAnswer == 503 ? "Service Unavailable (" : "Call Ended (") + why + ")");
                    return CompletableFuture.completedFuture(null);
                }
                case ANSWERED, CONFIRMED -> {
                    call.phase = Call.Phase.ENDING;
                    call.awaitingAck = null;
                    call.cancelTimers();
                    try {
                        bye = inDialogRequest(call, Request.BYE);
                        bye.setHeader(messages.headers().createHeader("Reason", "SIP;cause=200;text=\"" + sanitize(why) + "\""));
                    } catch (ParseException e) {
                        LOG.warn("call {}: cannot build BYE: {}", call.callId, e.getMessage());
                        forget(call);
                        return CompletableFuture.completedFuture(null);
                    }
                }
                default -> {
                    return CompletableFuture.completedFuture(null);
                }
            }
        }
        LOG.info("call {} to sink {}: ending ({}), BYE sent", call.callId, call.sink.id(), why);
        removeListener(call);
        return sender.send(bye, call.flow, Duration.ofMillis(config.bye_timeout_ms())).handle((r, e) -> {
            if (e != null) {
                LOG.info("call {}: BYE not answered: {}", call.callId, e.getMessage());
            }
            synchronized (call) {
                call.phase = Call.Phase.ENDED;
            }
            calls.remove(call.callId, call);
            return null;
        });
    }

    /** A BYE or INFO in the dialog (RFC 3261 12.2.1.1), addressed to the remote target; sent to the call's flow. */
    private Request inDialogRequest(Call call, String method) throws ParseException {
        HeaderFactory h = messages.headers();
        try {
            CallIdHeader callId = h.createCallIdHeader(call.callId);
            CSeqHeader cseq = h.createCSeqHeader(++call.localCSeq, method);
            FromHeader from = h.createFromHeader((Address) call.localAddress.clone(), call.localTag);
            ToHeader to = h.createToHeader((Address) call.remoteAddress.clone(), call.remoteTag);
            Request request = messages.messages().createRequest((URI) call.remoteTarget.clone(), method, callId, cseq, from, to,
                    List.<ViaHeader>of(), h.createMaxForwardsHeader(70));
            for (Address route : call.routeSet) {
                request.addHeader(h.createRouteHeader((Address) route.clone()));
            }
            return request;
        } catch (javax.sip.InvalidArgumentException e) {
            throw new ParseException(e.getMessage(), 0);
        }
    }

    private void removeListener(Call call) {
        AudioBridge engine = call.bridge;
        if (engine != null) {
            engine.removeListener(call.sink.id(), call.callId).whenComplete((existed, e) -> {
                if (e != null) LOG.debug("call {}: removing its listener failed: {}", call.callId, e.toString());
            });
        }
    }

    /** The call is over: its listener and timers go; a rejected call is forgotten once its ACK came or timed out. */
    private void forget(Call call) {
        call.cancelTimers();
        synchronized (call) {
            call.phase = Call.Phase.ENDED;
        }
        removeListener(call);
        calls.remove(call.callId, call);
    }

    // the bridge dropped a listener (ListenerEndedRelay), and FlowListener

    @Override
    public void handleEvent(Event event) {
        Call call = calls.get(String.valueOf(event.getProperty(ListenerEndedRelay.LISTENER)));
        if (call != null && call.sink.id().equals(event.getProperty(ListenerEndedRelay.SINK))) {
            executor.execute(() -> hangup(call, "media ended: " + event.getProperty(ListenerEndedRelay.REASON), 500));
        }
    }

    @Override
    public void keepAlive(Flow flow) {
        // a sign of life; nothing to do for calls
    }

    @Override
    public void closed(Flow flow) {
        for (Call call : List.copyOf(calls.values())) {
            if (call.flow.equals(flow)) {
                LOG.info("call {} to sink {}: its {} connection closed, call ended", call.callId, call.sink.id(), flow.transport());
                forget(call);
            }
        }
    }

    // Calls

    @Override
    public List<CallInfo> calls() {
        List<CallInfo> out = new ArrayList<>();
        for (Call call : calls.values()) {
            CallInfo info = info(call);
            if (info != null) out.add(info);
        }
        out.sort(Comparator.comparing(CallInfo::started));
        return out;
    }

    @Override
    public Optional<CallInfo> call(String callId) {
        Call call = calls.get(callId);
        return call == null ? Optional.empty() : Optional.ofNullable(info(call));
    }

    @Override
    public boolean hangup(String callId) {
        Call call = calls.get(callId);
        if (call == null || call.listedState() == null) {
            return false;
        }
        hangup(call, "hung up by the server", Response.TEMPORARILY_UNAVAILABLE);
        return true;
    }

    private CallInfo info(Call call) {
        CallInfo.State state = call.listedState();
        if (state == null) {
            return null;
        }
        AudioBridge engine = call.bridge;
        long packets = 0;
        String media;
        synchronized (call) {
            media = call.media;
        }
        if (engine != null) {
            Optional<ListenerInfo> l = engine.listener(call.sink.id(), call.callId);
            if (l.isPresent()) {
                packets = l.get().packetsSent();
                if (call.kind == CallInfo.Kind.WEBRTC && l.get().peer() != null) {
                    media = l.get().peer();
                }
            }
        }
        return new CallInfo(call.callId, call.sink.id(), call.flow.toString(), call.kind, state, call.started, packets, media);
    }

    // helpers

    private void reject488(SipExchange exchange, int warnCode, String text) {
        Response r = exchange.createResponse(Response.NOT_ACCEPTABLE_HERE);
        addWarning(r, warnCode, text);
        exchange.respond(r);
    }

    private void addWarning(Response r, int code, String text) {
        try {
            r.setHeader(messages.headers().createWarningHeader("screamrouter", code, sanitize(text)));
        } catch (ParseException | javax.sip.InvalidArgumentException e) {
            LOG.debug("no Warning header: {}", e.toString());
        }
    }

    private void respondRetryAfter(SipExchange exchange, String reason) {
        Response r = exchange.createResponse(Response.SERVICE_UNAVAILABLE, reason);
        setRetryAfter(r, 5);
        exchange.respond(r);
    }

    private void setRetryAfter(Response r, int seconds) {
        try {
            r.setHeader(messages.headers().createRetryAfterHeader(seconds));
        } catch (javax.sip.InvalidArgumentException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Text for a reason phrase, Warning or quoted string: printable, no quotes or line breaks. */
    static String sanitize(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && sb.length() < 200; i++) {
            char c = text.charAt(i);
            sb.append(c < 0x20 || c == '"' || c == '\\' ? ' ' : c);
        }
        return sb.toString();
    }

    static String callId(Request request) {
        return ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    }

    static String toTag(Request request) {
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        return to == null ? null : to.getTag();
    }

    static String branch(Request request) {
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        return via == null || via.getBranch() == null ? "" : via.getBranch();
    }

    private static boolean isWildcard(String address) {
        return "0.0.0.0".equals(address) || "::".equals(address) || "[::]".equals(address);
    }

    /**
     * The local address the peer reaches this server at: the kernel's route choice toward the flow's address (a
     * connected UDP socket sends nothing). No name is resolved.
     */
    static String localAddressFor(Flow flow) {
        InetAddress peer = flow.remote().getAddress();
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(peer, 9);
            InetAddress local = probe.getLocalAddress();
            if (local != null && !local.isAnyLocalAddress()) {
                return local.getHostAddress();
            }
        } catch (SocketException e) {
            // fall through
        }
        return peer.isLoopbackAddress() ? peer.getHostAddress() : "127.0.0.1";
    }
}
