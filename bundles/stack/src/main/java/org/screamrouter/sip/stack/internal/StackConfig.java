package org.screamrouter.sip.stack.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code org.screamrouter.sip.stack}: what the stack listens on and how it is tuned. */
@ObjectClassDefinition(
        id = StackConfig.PID,
        name = "ScreamRouter SIP stack",
        description = "Listening points and tuning of the SIP stack. Port and transport changes re-bind live.")
public @interface StackConfig {
    String PID = "org.screamrouter.sip.stack";

    @AttributeDefinition(name = "Bind address", description = "Local address to listen on; 0.0.0.0 for every IPv4 interface")
    String bind_address() default "0.0.0.0";

    @AttributeDefinition(name = "UDP enabled")
    boolean udp_enabled() default true;

    @AttributeDefinition(name = "UDP port", min = "1", max = "65535")
    int udp_port() default 5060;

    @AttributeDefinition(name = "TCP enabled")
    boolean tcp_enabled() default true;

    @AttributeDefinition(name = "TCP port", min = "1", max = "65535")
    int tcp_port() default 5060;

    @AttributeDefinition(name = "WebSocket enabled", description = "SIP over WebSocket (RFC 7118), subprotocol 'sip'")
    boolean ws_enabled() default true;

    @AttributeDefinition(name = "WebSocket port", min = "1", max = "65535")
    int ws_port() default 8088;

    @AttributeDefinition(name = "Worker threads", description = "Threads that parse and dispatch messages (JAIN-SIP THREAD_POOL_SIZE)", min = "1", max = "64")
    int thread_pool_size() default 4;

    @AttributeDefinition(name = "Largest message (bytes)", description = "Each received datagram allocates this much; larger messages are dropped", min = "2048", max = "65535")
    int max_message_size() default 16384;

    @AttributeDefinition(name = "UDP socket buffer (bytes)", description = "Receive and send buffer of the UDP socket", min = "65536")
    int udp_buffer_size() default 4194304;

    @AttributeDefinition(name = "Stateless retransmission window (seconds)", description = "How long a final response sent without a transaction is kept to answer a retransmitted request", min = "1", max = "64")
    int retransmission_window() default 32;

    @AttributeDefinition(name = "Server header", description = "Value of the Server header on responses and User-Agent on requests; empty for none")
    String server_header() default "ScreamRouter-SIP";
}
