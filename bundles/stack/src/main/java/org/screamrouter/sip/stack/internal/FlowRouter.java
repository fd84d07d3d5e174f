package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.stack.HopImpl;
import java.net.InetAddress;
import java.util.Collections;
import java.util.ListIterator;
import javax.sip.SipException;
import javax.sip.address.Hop;
import javax.sip.address.Router;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.message.Request;

/**
 * Decides where the stack sends a request: to the {@link org.screamrouter.sip.stack.Flow} the sender named
 * for it, or, for requests the stack makes itself, to the Request-URI only when it holds an IP literal.
 * A host name is never resolved: an address taken from a message could point anywhere.
 */
final class FlowRouter implements Router {
    /** The hop chosen by {@link RequestSender} for the request it is creating a transaction for on this thread. */
    private final ThreadLocal<Hop> nextHop = new ThreadLocal<>();

    void route(Hop hop) {
        nextHop.set(hop);
    }

    void clear() {
        nextHop.remove();
    }

    @Override
    public Hop getNextHop(Request request) throws SipException {
        Hop hop = nextHop.get();
        if (hop != null) {
            return hop;
        }
        URI uri = request.getRequestURI();
        if (uri instanceof SipURI sip && isIpLiteral(sip.getHost())) {
            int port = sip.getPort() > 0 ? sip.getPort() : 5060;
            String transport = sip.getTransportParam() != null ? sip.getTransportParam() : "udp";
            return new HopImpl(sip.getHost(), port, transport);
        }
        throw new SipException("no flow for " + uri + ": host names are not resolved");
    }

    static boolean isIpLiteral(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.indexOf(':') >= 0) {
            return h.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** @deprecated JAIN-SIP 1.2 API, unused by the 1.3 stack. */
    @Deprecated
    @Override
    public ListIterator<?> getNextHops(Request request) {
        return Collections.emptyListIterator();
    }

    @Override
    public Hop getOutboundProxy() {
        return null;
    }

    /** A literal IP for logging and Via decisions; never a lookup of a name. */
    static InetAddress literal(String ip) throws java.net.UnknownHostException {
        if (!isIpLiteral(ip)) {
            throw new java.net.UnknownHostException("not an IP literal: " + ip);
        }
        return InetAddress.getByName(ip);
    }
}
