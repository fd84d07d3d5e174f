package org.screamrouter.sip.whep.relay.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration PID {@code org.screamrouter.sip.whep.relay}. The relay serves only while this configuration exists
 * with a {@code url}; then calls use it instead of the embedded engine (it is ranked above it).
 */
@ObjectClassDefinition(id = WhepRelayConfig.PID, name = "ScreamRouter SIP WHEP relay",
        description = "Calls' WebRTC media from ScreamRouter's own engine, through its WHEP endpoint")
public @interface WhepRelayConfig {
    String PID = "org.screamrouter.sip.whep.relay";

    @AttributeDefinition(name = "ScreamRouter URL", description = "Where ScreamRouter serves /api/whep: http(s)://<IP "
            + "literal or localhost>[:port], e.g. https://192.168.1.10 (its default port is 443). Names are never resolved")
    String url();

    @AttributeDefinition(name = "Certificate", description = "For https: a PEM file with ScreamRouter's own certificate, "
            + "the only one trusted (relative to karaf.etc). Empty: the JVM's authorities", required = false)
    String certificate() default "";

    @AttributeDefinition(name = "Request timeout (ms)", description = "For each WHEP request; an offer may take "
            + "ScreamRouter up to 5 s to answer", min = "100")
    int timeout_ms() default 8000;

    @AttributeDefinition(name = "Heartbeat interval (ms)", description = "How often a call's session is renewed "
            + "(ScreamRouter ends a session silent for 15 s); 3 heartbeats failing in a row end the call", min = "500")
    int heartbeat_interval_ms() default 5000;

    @AttributeDefinition(name = "Candidate poll (ms)", description = "How often ScreamRouter's late ICE candidates are "
            + "fetched in the first seconds of a call", min = "50")
    int candidate_poll_ms() default 250;

    @AttributeDefinition(name = "Candidate poll duration (ms)", description = "How long after the answer they are fetched that often", min = "0")
    int candidate_poll_duration_ms() default 5000;

    @AttributeDefinition(name = "Ranking", description = "service.ranking of the relay's AudioBridge: above the embedded engine's 0, calls use the relay")
    int service_ranking() default 100;
}
