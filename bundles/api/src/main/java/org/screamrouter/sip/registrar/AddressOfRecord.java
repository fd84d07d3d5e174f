package org.screamrouter.sip.registrar;

import java.util.Locale;
import javax.sip.address.SipURI;
import javax.sip.address.URI;

/**
 * The canonical form of an address-of-record (RFC 3261 10.3 step 5): scheme, user and host, without port
 * or parameters; the host in lower case, the user as sent (user parts are case-sensitive) but unescaped. The registrar
 * files bindings under it and authentication compares a user's addresses-of-record in it, so both read AORs alike.
 */
public final class AddressOfRecord {
    private AddressOfRecord() {}

    /** The canonical form, or null for a URI that is not sip/sips or has no host. */
    public static String canonical(URI uri) {
        if (!(uri instanceof SipURI sip)) {
            return null;
        }
        String user = sip.getUser();
        String host = sip.getHost();
        if (host == null || host.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder(sip.isSecure() ? "sips:" : "sip:");
        if (user != null && !user.isEmpty()) {
            out.append(unescape(user)).append('@');
        }
        return out.append(host.toLowerCase(Locale.ROOT)).toString();
    }

    /** A user part with its %XX escapes decoded. */
    public static String unescape(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0 && Character.digit(s.charAt(i + 2), 16) >= 0) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
