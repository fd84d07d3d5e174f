package org.screamrouter.sip.calls.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code org.screamrouter.sip.calls}. */
@ObjectClassDefinition(id = CallsConfig.PID, name = "ScreamRouter SIP calls",
        description = "INVITE handling: deadlines and limits of calls to sinks")
public @interface CallsConfig {
    String PID = "org.screamrouter.sip.calls";

    @AttributeDefinition(name = "Answer deadline (ms)", description = "How long the audio engine may take to answer an "
            + "offer; past it the INVITE gets 500 and the listener is removed", min = "100")
    int answer_deadline_ms() default 5000;

    @AttributeDefinition(name = "Maximum calls", description = "Calls in progress at once; more get 503 with Retry-After", min = "1")
    int max_calls() default 200;

    @AttributeDefinition(name = "Maximum calls per source", description = "Calls in progress from one IP address; more "
            + "get 503 with Retry-After", min = "1")
    int max_calls_per_source() default 8;

    @AttributeDefinition(name = "T1 (ms)", description = "RFC 3261 timer T1: first retransmission interval of final "
            + "responses over UDP (doubling up to T2 = 8*T1); the ACK is awaited 64*T1", min = "50")
    int t1_ms() default 500;

    @AttributeDefinition(name = "BYE timeout (ms)", description = "How long a BYE sent by the server waits for its answer", min = "100")
    int bye_timeout_ms() default 4000;

    @AttributeDefinition(name = "Shutdown grace (ms)", description = "When the calls bundle stops, how long it waits "
            + "for the answers to the BYEs it sends", min = "0")
    int shutdown_grace_ms() default 2000;
}
