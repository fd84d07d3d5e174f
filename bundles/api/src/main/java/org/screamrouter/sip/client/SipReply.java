package org.screamrouter.sip.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sip.header.Header;
import javax.sip.message.Response;

/**
 * A final response, immutable: status, reason, every header (by full name, case-insensitive, in order) and
 * the body. {@link #response()} is the parsed JAIN-SIP message for what this view does not cover; do not
 * change it.
 */
public final class SipReply {
    private final int status;
    private final String reason;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final Response response;

    private SipReply(int status, String reason, Map<String, List<String>> headers, byte[] body, Response response) {
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.body = body;
        this.response = response;
    }

    /** The view of a JAIN-SIP response. */
    public static SipReply of(Response response) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Iterator<?> names = response.getHeaderNames(); names.hasNext(); ) {
            String name = (String) names.next();
            List<String> values = headers.computeIfAbsent(name, n -> new ArrayList<>());
            boolean list = LIST_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT));
            for (ListIterator<?> it = response.getHeaders(name); it.hasNext(); ) {
                String value = valueOf((Header) it.next());
                if (list) values.addAll(splitList(value));
                else values.add(value);
            }
        }
        headers.replaceAll((name, values) -> List.copyOf(values));
        byte[] raw = response.getRawContent();
        return new SipReply(response.getStatusCode(), response.getReasonPhrase(),
                Collections.unmodifiableMap(headers), raw == null ? new byte[0] : raw.clone(), response);
    }

    /**
     * Headers whose comma-separated values are separate values (RFC 3261 7.3.1). A response parsed from the
     * wire has them split already; one built in this JVM (a request to the server's own stack) may carry
     * them joined, so they are split here and both look the same.
     */
    private static final java.util.Set<String> LIST_HEADERS = java.util.Set.of("allow", "supported", "require",
            "unsupported", "proxy-require", "accept", "accept-encoding", "accept-language", "allow-events",
            "content-encoding", "via", "contact", "route", "record-route");

    /** Splits at commas outside quotes and angle brackets. */
    static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' && (i == 0 || value.charAt(i - 1) != '\\')) quoted = !quoted;
            else if (!quoted && c == '<') depth++;
            else if (!quoted && c == '>') depth = Math.max(0, depth - 1);
            else if (!quoted && depth == 0 && c == ',') {
                String part = value.substring(start, i).trim();
                if (!part.isEmpty()) out.add(part);
                start = i + 1;
            }
        }
        String last = value.substring(start).trim();
        if (!last.isEmpty()) out.add(last);
        return out;
    }

    /** The value of a header as it would be written, without its name. */
    static String valueOf(Header header) {
        String text = header.toString();
        int colon = text.indexOf(':');
        return (colon < 0 ? text : text.substring(colon + 1)).trim();
    }

    public int status() { return status; }

    public String reason() { return reason; }

    /** Whether the status is 2xx. */
    public boolean isSuccess() { return status >= 200 && status < 300; }

    /** Every header by full name (case-insensitive); each value as written, in the order received. */
    public Map<String, List<String>> headers() { return headers; }

    /** The values of one header, empty when absent. */
    public List<String> headers(String name) {
        return headers.getOrDefault(name, List.of());
    }

    /** The first value of a header. */
    public Optional<String> header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The body bytes (a copy). */
    public byte[] body() { return body.clone(); }

    /** The body as UTF-8 text. */
    public String bodyText() { return new String(body, StandardCharsets.UTF_8); }

    /** The parsed JAIN-SIP response. */
    public Response response() { return response; }

    @Override
    public String toString() {
        return status + " " + reason;
    }
}
