package org.screamrouter.sip.calls.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.screamrouter.sip.sdp.Connection;
import org.screamrouter.sip.sdp.MediaDescription;
import org.screamrouter.sip.sdp.SessionDescription;
import org.screamrouter.sip.stack.Flow;

/**
 * Where plain RTP goes, so that the server never becomes a reflector: to the address the offer names only when it is
 * the address the INVITE came from; otherwise (another host, a private address behind NAT, a host name, 0.0.0.0) to
 * the signalling source at the offered port (symmetric, RFC 4961 spirit). A host name in the offer is never resolved.
 */
final class MediaTarget {
    private MediaTarget() {
    }

    static InetSocketAddress choose(SessionDescription offer, MediaDescription audio, Flow signalling) {
        InetAddress source = signalling.remote().getAddress();
        Optional<Connection> c = offer.connection(audio);
        if (c.isPresent()) {
            Optional<InetAddress> offered = literal(c.get().address());
            if (offered.isPresent() && offered.get().equals(source)) {
                return new InetSocketAddress(offered.get(), audio.port());
            }
        }
        return new InetSocketAddress(source, audio.port());
    }

    /** An IPv4 or IPv6 literal as an address; empty for anything else (host names are not looked up). */
    static Optional<InetAddress> literal(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        String h = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        boolean v6 = h.indexOf(':') >= 0 && h.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 || ch == ':' || ch == '.');
        boolean v4 = h.matches("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(h)); // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
