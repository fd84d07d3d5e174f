package org.screamrouter.sip.presence.internal;

import javax.sip.InvalidArgumentException;
import javax.sip.header.EventHeader;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipResponses;

/** The answers SUBSCRIBE and PUBLISH share: 400 without Event, 489 with the packages served here, 423 with Min-Expires. */
final class Responses {
    private final SipMessages messages;

    Responses(SipMessages messages) {
        this.messages = messages;
    }

    /** The request's Event header; without one the request is answered 400 and the result is {@code null}. */
    EventHeader eventHeader(SipExchange exchange) {
        EventHeader event = (EventHeader) exchange.request().getHeader(EventHeader.NAME);
        if (event == null) exchange.respond(Response.BAD_REQUEST, "Missing Event header");
        return event;
    }

    /** 489 Bad Event with one Allow-Events header per package of {@code allowed} (comma separated). */
    void badEvent(SipExchange exchange, String allowed) throws java.text.ParseException {
        Response response = exchange.createResponse(Response.BAD_EVENT, "Bad Event");
        for (String event : allowed.split(",\\s*")) {
            response.addHeader(messages.headers().createAllowEventsHeader(event));
        }
        exchange.respond(response);
    }

    /** 423 Interval Too Brief with Min-Expires (RFC 6665 4.2.1.1, RFC 3903 6). */
    void intervalTooBrief(SipExchange exchange, int minExpires) throws InvalidArgumentException {
        exchange.respond(SipResponses.intervalTooBrief(exchange, messages.headers(), minExpires));
    }
}
