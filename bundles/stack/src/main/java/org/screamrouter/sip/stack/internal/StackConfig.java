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

    @AttributeDefinition(name = "Wait for a handler (ms)", description = "When the bundle serving a method goes away (bundle:update), its "
            + "requests are held this long for the new one; then, and while it stays away, 503 with Retry-After. A method never served gets 405; "
            + "0: no waiting, a handler that leaves is as if it had never been there (405)", min = "0")
    int handler_wait() default 5000;

    @AttributeDefinition(name = "WebSocket origins allowed", description = "Web pages that may open a SIP WebSocket, comma-separated: "
            + "'self' (pages served from this machine: localhost, loopback or an address of one of its interfaces), origins "
            + "scheme://host[:port], 'null' (opaque origins: files, sandboxed frames, only for tests), or '*' (any page). Other "
            + "pages are refused 403 before the upgrade. A handshake without Origin (a device, not a browser) is allowed")
    String ws_allowed_origins() default "self";

    @AttributeDefinition(name = "Connections in all", description = "TCP and WebSocket connections accepted at once; past this a new one is closed at once", min = "1")
    int connections_max() default 1000;

    @AttributeDefinition(name = "Connections per address", description = "TCP and WebSocket connections accepted at once from one IP address", min = "1")
    int connections_per_source() default 32;

    @AttributeDefinition(name = "Idle connection timeout (s)", description = "A TCP or WebSocket connection that sends nothing this long is closed "
            + "(registered devices answer the registrar's pings every keepalive.interval)", min = "1")
    int connection_idle_timeout() default 300;

    @AttributeDefinition(name = "Requests per second per source", description = "What one IP address may send (token bucket); "
            + "past it 503 with Retry-After, and past the burst again in debt its requests are dropped unanswered. 0: no limit", min = "0")
    int rate_per_source() default 100;

    @AttributeDefinition(name = "Burst per source", description = "Requests one IP address may send at once before the rate applies", min = "1")
    int rate_burst() default 200;

    @AttributeDefinition(name = "Server header", description = "Value of the Server header on responses and User-Agent on requests; empty for none")
    String server_header() default "ScreamRouter-SIP";
}
