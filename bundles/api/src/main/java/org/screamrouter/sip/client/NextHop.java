package org.screamrouter.sip.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import org.screamrouter.sip.stack.Flow;

/**
 * Builds the {@link Flow} a request goes to from an IP literal. Host names are refused, never resolved: the
 * client is used on machines and in networks without a resolver, and a name in a message is not a place
 * to send to.
 */
public final class NextHop {
    private NextHop() {
    }

    /**
     * @throws IllegalArgumentException when {@code address} is not an IPv4 or IPv6 literal, or the port or
     *                                  transport is wrong
     */
    public static Flow of(String transport, String address, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1-65535: " + port);
        }
        String t = transport.toLowerCase(Locale.ROOT);
        if (!t.equals("udp") && !t.equals("tcp") && !t.equals("ws") && !t.equals("tls") && !t.equals("wss")) {
            throw new IllegalArgumentException("transport is udp, tcp, ws, tls or wss: " + transport);
        }
        return new Flow(t, new InetSocketAddress(literal(address), port));
    }

    /** {@code udp:127.0.0.1:5060}, {@code tcp:[::1]:5060}, {@code tls:127.0.0.1:5061}. */
    public static Flow parse(String text) {
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first < 0 || last <= first) {
            throw new IllegalArgumentException("expected transport:address:port, got " + text);
        }
        String address = text.substring(first + 1, last);
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        try {
            return of(text.substring(0, first), address, Integer.parseInt(text.substring(last + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in " + text, e);
        }
    }

    /** The address of an IP literal, without any name lookup. */
    public static InetAddress literal(String address) {
        if (!isLiteral(address)) {
            throw new IllegalArgumentException("an IP address literal is needed, not a host name: " + address);
        }
        try {
            return InetAddress.getByName(address); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + address, e);
        }
    }

    static boolean isLiteral(String address) {
        if (address == null || address.isEmpty()) return false;
        if (address.indexOf(':') >= 0) {
            return address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%');
        }
        String[] parts = address.split("\\.", -1);
        if (parts.length != 4) return false;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
