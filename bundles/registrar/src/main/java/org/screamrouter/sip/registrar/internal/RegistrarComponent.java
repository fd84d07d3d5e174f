package org.screamrouter.sip.registrar.internal;

import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sip.InvalidArgumentException;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.RequireHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registrar (RFC 3261 section 10.3): REGISTER adds, refreshes and removes the bindings of an
 * address-of-record and answers with all of them; it is also the {@link DeviceRegistry} that lists them.
 */
@Component(service = {SipRequestHandler.class, DeviceRegistry.class}, configurationPid = RegistrarConfig.PID,
        property = SipRequestHandler.METHOD + "=" + Request.REGISTER)
@Designate(ocd = RegistrarConfig.class)
public final class RegistrarComponent implements SipRequestHandler, DeviceRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrarComponent.class);
    /** Extensions a REGISTER may Require (RFC 3261 8.2.2.3); everything else gets 420. */
    static final Set<String> SUPPORTED = Set.of("path");

    private final SipMessages messages;
    private final Clock clock;
    private final BindingTable table = new BindingTable();
    private final ScheduledExecutorService sweeper;
    private volatile RegistrarConfig config;

    @Activate
    public RegistrarComponent(@Reference SipMessages messages, RegistrarConfig config) {
        this(messages, config, Clock.systemUTC());
    }

    RegistrarComponent(SipMessages messages, RegistrarConfig config, Clock clock) {
        this.messages = messages;
        this.config = config;
        this.clock = clock;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-registrar-expiry");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::expire, 5, 5, TimeUnit.SECONDS);
    }

    @Modified
    void modified(RegistrarConfig config) {
        this.config = config;
    }

    @Deactivate
    void deactivate() {
        sweeper.shutdownNow();
    }

    void expire() {
        try {
            for (Binding b : table.expire(clock.instant())) {
                LOG.info("binding expired: {} -> {}", b.addressOfRecord(), b.contactUri());
            }
        } catch (RuntimeException e) {
            LOG.error("expiry sweep failed", e);
        }
    }

    @Override
    public void handle(SipExchange exchange) throws Exception {
        Request request = exchange.request();
        RegistrarConfig cfg = config;

        String unsupported = unsupportedRequirements(request);
        if (unsupported != null) {
            Response response = exchange.createResponse(Response.BAD_EXTENSION, "Bad Extension");
            response.setHeader(messages.headers().createUnsupportedHeader(unsupported));
            exchange.respond(response);
            return;
        }
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        String aor = AddressOfRecord.canonical(to.getAddress().getURI());
        if (aor == null) {
            exchange.respond(Response.UNSUPPORTED_URI_SCHEME, "To must be a SIP URI with a host");
            return;
        }
        String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        ExpiresHeader expiresHeader = request.getExpires();
        Instant now = clock.instant();

        List<ContactHeader> contacts = new ArrayList<>();
        for (ListIterator<Header> it = request.getHeaders(ContactHeader.NAME); it.hasNext(); ) {
            contacts.add((ContactHeader) it.next());
        }
        if (contacts.stream().anyMatch(ContactHeader::isWildCard)) {
            if (contacts.size() != 1 || expiresHeader == null || expiresHeader.getExpires() != 0) {
                exchange.respond(Response.BAD_REQUEST, "Contact * needs Expires: 0 and no other Contact");
                return;
            }
            table.removeAll(aor);
            LOG.info("all bindings of {} removed", aor);
            exchange.respond(ok(exchange, List.of(), now));
            return;
        }

        List<String> path = new ArrayList<>();
        for (ListIterator<Header> it = request.getHeaders("Path"); it.hasNext(); ) {
            path.add(value(it.next()));
        }
        List<BindingTable.Update> updates = new ArrayList<>();
        for (ContactHeader contact : contacts) {
            long seconds = contact.getExpires() >= 0 ? contact.getExpires()
                    : expiresHeader != null ? expiresHeader.getExpires() : cfg.default_expires();
            if (seconds > 0 && seconds < cfg.min_expires()) {
                Response response = exchange.createResponse(Response.INTERVAL_TOO_BRIEF, "Interval Too Brief");
                response.setHeader(messages.headers().createMinExpiresHeader(cfg.min_expires()));
                exchange.respond(response);
                return;
            }
            seconds = Math.min(seconds, cfg.max_expires());
            ContactHeader stored = (ContactHeader) contact.clone();
            stored.removeParameter("expires");
            URI uri = contact.getAddress().getURI();
            float q = contact.getQValue();
            Binding binding = new Binding(aor, uri.toString(), value(stored), exchange.flow().transport(),
                    exchange.flow().remote(), now.plusSeconds(seconds), q, callId, cseq, path, now);
            updates.add(new BindingTable.Update(uri, binding, seconds));
        }

        BindingTable.Outcome outcome = table.apply(aor, updates, callId, cseq, now, cfg.max_contacts_per_aor(), cfg.max_bindings());
        if (outcome instanceof BindingTable.Outcome.Applied applied) {
            if (!updates.isEmpty()) {
                LOG.info("REGISTER {} from {}: {} binding(s)", aor, exchange.flow(), applied.current().size());
            }
            exchange.respond(ok(exchange, applied.current(), now));
        } else if (outcome instanceof BindingTable.Outcome.StaleCSeq stale) {
            exchange.respond(Response.BAD_REQUEST, "Out of order CSeq for Call-ID and Contact " + stale.contact());
        } else if (outcome instanceof BindingTable.Outcome.TooManyContacts tooMany) {
            exchange.respond(Response.FORBIDDEN, "Too many contacts for this address-of-record (limit " + tooMany.limit() + ")");
        } else if (outcome instanceof BindingTable.Outcome.TableFull full) {
            Response response = exchange.createResponse(Response.SERVICE_UNAVAILABLE, "Registration table full");
            response.setHeader(messages.headers().createRetryAfterHeader(300));
            exchange.respond(response);
        }
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
            if (value(it.next()).toLowerCase(java.util.Locale.ROOT).contains("path")) return true;
        }
        return false;
    }

    static String unsupportedRequirements(Request request) {
        List<String> unsupported = new ArrayList<>();
        for (Iterator<Header> it = request.getHeaders(RequireHeader.NAME); it.hasNext(); ) {
            String tag = ((RequireHeader) it.next()).getOptionTag();
            if (!SUPPORTED.contains(tag.toLowerCase(java.util.Locale.ROOT))) {
                unsupported.add(tag);
            }
        }
        return unsupported.isEmpty() ? null : String.join(", ", unsupported);
    }

    /** The value part of a header as it would appear after "Name: ". */
    private static String value(Header header) {
        String s = header.toString().trim();
        int colon = s.indexOf(':');
        return colon < 0 ? s : s.substring(colon + 1).trim();
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
}
