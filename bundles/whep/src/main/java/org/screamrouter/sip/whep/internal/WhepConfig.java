package org.screamrouter.sip.whep.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.screamrouter.sip.http.OriginPolicy;

/** Configuration PID {@code org.screamrouter.sip.whep}. Changes apply to the next request. */
@ObjectClassDefinition(id = WhepConfig.PID, name = "ScreamRouter SIP WHEP endpoint",
        description = "WHEP (RFC 9725) on the embedded audio engine, with ScreamRouter's routes under /api/whep")
public @interface WhepConfig {
    String PID = "org.screamrouter.sip.whep";

    @AttributeDefinition(name = "Maximum sessions", description = "WHEP sessions at once; more get 503 with Retry-After", min = "1")
    int max_sessions() default 32;

    @AttributeDefinition(name = "Maximum sessions per client", description = "WHEP sessions of one client address; more get 429", min = "1")
    int max_sessions_per_client() default 4;

    @AttributeDefinition(name = "Heartbeat timeout (ms)", description = "A session without a heartbeat (POST to its "
            + "Location) or a candidate for this long ends, as ScreamRouter's own endpoint does", min = "1000")
    int heartbeat_timeout_ms() default 15000;

    @AttributeDefinition(name = "Answer timeout (ms)", description = "How long the engine may take to answer an offer; past it 500", min = "100")
    int answer_timeout_ms() default 5000;

    @AttributeDefinition(name = "Largest offer (bytes)", description = "A larger SDP offer or candidate body gets 413", min = "1024")
    int max_body_bytes() default 65536;

    @AttributeDefinition(name = "Allowed origins", description = "Web pages that may use this endpoint (the same setting as the "
            + "stack's ws.allowed.origins; allowed cross-origin pages get CORS headers). A page from anywhere else could make a "
            + "visitor's browser listen to a sink and upload it. " + OriginPolicy.SYNTAX)
    String cors_allowed_origins() default OriginPolicy.SELF;
}
