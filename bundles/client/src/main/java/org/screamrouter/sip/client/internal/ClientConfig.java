package org.screamrouter.sip.client.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code org.screamrouter.sip.client}: the in-process SIP client. */
@ObjectClassDefinition(
        id = ClientConfig.PID,
        name = "ScreamRouter SIP client",
        description = "The SipClient service on the server's stack (registrar keep-alive pings, tools)")
public @interface ClientConfig {
    String PID = "org.screamrouter.sip.client";

    @AttributeDefinition(name = "Default timeout (ms)",
            description = "How long a request waits for its final response when the caller names no timeout", min = "100", max = "64000")
    int timeout_ms() default 8000;
}
