package org.screamrouter.sip.mdns;

import java.util.Map;

/**
 * One DNS-SD service instance (RFC 6763 section 4.1) announced on one interface address.
 *
 * @param interfaceName the network interface, e.g. {@code eth0}
 * @param address       the address the responder is bound to and the A/AAAA record names
 * @param serviceType   e.g. {@code _screamrouter-sip._udp.local.}
 * @param instanceName  the name actually announced: after a name conflict (RFC 6762 section 9) it is the new
 *                      name the responder chose, e.g. {@code ScreamRouter (2)}
 * @param port          the SRV port, the stack's live UDP port
 * @param txt           the TXT record's key/value pairs in announcement order
 */
public record MdnsAnnouncement(String interfaceName, String address, String serviceType, String instanceName,
                               int port, Map<String, String> txt) {
    public MdnsAnnouncement {
        txt = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(txt));
    }
}
