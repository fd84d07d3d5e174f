package org.screamrouter.sip.presence.internal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.Header;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.screamrouter.sip.stack.SipHeaders;
import org.screamrouter.sip.stack.SipResponses;

/**
 * PUBLISH of the presence package (RFC 3903 section 6): a device's own PIDF under an entity-tag, refreshed, modified or
 * removed with {@code SIP-If-Match}; publications persisted, restored and expired here. A change of what a device
 * published is reported to {@code stateChanged} (its watchers' NOTIFYs are the {@link Notifier}'s).
 */
final class PublishHandler {
    private static final Logger LOG = LoggerFactory.getLogger(PublishHandler.class);

    private final SipMessages messages;
    private final Responses responses;
    private final Publications publications;
    private final PresenceStore store;
    private final ResourceState states;
    private final DeviceRegistry registry;
    private final Clock clock;
    private final Supplier<PresenceConfig> config;
    private final Consumer<String> stateChanged;

    PublishHandler(SipMessages messages, Responses responses, Publications publications, PresenceStore store, ResourceState states,
            DeviceRegistry registry, Clock clock, Supplier<PresenceConfig> config, Consumer<String> stateChanged) {
        this.messages = messages;
        this.responses = responses;
        this.publications = publications;
        this.store = store;
        this.states = states;
        this.registry = registry;
        this.clock = clock;
        this.config = config;
        this.stateChanged = stateChanged;
    }

    /** Reloads the stored publications that have not expired (the others leave the store). */
    void restore() {
        Instant now = clock.instant();
        for (Publication p : store.loadPublications()) {
            if (p.expires().isAfter(now)) publications.restore(p);
            else store.removePublication(p.entityTag());
        }
    }

    /** Publications whose time is up are removed; their devices' state may have changed. */
    void expire(Instant now) {
        for (Publication p : publications.expire(now)) {
            store.removePublication(p.entityTag());
            LOG.info("publication {} of {} expired", p.entityTag(), p.resource());
            stateChanged.accept(p.resource());
        }
    }

    /** An authenticated PUBLISH ({@code user} when digest named one, checked by {@code auth} against the device's AOR). */
    void publish(SipExchange exchange, SipAuthenticator auth, Optional<String> user) throws Exception {
        Request request = exchange.request();
        PresenceConfig cfg = config.get();
        EventHeader eventHeader = responses.eventHeader(exchange);
        if (eventHeader == null) {
            return;
        }
        if (!Subscription.PRESENCE.equalsIgnoreCase(eventHeader.getEventType())) {
            responses.badEvent(exchange, Subscription.PRESENCE);
            return;
        }
        Optional<String> resource = states.resource(request.getRequestURI(), Subscription.PRESENCE, cfg.router_user());
        if (resource.isEmpty()) {
            exchange.respond(Response.NOT_FOUND, "No Such Device");
            return;
        }
        // with authentication on, a user publishes only for a device whose address-of-record is theirs
        if (user.isPresent() && auth != null && !registry.device(resource.get())
                .map(d -> d.addressOfRecord() != null && auth.owns(user.get(), d.addressOfRecord())).orElse(false)) {
            LOG.info("PUBLISH for {} refused: not a device of user {} (from {})", resource.get(), user.get(), exchange.flow());
            exchange.respond(Response.FORBIDDEN, "Forbidden (not your device)");
            return;
        }
        Header ifMatch = request.getHeader("SIP-If-Match");
        String tag = ifMatch == null ? null : SipHeaders.value(ifMatch);
        ExpiresHeader expiresHeader = request.getExpires();
        long seconds = expiresHeader != null ? expiresHeader.getExpires() : cfg.default_expires();
        if (seconds > 0 && seconds < cfg.min_expires()) {
            responses.intervalTooBrief(exchange, cfg.min_expires());
            return;
        }
        seconds = Math.min(seconds, cfg.max_expires());
        byte[] raw = request.getRawContent();
        boolean hasBody = raw != null && raw.length > 0;
        String body = null;
        String basic = null;
        if (hasBody) {
            ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
            if (type == null || !"application".equalsIgnoreCase(type.getContentType())
                    || !PresencePackage.PIDF_TYPE.equalsIgnoreCase(type.getContentSubType())) {
                exchange.respond(SipResponses.unsupportedMediaType(exchange, messages.headers(),
                        "Only application/pidf+xml is published here", "application", PresencePackage.PIDF_TYPE));
                return;
            }
            try {
                basic = Pidf.check(raw);
            } catch (Xml.InvalidXmlException e) {
                exchange.respond(Response.BAD_REQUEST, "Bad PIDF body: " + e.getMessage());
                return;
            }
            body = new String(raw, StandardCharsets.UTF_8);
        }
        Instant expires = clock.instant().plusSeconds(seconds);
        Publication result;
        if (tag == null) {
            if (!hasBody) {
                exchange.respond(Response.BAD_REQUEST, "An initial PUBLISH needs a body");
                return;
            }
            if (seconds == 0) {
                exchange.respond(Response.BAD_REQUEST, "An initial PUBLISH cannot have Expires: 0");
                return;
            }
            Publications.Replaced r = publications.create(resource.get(), body, basic, expires);
            if (r.before() != null) store.removePublication(r.before().entityTag());
            result = r.now();
            LOG.info("{} published its presence ({}) as {} for {} s", result.resource(), basic, result.entityTag(), seconds);
        } else {
            Optional<Publication> known = publications.get(tag);
            if (known.isEmpty() || !known.get().resource().equals(resource.get())) {
                exchange.respond(Response.CONDITIONAL_REQUEST_FAILED, "Conditional Request Failed");
                return;
            }
            if (seconds == 0) {
                Optional<Publication> removed = publications.remove(tag);
                if (removed.isEmpty()) {
                    exchange.respond(Response.CONDITIONAL_REQUEST_FAILED, "Conditional Request Failed");
                    return;
                }
                store.removePublication(tag);
                Response response = exchange.createResponse(Response.OK);
                response.setHeader(messages.headers().createExpiresHeader(0));
                exchange.respond(response);
                LOG.info("{} removed its publication {}", removed.get().resource(), tag);
                stateChanged.accept(removed.get().resource());
                return;
            }
            Optional<Publication> updated = publications.update(tag, body, basic, expires);
            if (updated.isEmpty()) {
                exchange.respond(Response.CONDITIONAL_REQUEST_FAILED, "Conditional Request Failed");
                return;
            }
            store.removePublication(tag);
            result = updated.get();
            LOG.debug("{} {} its publication {} -> {} for {} s", result.resource(), hasBody ? "modified" : "refreshed", tag,
                    result.entityTag(), seconds);
        }
        store.put(result);
        Response response = exchange.createResponse(Response.OK);
        response.setHeader(messages.headers().createHeader("SIP-ETag", result.entityTag()));
        response.setHeader(messages.headers().createExpiresHeader((int) seconds));
        exchange.respond(response);
        if (hasBody) stateChanged.accept(result.resource());
    }

}
