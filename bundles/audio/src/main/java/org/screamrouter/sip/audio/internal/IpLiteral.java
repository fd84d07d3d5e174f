package org.screamrouter.sip.audio.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP literals only: a configured address is never looked up in DNS. */
final class IpLiteral {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    private IpLiteral() {
    }

    static InetAddress parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.startsWith("[") && t.endsWith("]")) t = t.substring(1, t.length() - 1);
        if (!IPV4.matcher(t).matches() && !IPV6.matcher(t).matches()) {
            throw new IllegalArgumentException("not an IP literal: '" + text + "'");
        }
        try {
            return InetAddress.getByName(t); // a literal: parsed, never resolved
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: '" + text + "'", e);
        }
    }
}
