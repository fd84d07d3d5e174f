package org.screamrouter.sip.stack.internal;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which web pages may open a SIP WebSocket to the server (issue 13 item 5). A browser sends the page's origin in the
 * opening handshake and lets any page connect anywhere: without this check, any web site a user on the LAN visits could
 * register, subscribe and call through the server from their browser. The configured list ({@code ws.allowed.origins},
 * comma-separated) holds:
 * <ul>
 *   <li>{@code self}: pages served from this machine: host {@code localhost}, a loopback address, or an IP address of
 *       one of its interfaces (looked up at each handshake, so an address added later counts; host names are never
 *       resolved, so a UI reached by name must be listed as an origin);</li>
 *   <li>an origin, {@code scheme://host[:port]} (the scheme's default port may be left out), or {@code null} for pages
 *       with an opaque origin (files, sandboxed frames of any site: only for tests);</li>
 *   <li>{@code *}: every page (no check).</li>
 * </ul>
 * A handshake without Origin comes from a program that is not a browser (a device, baresip, a test client): browsers
 * always send one (RFC 6455 4.1 and 10.2), and a program can send whatever it likes anyway, so there is nothing to check;
 * it is allowed.
 */
final class OriginPolicy {
    private final boolean any;
    private final boolean self;
    private final Set<String> origins;
    private final String text;

    private OriginPolicy(boolean any, boolean self, Set<String> origins, String text) {
        this.any = any;
        this.self = self;
        this.origins = origins;
        this.text = text;
    }

    /** The configured list; an entry that is not an origin is logged and left out. */
    static OriginPolicy parse(String list) {
        boolean any = false;
        boolean self = false;
        Set<String> origins = new LinkedHashSet<>();
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
                    org.slf4j.LoggerFactory.getLogger(OriginPolicy.class).warn("ws.allowed.origins: '{}' is not an origin "
                            + "(scheme://host[:port], null, self or *): left out", entry);
                } else {
                    origins.add(origin);
                }
            }
        }
        return new OriginPolicy(any, self, Set.copyOf(origins), list == null ? "" : list.trim());
    }

    /** Whether a handshake with this Origin header value (null: none) may be upgraded. */
    boolean allows(String origin) {
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
    static String normalize(String origin) {
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
