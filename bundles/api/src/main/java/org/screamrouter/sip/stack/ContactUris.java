package org.screamrouter.sip.stack;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.text.ParseException;
import java.util.Locale;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;

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
 * and the one way to choose the host and port of our Contact on a flow ({@link #forFlow}).
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

    /**
     * Our Contact URI on a flow, as every handler writes it (a 2xx that makes a dialog, the requests we send in it):
     * the address and port of the listening point of the flow's transport; for a wildcard bind, or none known, the
     * local address the peer reaches us at ({@link #localAddressFor}); without a listening point, the port of the URI
     * that named us. SIPS when that URI is.
     *
     * @param listening the stack's listening point of {@code flow.transport()}, or null when none is known
     * @param namedUs   the URI the peer addressed us by: the Request-URI of the request that made the dialog, or our
     *                  side's URI of the dialog
     */
    public static SipURI forFlow(AddressFactory addresses, Flow flow, ListeningPoint listening, URI namedUs)
            throws ParseException {
        SipURI named = namedUs instanceof SipURI sip ? sip : null;
        String host = listening != null && !isWildcard(listening.address()) ? listening.address() : localAddressFor(flow);
        int port = listening != null ? listening.port() : named != null ? named.getPort() : -1;
        return of(addresses, flow.transport(), host, port, named != null && named.isSecure());
    }

    /**
     * The local address the peer of a flow reaches this server at: the kernel's route choice toward the peer's address
     * (a connected UDP socket, which sends nothing). No name is resolved.
     */
    public static String localAddressFor(Flow flow) {
        InetAddress peer = flow.remote().getAddress();
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(peer, 9);
            InetAddress local = probe.getLocalAddress();
            if (local != null && !local.isAnyLocalAddress()) {
                return local.getHostAddress();
            }
        } catch (SocketException e) {
            // no route: fall through
        }
        return peer.isLoopbackAddress() ? peer.getHostAddress() : "127.0.0.1";
    }

    private static boolean isWildcard(String address) {
        return "0.0.0.0".equals(address) || "::".equals(address) || "[::]".equals(address);
    }
}
