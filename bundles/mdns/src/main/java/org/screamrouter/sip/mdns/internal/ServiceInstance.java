package org.screamrouter.sip.mdns.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.screamrouter.sip.mdns.MdnsPublication;
import org.screamrouter.sip.stack.ListeningPoint;

/**
 * A DNS-SD service instance the router wants announced (RFC 6763 section 4.1): service type, instance name, SRV
 * port and TXT record (RFC 6763 section 6). A value: two equal instances need no re-announcement.
 */
record ServiceInstance(String type, String name, int port, Map<String, String> txt) {
    /** The order transports are listed in the {@code transport} TXT value. */
    private static final List<String> TRANSPORTS = List.of("udp", "tcp", "ws", "tls", "wss");

    ServiceInstance {
        txt = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(txt));
    }

    /**
     * What to announce for the stack's current listening points: nothing without a UDP listening point, since the
     * SRV record of a {@code _udp} service names a UDP port.
     */
    static List<ServiceInstance> forStack(MdnsConfig config, Collection<ListeningPoint> points, String routerUuid,
                                          String version) {
        Optional<ListeningPoint> udp = find(points, "udp");
        if (udp.isEmpty()) {
            return List.of();
        }
        List<String> enabled = new ArrayList<>();
        for (String transport : TRANSPORTS) {
            if (find(points, transport).isPresent()) {
                enabled.add(transport);
            }
        }
        Map<String, String> txt = new LinkedHashMap<>();
        txt.put(MdnsPublication.TXT_ROUTER_UUID, routerUuid);
        txt.put(MdnsPublication.TXT_SRV_VERSION, MdnsPublication.SRV_VERSION);
        txt.put(MdnsPublication.TXT_TRANSPORT, String.join(",", enabled));
        find(points, "ws").ifPresent(ws -> txt.put(MdnsPublication.TXT_WS_PORT, Integer.toString(ws.port())));
        Optional<ListeningPoint> tls = find(points, "tls");
        tls.ifPresent(p -> txt.put(MdnsPublication.TXT_TLS_PORT, Integer.toString(p.port())));
        find(points, "wss").ifPresent(p -> txt.put(MdnsPublication.TXT_WSS_PORT, Integer.toString(p.port())));
        txt.put(MdnsPublication.TXT_SIP_DOMAIN, config.sip_domain());
        txt.put(MdnsPublication.TXT_VERSION, version);

        String name = config.instance_name().isBlank() ? "ScreamRouter" : config.instance_name().strip();
        int port = udp.get().port();
        List<ServiceInstance> out = new ArrayList<>();
        out.add(new ServiceInstance(MdnsPublication.SERVICE_TYPE, name, port, txt));
        if (config.publish_sip_udp()) {
            out.add(new ServiceInstance(MdnsPublication.SIP_UDP_SERVICE_TYPE, name, port, txt));
        }
        if (config.publish_sips_tcp() && tls.isPresent()) {
            out.add(new ServiceInstance(MdnsPublication.SIPS_TCP_SERVICE_TYPE, name, tls.get().port(), txt));
        }
        return out;
    }

    /** The UDP listening point's bound address, which limits the addresses worth announcing. */
    static Optional<String> udpAddress(Collection<ListeningPoint> points) {
        return find(points, "udp").map(ListeningPoint::address);
    }

    private static Optional<ListeningPoint> find(Collection<ListeningPoint> points, String transport) {
        // lowest port first, so two points of one transport (briefly, during a re-bind) give a stable answer
        return points.stream()
                .filter(p -> transport.equalsIgnoreCase(p.transport()))
                .min(java.util.Comparator.comparingInt(ListeningPoint::port));
    }
}
