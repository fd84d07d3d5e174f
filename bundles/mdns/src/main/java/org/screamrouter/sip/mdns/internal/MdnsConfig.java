package org.screamrouter.sip.mdns.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code org.screamrouter.sip.mdns}: whether, where and under which name the router is announced. */
@ObjectClassDefinition(
        id = MdnsConfig.PID,
        name = "ScreamRouter SIP mDNS",
        description = "Announces _screamrouter-sip._udp.local. (RFC 6762/6763) for the SIP stack's live UDP port. Changes apply live.")
public @interface MdnsConfig {
    String PID = "org.screamrouter.sip.mdns";

    @AttributeDefinition(name = "Enabled", description = "Announce the router; false withdraws every announcement with goodbye packets")
    boolean enabled() default true;

    @AttributeDefinition(name = "Instance name",
            description = "DNS-SD instance name; on a conflict with another device the responder picks a new one, e.g. 'ScreamRouter (2)'")
    String instance_name() default "ScreamRouter";

    @AttributeDefinition(name = "Interfaces",
            description = "IP addresses or interface names to announce on (comma separated allowed), loopback included when named. "
                    + "Empty: every interface that is up, not loopback and multicast capable")
    String[] interfaces() default {};

    @AttributeDefinition(name = "Publish _sip._udp", description = "Also announce the standard _sip._udp.local. service type")
    boolean publish_sip_udp() default false;

    @AttributeDefinition(name = "Publish _sips._tcp", description = "Also announce the standard _sips._tcp.local. service type "
            + "with the TLS port, while the stack listens on TLS")
    boolean publish_sips_tcp() default false;

    @AttributeDefinition(name = "SIP domain", description = "Announced in the TXT key sip_domain")
    String sip_domain() default "screamrouter.local";
}
