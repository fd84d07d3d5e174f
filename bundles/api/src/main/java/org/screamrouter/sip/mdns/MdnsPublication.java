package org.screamrouter.sip.mdns;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** The mDNS publisher's view of what it announces, for the shell ({@code sip:mdns}) and for monitoring. */
@ProviderType
public interface MdnsPublication {
    /** TXT key of the router's persistent UUID. */
    String TXT_ROUTER_UUID = "router_uuid";
    /** TXT key of the ScreamRouter protocol version, {@value #SRV_VERSION}. */
    String TXT_SRV_VERSION = "srv_version";
    /** TXT key of the enabled SIP transports, comma separated ({@code udp,tcp,ws,tls,wss}). */
    String TXT_TRANSPORT = "transport";
    /** TXT key of the SIP-over-WebSocket port, present only when WebSocket is enabled. */
    String TXT_WS_PORT = "ws_port";
    /** TXT key of the SIP-over-TLS port (RFC 5630), present only when TLS is enabled. */
    String TXT_TLS_PORT = "tls_port";
    /** TXT key of the secure WebSocket port (wss), present only when it is enabled. */
    String TXT_WSS_PORT = "wss_port";
    /** TXT key of the SIP domain devices register in. */
    String TXT_SIP_DOMAIN = "sip_domain";
    /** TXT key of the server's version. */
    String TXT_VERSION = "version";
    /** The protocol version ScreamRouter's v2 plan announces. */
    String SRV_VERSION = "2.0";
    /** The service type devices browse for. */
    String SERVICE_TYPE = "_screamrouter-sip._udp.local.";
    /** The standard SIP service type (RFC 6763 section 7), published too when configured. */
    String SIP_UDP_SERVICE_TYPE = "_sip._udp.local.";
    /** The standard SIP-over-TLS service type, published when configured and TLS is enabled (SRV port: TLS). */
    String SIPS_TCP_SERVICE_TYPE = "_sips._tcp.local.";

    /** The router's UUID as it appears in {@value #TXT_ROUTER_UUID}; the same value across restarts. */
    String routerUuid();

    /** Why the publication is what it is: {@code published}, or the reason nothing (or less) is announced. */
    String state();

    /** Every service instance announced at this moment, one per service type and interface address. */
    List<MdnsAnnouncement> announcements();
}
