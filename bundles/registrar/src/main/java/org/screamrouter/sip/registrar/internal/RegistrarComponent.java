package org.screamrouter.sip.registrar.internal;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Collections;
import java.util.GregorianCalendar;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sip.InvalidArgumentException;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.RequireHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.UserAgentHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceEvents;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.registrar.StoreStatus;
import org.screamrouter.sip.registrar.PingResult;
import org.screamrouter.sip.registrar.SipAuthenticator;
import org.screamrouter.sip.sdp.DeviceCapabilities;
import org.screamrouter.sip.sdp.SdpParseException;
import org.screamrouter.sip.sdp.SdpParser;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.FlowListener;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipHeaders;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.SipResponses;
import org.screamrouter.sip.stack.SipStackStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registrar (RFC 3261 section 10.3) and keep-alive of ScreamRouter devices: REGISTER adds, refreshes and
 * removes the bindings of an address-of-record and answers with all of them; OPTIONS and CRLF keep-alives
 * count as signs of life; every online device is pinged. It is also the {@link DeviceRegistry}. Bindings and
 * devices are persisted (see {@link RegistrarStore}) and reloaded on activation, so a bundle update or a
 * restart keeps every binding that has not expired.
 */
@Component(service = {SipRequestHandler.class, FlowListener.class, DeviceRegistry.class}, configurationPid = RegistrarConfig.PID,
        property = {SipRequestHandler.METHOD + "=" + Request.REGISTER, SipRequestHandler.METHOD + "=" + Request.OPTIONS,
                SipRequestHandler.SUPPORTED + "=path"})
