package org.screamrouter.sip.stack;

import java.text.ParseException;
import javax.sip.InvalidArgumentException;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Response;

/**
 * The one way to make the answers that must carry a header besides their status, so that every handler words and
 * equips them alike (made here, sent by the caller):
 * <ul>
 *   <li>415 Unsupported Media Type with {@code Accept} naming the body type taken (RFC 3261 21.4.13);</li>
 *   <li>406 Not Acceptable with {@code Accept} naming the type the answer would have (21.4.7, RFC 6665 for NOTIFY
 *       bodies);</li>
 *   <li>423 Interval Too Brief with {@code Min-Expires} (10.3 step 7, 21.4.17, RFC 6665 4.2.1.1, RFC 3903 6);</li>
 *   <li>503 Service Unavailable with {@code Retry-After} (21.5.4, 20.33);</li>
 *   <li>488 Not Acceptable Here with {@code Warning: <code> screamrouter "<text>"} (21.4.26, 20.43);</li>
 * </ul>
 * and the one rule for text put into a reason phrase, a Warning or a quoted string ({@link #sanitize}).
 */
public final class SipResponses {
    /** The agent named in our Warning headers. */
    public static final String WARN_AGENT = "screamrouter";

    private SipResponses() {
    }

    /** 415 with this reason phrase (null: the standard one) and {@code Accept: <type>/<subtype>}. */
    public static Response unsupportedMediaType(SipExchange exchange, HeaderFactory headers, String reason, String type,
            String subtype) {
        Response r = exchange.createResponse(Response.UNSUPPORTED_MEDIA_TYPE, reason);
        accept(r, headers, type, subtype);
        return r;
    }

    /** 406 with this reason phrase (null: the standard one) and {@code Accept: <type>/<subtype>}. */
    public static Response notAcceptable(SipExchange exchange, HeaderFactory headers, String reason, String type, String subtype) {
        Response r = exchange.createResponse(Response.NOT_ACCEPTABLE, reason);
        accept(r, headers, type, subtype);
        return r;
    }

    /** 423 Interval Too Brief with {@code Min-Expires: <minExpires>}. */
    public static Response intervalTooBrief(SipExchange exchange, HeaderFactory headers, int minExpires) {
        Response r = exchange.createResponse(Response.INTERVAL_TOO_BRIEF, "Interval Too Brief");
        try {
            r.setHeader(headers.createMinExpiresHeader(minExpires));
        } catch (InvalidArgumentException e) {
            throw new IllegalArgumentException("Min-Expires " + minExpires, e);
        }
        return r;
    }

    /** 503 with this reason phrase (null: the standard one) and {@code Retry-After: <seconds>}. */
    public static Response serviceUnavailable(SipExchange exchange, HeaderFactory headers, String reason, int retryAfterSeconds) {
        Response r = exchange.createResponse(Response.SERVICE_UNAVAILABLE, reason);
        retryAfter(r, headers, retryAfterSeconds);
        return r;
    }

    /**
     * 488 with {@code Warning: <warnCode> screamrouter "<text>"} (the text {@linkplain #sanitize sanitized}); a text
     * that cannot be a Warning leaves the response without one.
     */
    public static Response notAcceptableHere(SipExchange exchange, HeaderFactory headers, int warnCode, String text) {
        Response r = exchange.createResponse(Response.NOT_ACCEPTABLE_HERE);
        try {
            r.setHeader(headers.createWarningHeader(WARN_AGENT, warnCode, sanitize(text)));
        } catch (ParseException | InvalidArgumentException e) {
            // the response stands without the explanation
        }
        return r;
    }

    /** Sets {@code Retry-After: <seconds>} on a response (a 503, or a 500 that will pass, RFC 3261 14.2). */
    public static void retryAfter(Response response, HeaderFactory headers, int seconds) {
        try {
            response.setHeader(headers.createRetryAfterHeader(seconds));
        } catch (InvalidArgumentException e) {
            throw new IllegalArgumentException("Retry-After " + seconds, e);
        }
    }

    /** Text for a reason phrase, Warning or quoted string: printable, no quotes or line breaks, 200 characters at most. */
    public static String sanitize(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && sb.length() < 200; i++) {
            char c = text.charAt(i);
            sb.append(c < 0x20 || c == '"' || c == '\\' ? ' ' : c);
        }
        return sb.toString();
    }

    private static void accept(Response r, HeaderFactory headers, String type, String subtype) {
        try {
            r.setHeader(headers.createAcceptHeader(type, subtype));
        } catch (ParseException e) {
            throw new IllegalArgumentException("Accept " + type + "/" + subtype, e);
        }
    }
}
