package org.screamrouter.sip.itests;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A SIP response as the test peer read it off the wire: status line and headers, parsed only as far as the
 * assertions need (RFC 3261 7.2, 7.3). Header names are matched case-insensitively, compact forms expanded.
 */
public final class SipResponse {
    private static final Map<String, String> COMPACT = Map.of("v", "via", "f", "from", "t", "to", "i", "call-id",
            "m", "contact", "l", "content-length", "c", "content-type", "k", "supported");

    private final int status;
    private final String reason;
    private final Map<String, List<String>> headers;
    private final String text;

    private SipResponse(int status, String reason, Map<String, List<String>> headers, String text) {
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.text = text;
    }

    public static SipResponse parse(String text) {
        String[] lines = text.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].equals("SIP/2.0")) {
            throw new IllegalArgumentException("not a SIP response: " + lines[0]);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String last = null;
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            String line = lines[i];
            if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
                List<String> values = headers.get(last);
                values.set(values.size() - 1, values.get(values.size() - 1) + " " + line.trim());
                continue;
            }
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            name = COMPACT.getOrDefault(name, name);
            headers.computeIfAbsent(name, n -> new ArrayList<>()).add(line.substring(colon + 1).trim());
            last = name;
        }
        return new SipResponse(Integer.parseInt(statusLine[1]), statusLine.length > 2 ? statusLine[2] : "", headers, text);
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    /** Every value of a header, in order, one entry per header line. */
    public List<String> headers(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    public String header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? null : values.get(0);
    }

    /** The tokens of a comma-separated list header such as {@code Allow}, over all its lines. */
    public Set<String> tokens(String name) {
        Set<String> tokens = new TreeSet<>();
        for (String value : headers(name)) {
            for (String token : value.split(",")) {
                if (!token.isBlank()) tokens.add(token.trim().toUpperCase(Locale.ROOT));
            }
        }
        return tokens;
    }

    /** Contact values, split where one line carries several (a comma outside angle brackets and quotes). */
    public List<String> contacts() {
        List<String> contacts = new ArrayList<>();
        for (String value : headers("contact")) {
            int depth = 0;
            boolean quoted = false;
            int start = 0;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"') quoted = !quoted;
                else if (!quoted && c == '<') depth++;
                else if (!quoted && c == '>') depth--;
                else if (!quoted && depth == 0 && c == ',') {
                    contacts.add(value.substring(start, i).trim());
                    start = i + 1;
                }
            }
            contacts.add(value.substring(start).trim());
        }
        return contacts;
    }

    @Override
    public String toString() {
        return text;
    }
}
