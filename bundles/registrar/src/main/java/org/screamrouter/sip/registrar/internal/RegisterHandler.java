package org.screamrouter.sip.registrar.internal;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Collections;
import java.util.GregorianCalendar;
import java.util.HashMap;
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
import java.util.function.Supplier;
import javax.sip.InvalidArgumentException;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.DateHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.RequireHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.UserAgentHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.registrar.AddressOfRecord;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.sdp.DeviceCapabilities;
import org.screamrouter.sip.sdp.SdpParseException;
import org.screamrouter.sip.sdp.SdpParser;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipHeaders;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipResponses;
import org.screamrouter.sip.stack.SipStackStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * REGISTER (RFC 3261 section 10.3), in the order of its steps: the Request-URI names our domain (1), Require is
 * understood (2), the request is authenticated (3), the user owns the address-of-record (4), which is the To URI or,
 * for a ScreamRouter device, {@code sip:<uuid>@<domain>} (5); then the Contacts and their expiry (6, 7: intake
 * lengths, {@code Contact: *}, 423 under {@code min.expires}), the ownership of the devices named (issue 13), the
 * limits, the change to the bindings through the {@link Registry}, and the 200 OK listing every current Contact (8).
 */
final class RegisterHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RegisterHandler.class);
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
    private final Supplier<RegistrarConfig> config;
    private final Registry registry;
    private final BindingTable table;
    private final DeviceBook book;
    private volatile Set<String> ownAddresses = Set.of();
    private final TimeZone gmt = TimeZone.getTimeZone("GMT");
    private volatile DateOfSecond lastDate;
    /** Digest authentication (RFC 3261 10.3 step 3); DS binds it before activation, unit tests may leave it open. */
    private volatile SipAuthenticator authenticator = OPEN;
    private static final SipAuthenticator OPEN = new SipAuthenticator() {
        @Override public Outcome authenticate(SipExchange exchange) { return Outcome.open(); }
        @Override public boolean owns(String user, String addressOfRecord) { return true; }
    };

    RegisterHandler(SipMessages messages, SipStackStatus stack, Clock clock, Supplier<RegistrarConfig> config, Registry registry) {
        this.messages = messages;
        this.stack = stack;
        this.clock = clock;
        this.config = config;
        this.registry = registry;
        this.table = registry.table();
        this.book = registry.book();
        refreshOwnAddresses();
    }

    void setAuthenticator(SipAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    /** A REGISTER (RFC 3261 10.3), answered once. */
    void register(SipExchange exchange) throws Exception {
        Request request = exchange.request();
        RegistrarConfig cfg = config.get();

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
            capabilities = uuid == null ? null : book.capabilitiesOf(uuid, sdp); // a refresh's same body: parsed before
            if (capabilities == null) {
                try {
                    capabilities = DeviceCapabilities.from(SdpParser.parse(sdp));
                } catch (SdpParseException e) {
                    exchange.respond(Response.BAD_REQUEST, "Bad SDP: " + oneLine(e.getMessage()));
                    return;
                }
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
                registry.removed(b, "Contact: *");
            }
            LOG.info("all bindings of {} removed", aor);
            exchange.respond(ok(exchange, List.of(), Map.of(), now));
            return;
        }

        List<String> path = new ArrayList<>();
        for (ListIterator<Header> it = request.getHeaders("Path"); it.hasNext(); ) {
            path.add(SipHeaders.value(it.next()));
        }
        List<BindingTable.Update> updates = new ArrayList<>();
        Map<String, ContactHeader> sent = new HashMap<>(); // this REGISTER's Contacts as the bindings keep their text
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
            String storedText = SipHeaders.value(stored);
            sent.put(storedText, stored);
            Binding binding = new Binding(aor, uri.toString(), storedText, exchange.flow().transport(),
                    exchange.flow().remote(), now.plusSeconds(seconds), contact.getQValue(), callId, cseq, path, now);
            updates.add(new BindingTable.Update(uri, binding, seconds));
        }

        if (uuid != null && !book.knows(uuid) && updates.stream().anyMatch(u -> u.seconds() > 0)
                && refusedNewDevice(exchange, cfg)) {
            return;
        }
        BindingTable.Outcome outcome = table.apply(aor, updates, callId, cseq, now, cfg.max_contacts_per_aor(), cfg.max_bindings(),
                exchange.flow().remote().getAddress(), cfg.max_bindings_per_source());
        if (outcome instanceof BindingTable.Outcome.Applied applied) {
            for (BindingTable.Update u : updates) {
                if (u.seconds() > 0) {
                    Binding stored = applied.stored(u.binding());
                    boolean written = registry.bound(stored, applied.refreshed(stored));
                    if (uuid != null) {
                        UserAgentHeader ua = (UserAgentHeader) request.getHeader(UserAgentHeader.NAME);
                        book.registered(uuid, stored, written, capabilities, sdp, ua == null ? null : cut(String.join(" ", iterable(ua.getProduct()))), user, now);
                    }
                } else {
                    registry.removed(u.binding(), "Expires: 0");
                }
            }
            exchange.respond(ok(exchange, applied.current(), sent, now));
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
                LOG.info("REGISTER refused: {} for {}{} from {}: {}; it belongs to {} at {}", printable(device),
                        aor, user == null ? "" : " (user " + user + ")", exchange.flow(), fault.get(), owner,
                        book.device(device).map(d -> d.source() == null ? "-" : d.source().getAddress().getHostAddress()).orElse("-"));
                exchange.respond(Response.FORBIDDEN, "Forbidden (" + fault.get() + ")");
                return true;
            }
        }
        return false;
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
    static Optional<String> identify(Request request) {
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
    void refreshOwnAddresses() {
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

    /**
     * 200 OK listing every current binding with its remaining time (RFC 3261 10.3 step 8), and a Date. {@code sent}:
     * the Contacts of this REGISTER by the text their bindings keep (copies without expires), used rather than parsed
     * again from that text.
     */
    private Response ok(SipExchange exchange, List<Binding> current, Map<String, ContactHeader> sent, Instant now)
            throws ParseException, InvalidArgumentException {
        HeaderFactory headers = messages.headers();
        Response response = exchange.createResponse(Response.OK);
        for (Binding b : current) {
            ContactHeader known = sent.get(b.contactHeader()); // a copy already, its binding's text made
            ContactHeader contact = known != null ? known : (ContactHeader) headers.createHeader(ContactHeader.NAME, b.contactHeader());
            contact.setExpires((int) Math.min(Integer.MAX_VALUE, b.expiresIn(now)));
            response.addHeader(contact);
        }
        if (!current.isEmpty() && !current.get(0).path().isEmpty() && supportsPath(exchange.request())) {
            for (String p : current.get(0).path()) {
                response.addHeader(headers.createHeader("Path", p));
            }
        }
        response.setHeader(date(now));
        return response;
    }

    /** The Date header of this second (RFC 3261 20.17: to the second), made once a second and copied. */
    private Header date(Instant now) {
        long second = now.getEpochSecond();
        DateOfSecond last = lastDate;
        if (last == null || last.second() != second) {
            Calendar date = new GregorianCalendar(gmt);
            date.setTimeInMillis(second * 1000);
            last = new DateOfSecond(second, messages.headers().createDateHeader(date));
            lastDate = last;
        }
        return (Header) last.header().clone();
    }

    private record DateOfSecond(long second, DateHeader header) {}

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


    /** A device UUID from a message, quoted and cut for one log line (control characters replaced). */
    static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) : s;
        return '"' + cut.replaceAll("[\\x00-\\x1f\\x7f]", "?") + '"';
    }
}