@Designate(ocd = RegistrarConfig.class)
public final class RegistrarComponent implements SipRequestHandler, FlowListener, DeviceRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrarComponent.class);
    /** The longest device UUID accepted (a UUID is 36 characters); longer gets 400 (issue 13: lengths capped at intake). */
    static final int MAX_UUID_LENGTH = 64;
    /** The longest Contact header value accepted (it is stored and listed in every 200 OK); longer gets 400. */
    static final int MAX_CONTACT_LENGTH = 512;
    /** The largest SDP body read and stored (a device's is under 1 KB); larger gets 413. */
    static final int MAX_SDP_BYTES = 8192;
    /** The longest User-Agent kept with a device; a longer one is cut there (it is only shown). */
    static final int MAX_USER_AGENT_LENGTH = 256;
    /** Extensions a REGISTER may Require (RFC 3261 8.2.2.3); everything else gets 420. */
    static final Set<String> SUPPORTED = Set.of("path");

    private final SipMessages messages;
    private final SipStackStatus stack;
    private final Clock clock;
    /**
     * Per-device lines (online, updated, offline, forgotten, binding expired): the first {@link #DETAILED_PER_INTERVAL}
     * of each {@link #SUMMARY_INTERVAL} at INFO, the rest at DEBUG, and one INFO line with the counts (issue 15).
     */
    private final ActivityLog activity;
    static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(10);
    static final int DETAILED_PER_INTERVAL = 5;
    private final BindingTable table = new BindingTable(this::contactUri);
    private final RegistrarStore store;
    private final DeviceBook book;
    private final KeepAlive keepAlive;
    /** Lets the requests in progress finish before {@link #deactivate} closes the store (see {@link RequestGate}). */
    private final org.screamrouter.sip.stack.RequestGate gate = new org.screamrouter.sip.stack.RequestGate("registrar");
    private final ScheduledExecutorService timer;
    private volatile RegistrarConfig config;
    private volatile EventAdmin eventAdmin;
    private volatile Set<String> ownAddresses = Set.of();
    /** Digest authentication (RFC 3261 10.3 step 3); DS binds it before activation, unit tests may leave it open. */
    private volatile SipAuthenticator authenticator = OPEN;
    private static final SipAuthenticator OPEN = new SipAuthenticator() {
        @Override public Outcome authenticate(SipExchange exchange) { return Outcome.open(); }
        @Override public boolean owns(String user, String addressOfRecord) { return true; }
    };

    @Activate
    public RegistrarComponent(@Reference SipMessages messages, @Reference SipClient client, @Reference SipStackStatus stack,
            RegistrarConfig config, BundleContext context) {
        this(messages, client, stack, config, Clock.systemUTC(), storeFile(config, context));
    }

    RegistrarComponent(SipMessages messages, SipClient client, SipStackStatus stack, RegistrarConfig config, Clock clock, Path storeFile) {
        this.messages = messages;
        this.stack = stack;
        this.config = config;
        this.clock = clock;
        this.store = new RegistrarStore(storeFile);
        this.activity = new ActivityLog(LoggerFactory.getLogger(DeviceBook.class), "registrar devices", SUMMARY_INTERVAL,
                DETAILED_PER_INTERVAL, clock);
        this.book = new DeviceBook(store, this::post, activity);
        this.keepAlive = new KeepAlive(book, client, clock);
        restore();
        refreshOwnAddresses();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-registrar-keepalive");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(this::refreshOwnAddresses, 30, 30, TimeUnit.SECONDS);
    }

    static Path storeFile(RegistrarConfig config, BundleContext context) {
        if (!config.store_path().isBlank()) {
            return Path.of(config.store_path());
        }
        String karafData = System.getProperty("karaf.data");
        return karafData != null ? Path.of(karafData, "screamrouter-sip", "registrar.mv")
                : context.getDataFile("registrar.mv").toPath();
    }

    @Reference
    void setAuthenticator(SipAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setEventAdmin(EventAdmin eventAdmin) {
        this.eventAdmin = eventAdmin;
    }

    void unsetEventAdmin(EventAdmin eventAdmin) {
        if (this.eventAdmin == eventAdmin) this.eventAdmin = null;
    }

    @Modified
    void modified(RegistrarConfig config) {
        this.config = config;
    }

    @Deactivate
    void deactivate() {
        // requests in progress finish before the store closes; later ones are held by the stack for the next revision
        if (!gate.close(java.time.Duration.ofSeconds(5))) {
            LOG.warn("registrar stopping with REGISTER/OPTIONS requests still in progress after 5 s");
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        activity.summarize(true);
        store.close();
    }

    /** A stored Contact URI parsed again (the binding table keeps the text only); unreadable: IllegalArgumentException. */
    private URI contactUri(String text) {
        try {
            return messages.addresses().createURI(text);
        } catch (ParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private void restore() {
        Instant now = clock.instant();
        int bindings = 0;
        for (Binding b : store.loadBindings()) {
            if (!b.expires().isAfter(now)) {
                store.remove(b);
                continue;
            }
            try {
                table.restore(b);
                bindings++;
            } catch (IllegalArgumentException e) {
                LOG.warn("dropping stored binding with unreadable contact {}: {}", b.contactUri(), e.getMessage());
                store.remove(b);
            }
        }
        int devices = 0;
        for (RegistrarStore.StoredDevice s : store.loadDevices()) {
            DeviceCapabilities caps = null;
            if (s.sdp() != null) {
                try {
                    caps = DeviceCapabilities.from(SdpParser.parse(s.sdp()));
                } catch (SdpParseException e) {
                    LOG.warn("stored SDP of {} no longer parses: {}", s.uuid(), e.getMessage());
                }
            }
            book.restore(new Device(s.uuid(), s.aor(), s.contactUri(), s.transport(), s.source(), caps, s.userAgent(),
                    s.online(), s.firstSeen(), s.online() ? now : s.lastSeen(), s.expires()), s.sdp(), s.owner());
            devices++;
        }
        if (bindings > 0 || devices > 0) {
            LOG.info("restored {} binding(s) and {} device(s)", bindings, devices);
        }
    }

    /** One keep-alive tick now, for tests that move the clock. */
    void tickForTest() {
        tick();
    }

    private void tick() {
        try {
            RegistrarConfig cfg = config;
            for (Binding b : table.expire(clock.instant())) {
                store.remove(b);
                activity.record("bindings expired", "binding expired: {} -> {}", b.addressOfRecord(), b.contactUri());
            }
            keepAlive.tick(Duration.ofSeconds(cfg.keepalive_interval()), Duration.ofSeconds(cfg.offline_timeout()), cfg.domain());
            Instant now = clock.instant();
            book.expire(now, Duration.ofSeconds(cfg.device_expiry()), d -> d.addressOfRecord() != null
                    && table.bindings(d.addressOfRecord(), now).stream().anyMatch(b -> b.contactUri().equals(d.contactUri())));
            activity.summarize(); // logs once per SUMMARY_INTERVAL
        } catch (RuntimeException e) {
            LOG.error("keep-alive tick failed", e);
        }
    }

    private void post(String topic, Device device) {
        EventAdmin admin = eventAdmin;
        if (admin != null) {
            admin.postEvent(new Event(topic, Map.of(DeviceEvents.UUID, device.uuid(), DeviceEvents.DEVICE, device)));
        }
    }

    @Override
    public void handle(SipExchange exchange) throws Exception {
        gate.enter();
        try {
            if (Request.OPTIONS.equals(exchange.request().getMethod())) {
                options(exchange);
            } else {
                register(exchange);
            }
        } finally {
            gate.leave();
        }
    }

    /** An RFC 5626 CRLF keep-alive on a TCP or WebSocket flow: a sign of life of the device registered on it. */
    @Override
    public void keepAlive(Flow flow) {
        book.uuidOfFlow(flow).ifPresent(uuid -> book.seen(uuid, clock.instant()));
    }

    /**
     * OPTIONS to the server (RFC 3261 11.2), also a device's keep-alive, but only on the flow of the device's
     * binding: the device it names, else the one registered on that flow. Anyone may ask for our capabilities;
     * an OPTIONS from another socket that names a device is answered and keeps nobody online.
     */
    private void options(SipExchange exchange) throws ParseException {
        Flow flow = exchange.flow();
        Optional<String> named = identify(exchange.request());
        Optional<String> alive = named.isPresent() && book.device(named.get()).isPresent()
                ? named.filter(uuid -> book.isFlowOf(uuid, flow)) : book.uuidOfFlow(flow);
        alive.ifPresent(uuid -> book.seen(uuid, clock.instant()));
        if (named.isPresent() && alive.isEmpty() && book.device(named.get()).isPresent()) {
            LOG.debug("OPTIONS naming device {} from {}, not its flow: no sign of life", DigestAuthenticator.printable(named.get()), flow);
        }
        Response response = exchange.createResponse(Response.OK);
        response.setHeader(messages.headers().createAllowHeader(String.join(", ", stack.servedMethods())));
        response.setHeader(messages.headers().createAcceptHeader("application", "sdp"));
        response.setHeader(messages.headers().createSupportedHeader(String.join(", ", SUPPORTED)));
        exchange.respond(response);
    }

    private void register(SipExchange exchange) throws Exception {
        Request request = exchange.request();
        RegistrarConfig cfg = config;

        if (!servesDomain(request.getRequestURI(), cfg)) {
            exchange.respond(Response.NOT_FOUND, "Domain Not Served Here");
            return;
        }
        String unsupported = unsupportedRequirements(request);
        if (unsupported != null) {
            Response response = exchange.createResponse(Response.BAD_EXTENSION, "Bad Extension");
            response.setHeader(messages.headers().createUnsupportedHeader(unsupported));
            exchange.respond(response);
            return;
        }
        SipAuthenticator auth = authenticator;
        SipAuthenticator.Outcome authenticated = auth.authenticate(exchange); // step 3; when refused it has answered
        if (!authenticated.proceed()) {
            return;
        }
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        String uuid = identify(request).orElse(null);
        if (uuid != null && uuid.length() > MAX_UUID_LENGTH) {
            refuse(exchange, Response.BAD_REQUEST, "Bad Request (device UUID longer than " + MAX_UUID_LENGTH + " characters)");
            return;
        }
        String aor = addressOfRecord(to.getAddress().getURI(), uuid, cfg);
        if (aor == null) {
            // RFC 4475 3.3.4: the AOR of a registration must be a SIP or SIPS URI (416 is for the Request-URI)
            exchange.respond(Response.BAD_REQUEST, "To must be a SIP or SIPS URI with a host");
            return;
        }
        // step 4: the AOR checked is the one the binding is filed under (sip:<uuid>@<domain> for a ScreamRouter device)
        if (authenticated.user().isPresent() && !auth.owns(authenticated.user().get(), aor)) {
            LOG.info("REGISTER refused: user {}, from {}, address-of-record {} is not theirs", authenticated.user().get(), exchange.flow(), aor);
            exchange.respond(Response.FORBIDDEN, "Forbidden (AOR not yours)");
            return;
        }
        String sdp = null;
        DeviceCapabilities capabilities = null;
        if (request.getRawContent() != null && request.getRawContent().length > 0) {
            ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
            if (type == null || !"application".equalsIgnoreCase(type.getContentType()) || !"sdp".equalsIgnoreCase(type.getContentSubType())) {
                exchange.respond(SipResponses.unsupportedMediaType(exchange, messages.headers(), "Only application/sdp bodies are read",
                        "application", "sdp"));
                return;
            }
            if (request.getRawContent().length > MAX_SDP_BYTES) {
                refuse(exchange, Response.REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large (SDP body longer than " + MAX_SDP_BYTES + " bytes)");
                return;
            }
            sdp = new String(request.getRawContent(), StandardCharsets.UTF_8);
            try {
                capabilities = DeviceCapabilities.from(SdpParser.parse(sdp));
            } catch (SdpParseException e) {
                exchange.respond(Response.BAD_REQUEST, "Bad SDP: " + oneLine(e.getMessage()));
                return;
            }
        }

        String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        ExpiresHeader expiresHeader = request.getExpires();
        Instant now = clock.instant();

        List<ContactHeader> contacts = new ArrayList<>();
        for (ListIterator<Header> it = request.getHeaders(ContactHeader.NAME); it.hasNext(); ) {
            contacts.add((ContactHeader) it.next());
        }
        for (ContactHeader contact : contacts) {
            if (SipHeaders.value(contact).length() > MAX_CONTACT_LENGTH) {
                refuse(exchange, Response.BAD_REQUEST, "Bad Request (Contact longer than " + MAX_CONTACT_LENGTH + " characters)");
                return;
            }
            // RFC 5630: a sips: Contact asks to be reached over TLS only; the server reaches a device over the flow it
            // registered on, so that flow must be TLS (or secure WebSocket)
            if (!contact.isWildCard() && contact.getAddress().getURI() instanceof javax.sip.address.SipURI c && c.isSecure()
                    && !org.screamrouter.sip.stack.ContactUris.secure(exchange.flow().transport())) {
                refuse(exchange, Response.BAD_REQUEST, "Bad Request (a sips: Contact must be registered over TLS, not "
                        + exchange.flow().transport() + ")");
                return;
            }
        }
        boolean wildcard = contacts.stream().anyMatch(ContactHeader::isWildCard);
        if (wildcard && (contacts.size() != 1 || expiresHeader == null || expiresHeader.getExpires() != 0)) {
            exchange.respond(Response.BAD_REQUEST, "Contact * needs Expires: 0 and no other Contact");
            return;
        }
        // issue 13: a device belongs to the AOR (and user, or IP address) that registered it; nobody else may
        // register, refresh or remove its binding (docs/registrar-state.md, "Device ownership")
        String user = authenticated.user().orElse(null);
        if (!contacts.isEmpty() && refusedOwnership(exchange, uuid, aor, user, contacts, wildcard, now)) {
            return;
        }
        if (wildcard) {
            for (Binding b : table.removeAll(aor)) {
                removed(b, "Contact: *");
            }
            LOG.info("all bindings of {} removed", aor);
            exchange.respond(ok(exchange, List.of(), now));
            return;
        }

        List<String> path = new ArrayList<>();
        for (ListIterator<Header> it = request.getHeaders("Path"); it.hasNext(); ) {
            path.add(SipHeaders.value(it.next()));
        }
        List<BindingTable.Update> updates = new ArrayList<>();
        for (ContactHeader contact : contacts) {
            long seconds = contact.getExpires() >= 0 ? contact.getExpires()
                    : expiresHeader != null ? expiresHeader.getExpires() : cfg.default_expires();
            if (seconds > 0 && seconds < cfg.min_expires()) {
                exchange.respond(SipResponses.intervalTooBrief(exchange, messages.headers(), cfg.min_expires()));
                return;
            }
            seconds = Math.min(seconds, cfg.max_expires());
            ContactHeader stored = (ContactHeader) contact.clone();
            stored.removeParameter("expires");
            URI uri = contact.getAddress().getURI();
            Binding binding = new Binding(aor, uri.toString(), SipHeaders.value(stored), exchange.flow().transport(),
                    exchange.flow().remote(), now.plusSeconds(seconds), contact.getQValue(), callId, cseq, path, now);
            updates.add(new BindingTable.Update(uri, binding, seconds));
        }

        if (uuid != null && book.device(uuid).isEmpty() && updates.stream().anyMatch(u -> u.seconds() > 0)
                && refusedNewDevice(exchange, cfg)) {
            return;
        }
        BindingTable.Outcome outcome = table.apply(aor, updates, callId, cseq, now, cfg.max_contacts_per_aor(), cfg.max_bindings(),
                exchange.flow().remote().getAddress(), cfg.max_bindings_per_source());
        if (outcome instanceof BindingTable.Outcome.Applied applied) {
            for (BindingTable.Update u : updates) {
                if (u.seconds() > 0) {
                    store.put(u.binding());
                    if (uuid != null) {
                        UserAgentHeader ua = (UserAgentHeader) request.getHeader(UserAgentHeader.NAME);
                        book.registered(uuid, u.binding(), capabilities, sdp, ua == null ? null : cut(String.join(" ", iterable(ua.getProduct()))), user, now);
                    }
                } else {
                    removed(u.binding(), "Expires: 0");
                }
            }
            exchange.respond(ok(exchange, applied.current(), now));
            LOG.debug("REGISTER {} from {}: {} binding(s)", aor, exchange.flow(), applied.current().size());
        } else if (outcome instanceof BindingTable.Outcome.StaleCSeq stale) {
            exchange.respond(Response.BAD_REQUEST, "Out of order CSeq for Call-ID and Contact " + stale.contact());
        } else if (outcome instanceof BindingTable.Outcome.TooManyContacts tooMany) {
            exchange.respond(Response.FORBIDDEN, "Too many contacts for this address-of-record (limit " + tooMany.limit() + ")");
        } else if (outcome instanceof BindingTable.Outcome.SourceFull full) {
            refuse(exchange, Response.FORBIDDEN, "Forbidden (binding limit per address reached: " + full.limit() + ", max.bindings.per.source)");
        } else if (outcome instanceof BindingTable.Outcome.TableFull) {
            exchange.respond(SipResponses.serviceUnavailable(exchange, messages.headers(), "Registration table full", 300));
        }
    }

    /**
     * Whether a REGISTER that would make a new device is refused (and answered) for the device caps: in all 503 with
     * Retry-After (room comes back as devices expire: RFC 3261 21.5.4), per source address 403 (this address has its
     * share; asking again will not help, RFC 3261 21.4.4). Both name the limit and its setting.
     */
    private boolean refusedNewDevice(SipExchange exchange, RegistrarConfig cfg) throws Exception {
        if (book.size() >= cfg.max_devices()) {
            Response response = SipResponses.serviceUnavailable(exchange, messages.headers(),
                    "Service Unavailable (device limit reached: " + cfg.max_devices() + ", max.devices)", 300);
            LOG.debug("REGISTER from {}: {}", exchange.flow(), response.getReasonPhrase());
            exchange.respond(response);
            return true;
        }
        if (book.countFrom(exchange.flow().remote().getAddress()) >= cfg.max_devices_per_source()) {
            refuse(exchange, Response.FORBIDDEN, "Forbidden (device limit per address reached: " + cfg.max_devices_per_source()
                    + ", max.devices.per.source)");
            return true;
        }
        return false;
    }

    /** A refusal of the registrar's limits: the answer names the fault, one DEBUG line says who was refused. */
    private static void refuse(SipExchange exchange, int status, String reason) {
        LOG.debug("REGISTER from {}: {} {}", exchange.flow(), status, reason);
        exchange.respond(status, reason);
    }

    /**
     * Answers 403 and returns true when the REGISTER names a device, or would refresh or remove the binding of one,
     * that is not this AOR's (and user's, or address's): {@link DeviceBook#refusal}. Nothing has been changed yet.
     */
    private boolean refusedOwnership(SipExchange exchange, String uuid, String aor, String user, List<ContactHeader> contacts,
            boolean wildcard, Instant now) {
        Set<String> devices = new LinkedHashSet<>();
        if (uuid != null) devices.add(uuid);
        if (wildcard) {
            table.bindings(aor, now).forEach(b -> book.uuidOfBinding(b).ifPresent(devices::add));
        } else {
            for (ContactHeader c : contacts) {
                table.find(aor, c.getAddress().getURI()).flatMap(book::uuidOfBinding).ifPresent(devices::add);
            }
        }
        for (String device : devices) {
            Optional<String> fault = book.refusal(device, aor, user, exchange.flow().remote().getAddress());
            if (fault.isPresent()) {
                String owner = book.owner(device).map(o -> o.aor() + (o.user() == null ? "" : " (user " + o.user() + ")")).orElse("-");
                LOG.info("REGISTER refused: {} for {}{} from {}: {}; it belongs to {} at {}", DigestAuthenticator.printable(device),
                        aor, user == null ? "" : " (user " + user + ")", exchange.flow(), fault.get(), owner,
                        book.device(device).map(d -> d.source() == null ? "-" : d.source().getAddress().getHostAddress()).orElse("-"));
                exchange.respond(Response.FORBIDDEN, "Forbidden (" + fault.get() + ")");
                return true;
            }
        }
        return false;
    }

    private void removed(Binding b, String why) {
        store.remove(b);
        book.uuidOfBinding(b).ifPresent(uuid -> {
            keepAlive.forget(uuid);
            book.offline(uuid, "unregistered (" + why + ")");
        });
    }

    /**
     * The AOR of a REGISTER: its To URI, normalised (RFC 3261 10.3 step 5), except for a ScreamRouter device
     * that registers To the router itself (docs/devices.md): every such device would share one AOR and each
     * 200 OK would list every device, so it is filed under its own {@code sip:<uuid>@<domain>}.
     */
    private static String addressOfRecord(URI to, String uuid, RegistrarConfig cfg) {
        String aor = AddressOfRecord.canonical(to);
        if (aor != null && uuid != null && to instanceof SipURI sip && cfg.router_user().equals(sip.getUser())) {
            return "sip:" + uuid + "@" + cfg.domain().toLowerCase(Locale.ROOT);
        }
        return aor;
    }

    /**
     * The device UUID of a request (docs/devices.md): the From user part, else an {@code X-UUID} header, else
     * {@code a=x-screamrouter-uuid} in an SDP body.
     */
    Optional<String> identify(Request request) {
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        if (from != null && from.getAddress().getURI() instanceof SipURI sip && sip.getUser() != null && !sip.getUser().isBlank()) {
            return Optional.of(AddressOfRecord.unescape(sip.getUser()));
        }
        Header x = request.getHeader("X-UUID");
        if (x != null && !SipHeaders.value(x).isBlank()) {
            return Optional.of(SipHeaders.value(x));
        }
        byte[] body = request.getRawContent();
        if (body != null && body.length > 0) {
            return Optional.ofNullable(SdpParser.parseLenient(body).description().screamRouter().uuid());
        }
        return Optional.empty();
    }

    /** RFC 3261 10.3 step 1: the Request-URI names our domain or one of our own addresses. */
    private boolean servesDomain(URI requestUri, RegistrarConfig cfg) {
        if (!(requestUri instanceof SipURI sip)) {
            return false;
        }
        String host = sip.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        return host.equals(cfg.domain().toLowerCase(Locale.ROOT)) || ownAddresses.contains(host);
    }

    /** The addresses the stack listens on; for a wildcard bind, every local interface address. */
    private void refreshOwnAddresses() {
        Set<String> out = new HashSet<>();
        boolean wildcard = false;
        for (ListeningPoint lp : stack.listeningPoints()) {
            if (lp.address().equals("0.0.0.0") || lp.address().equals("::")) wildcard = true;
            else out.add(lp.address().toLowerCase(Locale.ROOT));
        }
        if (wildcard || out.isEmpty()) {
            try {
                for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                        String s = a.getHostAddress();
                        int scope = s.indexOf('%');
                        out.add((scope > 0 ? s.substring(0, scope) : s).toLowerCase(Locale.ROOT));
                    }
                }
            } catch (SocketException e) {
                LOG.warn("cannot list local addresses: {}", e.getMessage());
            }
        }
        ownAddresses = Set.copyOf(out);
    }

    /** 200 OK listing every current binding with its remaining time (RFC 3261 10.3 step 8), and a Date. */
    private Response ok(SipExchange exchange, List<Binding> current, Instant now) throws ParseException, InvalidArgumentException {
        HeaderFactory headers = messages.headers();
        Response response = exchange.createResponse(Response.OK);
        for (Binding b : current) {
            ContactHeader contact = (ContactHeader) headers.createHeader(ContactHeader.NAME, b.contactHeader());
            contact.setExpires((int) Math.min(Integer.MAX_VALUE, b.expiresIn(now)));
            response.addHeader(contact);
        }
        if (!current.isEmpty() && !current.get(0).path().isEmpty() && supportsPath(exchange.request())) {
            for (String p : current.get(0).path()) {
                response.addHeader(headers.createHeader("Path", p));
            }
        }
        Calendar date = new GregorianCalendar(TimeZone.getTimeZone("GMT"));
        date.setTimeInMillis(now.toEpochMilli());
        response.setHeader(headers.createDateHeader(date));
        return response;
    }

    private static boolean supportsPath(Request request) {
        for (ListIterator<Header> it = request.getHeaders("Supported"); it.hasNext(); ) {
            if (SipHeaders.value(it.next()).toLowerCase(Locale.ROOT).contains("path")) return true;
        }
        return false;
    }

    static String unsupportedRequirements(Request request) {
        List<String> unsupported = new ArrayList<>();
        for (Iterator<Header> it = request.getHeaders(RequireHeader.NAME); it.hasNext(); ) {
            String tag = ((RequireHeader) it.next()).getOptionTag();
            if (!SUPPORTED.contains(tag.toLowerCase(Locale.ROOT))) {
                unsupported.add(tag);
            }
        }
        return unsupported.isEmpty() ? null : String.join(", ", unsupported);
    }

    private static String cut(String userAgent) {
        return userAgent.length() <= MAX_USER_AGENT_LENGTH ? userAgent : userAgent.substring(0, MAX_USER_AGENT_LENGTH);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n]+", " ");
    }

    private static <T> Iterable<T> iterable(Iterator<T> it) {
        return () -> it;
    }

    // DeviceRegistry

    @Override
    public List<Binding> bindings() {
        return table.all(clock.instant());
    }

    @Override
    public List<Binding> bindings(String addressOfRecord) {
        String text = addressOfRecord.contains(":") ? addressOfRecord : "sip:" + addressOfRecord;
        try {
            String aor = AddressOfRecord.canonical(messages.addresses().createURI(text));
            return aor == null ? List.of() : table.bindings(aor, clock.instant());
        } catch (ParseException e) {
            return List.of();
        }
    }

    @Override
    public List<Device> devices() {
        return book.devices();
    }

    @Override
    public Optional<Device> device(String uuid) {
        return book.device(uuid);
    }

    @Override
    public CompletionStage<PingResult> ping(String uuid) {
        Optional<Device> d = book.device(uuid);
        if (d.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no device " + uuid));
        }
        return keepAlive.ping(d.get(), config.domain(), Duration.ofSeconds(5));
    }

    @Override
    public boolean unregister(String uuid) {
        Optional<Device> d = book.device(uuid);
        if (d.isEmpty() || d.get().addressOfRecord() == null) {
            return false;
        }
        boolean removed = false;
        for (Binding b : table.bindings(d.get().addressOfRecord(), clock.instant())) {
            if (b.contactUri().equals(d.get().contactUri()) && table.remove(b)) {
                removed(b, "sip:unregister");
                removed = true;
            }
        }
        book.offline(uuid, "unregistered by the operator");
        return removed;
    }

    @Override
    public boolean release(String uuid) {
        if (book.device(uuid).isEmpty()) {
            return false;
        }
        unregister(uuid);
        return book.release(uuid);
    }

    @Override
    public StoreStatus storeStatus() {
        return store.status();
    }
}
