package org.screamrouter.sip.config.internal;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IP address literals as config.yaml holds them: plain text ({@code 192.168.1.50}, the form a hand-written or plain
 * file has, and ScreamRouter's for most sinks) or the pickled {@code ipaddress.IPv4Address}/{@code IPv6Address} that
 * PyYAML writes for a pydantic {@code IPvAnyAddress} field ({@code !!python/object/apply:ipaddress.IPv4Address [int]};
 * {@code IPv6Address} takes its text on current Pythons, its integer on old ones). Never resolves a name.
 */
final class IpAddresses {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[0-9A-Za-z_.-]+)?");

    private IpAddresses() {}

    /** The address of a literal; empty for anything else (a host name is never looked up). */
    static Optional<InetAddress> literal(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (!IPV4.matcher(t).matches() && !IPV6.matcher(t).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(t)); // a literal: parsed, not resolved
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest run of zero groups as {@code ::}). */
    static String format(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLength - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(groups[i]));
        }
        if (address instanceof Inet6Address a6 && a6.getScopedInterface() != null) {
            s.append('%').append(a6.getScopedInterface().getName());
        } else if (address instanceof Inet6Address a6 && a6.getScopeId() != 0) {
            s.append('%').append(a6.getScopeId());
        }
        return s.toString();
    }

    /** The canonical text of a literal, or the text unchanged when it is none (so that it compares as written). */
    static String canonical(String text) {
        return literal(text).map(IpAddresses::format).orElse(text);
    }

    /**
     * The address a pickled {@code ipaddress} object stands for, from its class name ({@code IPv4Address},
     * {@code IPv6Address}) and its one argument; the argument as text when it is neither.
     */
    static String fromPythonArgument(String className, Object argument) {
        if (argument instanceof Number n) {
            BigInteger value = n instanceof BigInteger bi ? bi : BigInteger.valueOf(n.longValue());
            int length = className.endsWith("IPv6Address") ? 16 : 4;
            byte[] raw = value.toByteArray();
            byte[] bytes = new byte[length];
            for (int i = 0; i < Math.min(raw.length, length); i++) {
                bytes[length - 1 - i] = raw[raw.length - 1 - i];
            }
            try {
                return format(InetAddress.getByAddress(bytes));
            } catch (UnknownHostException e) {
                return String.valueOf(argument);
            }
        }
        return argument == null ? null : canonical(String.valueOf(argument));
    }

    /** What PyYAML writes as the argument of a pickled {@code ipaddress} object: the integer, or the IPv6 text. */
    static Object pythonArgument(InetAddress address) {
        if (address instanceof Inet4Address) {
            return new BigInteger(1, address.getAddress()).longValue();
        }
        return format(address);
    }

    /** {@code IPv4Address} or {@code IPv6Address}: the {@code ipaddress} class for the address. */
    static String pythonClass(InetAddress address) {
        return address instanceof Inet4Address ? "ipaddress.IPv4Address" : "ipaddress.IPv6Address";
    }
}
