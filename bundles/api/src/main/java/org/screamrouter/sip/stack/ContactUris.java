package org.screamrouter.sip.stack;

import java.text.ParseException;
import java.util.Locale;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;

/**
 * The one way to write this server's own URI (a Contact) for a transport, as RFC 3261, RFC 5630 (SIPS) and RFC 7118
 * (WebSocket) want it:
 * <ul>
 *   <li>udp: {@code sip:host:port}; tcp: {@code sip:host:port;transport=tcp};</li>
 *   <li>tls: {@code sips:host:port} when the peer asked for SIPS (its Request-URI was {@code sips:}, RFC 3261 12.1.1
 *       makes the Contact of the answer SIPS then), else {@code sip:host:port;transport=tls};</li>
 *   <li>ws: {@code sip:host:port;transport=ws}; wss: {@code sips:host:port;transport=ws} (RFC 7118 section 5: there is
 *       no {@code transport=wss}, a secure WebSocket is a SIPS URI with transport ws).</li>
 * </ul>
 */
public final class ContactUris {
    private ContactUris() {
    }

    /**
     * @param host an IP literal (IPv6 with or without brackets)
     * @param port the port, or -1 for none
     * @param sipsRequested whether the request this answers, or the dialog it belongs to, used a SIPS URI
     */
    public static SipURI of(AddressFactory addresses, String transport, String host, int port, boolean sipsRequested)
            throws ParseException {
        String t = transport.toLowerCase(Locale.ROOT);
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        SipURI uri = addresses.createSipURI(null, h);
        if (port > 0) {
            uri.setPort(port);
        }
        switch (t) {
            case "udp" -> { }
            case "tls" -> {
                if (sipsRequested) uri.setSecure(true);
                else uri.setTransportParam("tls");
            }
            case "ws" -> uri.setTransportParam("ws");
            case "wss" -> {
                uri.setSecure(true);
                uri.setTransportParam("ws");
            }
            default -> uri.setTransportParam(t);
        }
        return uri;
    }

    /** Whether a transport is secure (TLS underneath): the only ones a {@code sips:} request may arrive on. */
    public static boolean secure(String transport) {
        String t = transport.toLowerCase(Locale.ROOT);
        return t.equals("tls") || t.equals("wss");
    }
}
