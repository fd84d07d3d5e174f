package org.screamrouter.sip.http;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which web pages may use one of the server's web endpoints: the SIP WebSocket (stack, {@code ws.allowed.origins}, issue
 * 13 item 5) and the WHEP endpoint (whep, {@code cors.allowed.origins}). A browser sends the page's origin with a
 * WebSocket handshake and with every cross-origin or non-GET fetch, and lets any page connect anywhere: without this
 * check, any web site a user on the LAN visits could register, subscribe and call through the server, or listen to a
 * sink, from their browser. One syntax for every such setting, a comma- or space-separated list of:
 * <ul>
 *   <li>{@code self}: pages served from this machine: host {@code localhost}, a loopback address, or an IP address of
 *       one of its interfaces (looked up at each handshake, so an address added later counts; host names are never
 *       resolved, so a UI reached by name must be listed as an origin);</li>
 *   <li>an origin, {@code scheme://host[:port]} (the scheme's default port may be left out), or {@code null} for pages
 *       with an opaque origin (files, sandboxed frames of any site: only for tests);</li>
 *   <li>{@code *}: every page (no check).</li>
 * </ul>
 * The default is {@code self}. A request without Origin comes from a program that is not a browser (a device, baresip, a
 * test client), or from a same-origin page's GET: browsers always send one with a WebSocket handshake (RFC 6455 4.1 and
 * 10.2) and with a cross-origin or non-GET fetch (the Fetch standard), and a program can send whatever it likes anyway,
 * so there is nothing to check; it is allowed. Plain Java, no logging: entries that are not origins are kept in
 * {@link #ignored()} for the caller to report.
 */
public final class OriginPolicy {
    private final boolean any;
    private final boolean self;
    private final Set<String> origins;
    private final String text;
    private final List<String> ignored;

    private OriginPolicy(boolean any, boolean self, Set<String> origins, String text, List<String> ignored) {
        this.any = any;
        this.self = self;
        this.origins = origins;
        this.text = text;
        this.ignored = ignored;
    }

    /** The setting's default: pages served from this machine. */
    public static final String SELF = "self";

    /** The syntax, for the metatype description of every setting that takes a policy. */
    public static final String SYNTAX = "Comma-separated: 'self' (pages served from this machine: localhost, a loopback "
            + "address or an address of one of its interfaces; host names are never resolved, so a page reached by name must "
            + "be listed), origins scheme://host[:port], 'null' (opaque origins: files, sandboxed frames of any site; only for "
            + "tests), or '*' (any page). Other pages are refused 403. A request without Origin (a program, not a browser) is "
            + "allowed";

    /** The configured list (null or empty: nothing but requests without Origin); entries that are not origins are left out. */
    public static OriginPolicy parse(String list) {
        boolean any = false;
        boolean self = false;
        Set<String> origins = new LinkedHashSet<>();
        List<String> ignored = new ArrayList<>();
        for (String raw : (list == null ? "" : list).split("[,\\s]+")) {
            String entry = raw.trim();
            if (entry.isEmpty()) continue;
            if (entry.equals("*")) {
                any = true;
            } else if (entry.equalsIgnoreCase("self")) {
                self = true;
            } else {
                String origin = normalize(entry);
                if (origin == null) {
                    ignored.add(entry);
                } else {
                    origins.add(origin);
                }
            }
        }
        return new OriginPolicy(any, self, Set.copyOf(origins), list == null ? "" : list.trim(), List.copyOf(ignored));
    }

    /** Several values (an array-valued setting): as their comma-separated list. */
    public static OriginPolicy parse(String... values) {
        return parse(values == null ? "" : String.join(",", values));
    }

    /** Entries of the setting that are not origins ({@code scheme://host[:port]}, {@code null}, {@code self} or {@code *}), left out. */
    public List<String> ignored() {
        return ignored;
    }

    /** Whether the list is {@code *}: every page. */
    public boolean allowsEveryOrigin() {
        return any;
    }

    /** Whether a request with this Origin header value (null: none) may go on. */
    public boolean allows(String origin) {
        if (origin == null || any) {
            return true;
        }
        String normal = normalize(origin.trim());
        if (normal == null) {
            return false;
        }
        return origins.contains(normal) || self && isSelf(normal);
    }

    /** {@code scheme://host[:port]} in lower case without the scheme's default port; "null" as it is; null if not an origin. */
    public static String normalize(String origin) {
        if (origin.equals("null")) {
            return origin;
        }
        String value = origin.endsWith("/") ? origin.substring(0, origin.length() - 1) : origin;
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (scheme == null || host == null || uri.getRawPath() != null && !uri.getRawPath().isEmpty() || uri.getRawQuery() != null
                || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            return null;
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        if (port == 80 && (scheme.equals("http") || scheme.equals("ws")) || port == 443 && (scheme.equals("https") || scheme.equals("wss"))) {
            port = -1;
        }
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + (port < 0 ? "" : ":" + port);
    }

    private static boolean isSelf(String origin) {
        String host = origin.equals("null") ? null : URI.create(origin).getHost();
        if (host == null) {
            return false;
        }
        if (host.equals("localhost")) {
            return true;
        }
        InetAddress address = literal(host);
        if (address == null) {
            return false; // a name: never resolved
        }
        if (address.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /** The address of an IP literal (IPv4 dotted quad, or IPv6 in brackets); null for anything else, never a lookup. */
    private static InetAddress literal(String host) {
        boolean v6 = host.startsWith("[") && host.endsWith("]");
        String bare = v6 ? host.substring(1, host.length() - 1) : host;
        if (v6 ? !bare.matches("[0-9a-fA-F:.%]+") || bare.indexOf(':') < 0 : !bare.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return null;
        }
        try {
            return InetAddress.getByName(bare); // a literal: parsed, not resolved
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
