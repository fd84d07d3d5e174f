package org.screamrouter.sip.calls.internal;

import java.text.ParseException;
import javax.sip.InvalidArgumentException;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls' answers that carry a header besides their status, each made in one place: 415 with Accept (RFC 3261
 * 21.4.13), 488 with Warning (21.4.26, 20.43), Retry-After on a 503 or 500 (20.33); and the one rule for text put in
 * a reason phrase, a Warning or a quoted string ({@link #sanitize}).
 */
final class Responses {
    private static final Logger LOG = LoggerFactory.getLogger(Responses.class);
    /** The Retry-After of a 503: the server's condition (restarting, full) passes within seconds. */
    static final int RETRY_AFTER_SECONDS = 5;

    private final SipMessages messages;

    Responses(SipMessages messages) {
        this.messages = messages;
    }

    /** Answers 488 Not Acceptable Here with {@code Warning: <code> screamrouter "<text>"}. */
    void notAcceptableHere(SipExchange exchange, int warnCode, String text) {
        exchange.respond(notAcceptableHereResponse(exchange, warnCode, text));
    }

    /** A 488 Not Acceptable Here with {@code Warning: <code> screamrouter "<text>"}, for the caller to send. */
    Response notAcceptableHereResponse(SipExchange exchange, int warnCode, String text) {
        Response r = exchange.createResponse(Response.NOT_ACCEPTABLE_HERE);
        warning(r, warnCode, text);
        return r;
    }

    /** 415 with the reason phrase and an Accept naming the one body type taken. */
    void unsupportedMediaType(SipExchange exchange, String reason, String acceptType, String acceptSubtype) {
        Response r = exchange.createResponse(Response.UNSUPPORTED_MEDIA_TYPE, reason);
        try {
            r.setHeader(messages.headers().createAcceptHeader(acceptType, acceptSubtype));
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
        exchange.respond(r);
    }

    /** 503 with the reason phrase and {@value #RETRY_AFTER_SECONDS} s Retry-After. */
    void serviceUnavailable(SipExchange exchange, String reason) {
        Response r = exchange.createResponse(Response.SERVICE_UNAVAILABLE, reason);
        retryAfter(r, RETRY_AFTER_SECONDS);
        exchange.respond(r);
    }

    /** Adds {@code Warning: <code> screamrouter "<text>"}; a text that cannot be one leaves the response without. */
    private void warning(Response response, int code, String text) {
        try {
            response.setHeader(messages.headers().createWarningHeader("screamrouter", code, sanitize(text)));
        } catch (ParseException | InvalidArgumentException e) {
            LOG.debug("no Warning header: {}", e.toString());
        }
    }

    void retryAfter(Response response, int seconds) {
        try {
            response.setHeader(messages.headers().createRetryAfterHeader(seconds));
        } catch (InvalidArgumentException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Text for a reason phrase, Warning or quoted string: printable, no quotes or line breaks, 200 characters at most. */
    static String sanitize(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && sb.length() < 200; i++) {
            char c = text.charAt(i);
            sb.append(c < 0x20 || c == '"' || c == '\\' ? ' ' : c);
        }
        return sb.toString();
    }
}
