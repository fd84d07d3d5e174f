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

    @AttributeDefinition(name = "TLS enabled", description = "SIP over TLS (RFC 3261 26.2; TLS 1.2 and 1.3 only)")
    boolean tls_enabled() default true;

    @AttributeDefinition(name = "TLS port", min = "1", max = "65535")
    int tls_port() default 5061;

    @AttributeDefinition(name = "Secure WebSocket enabled", description = "SIP over WebSocket over TLS (RFC 7118, wss), subprotocol 'sip'")
    boolean wss_enabled() default true;

    @AttributeDefinition(name = "Secure WebSocket port", min = "1", max = "65535")
    int wss_port() default 8089;

    @AttributeDefinition(name = "TLS key store", description = "PKCS12 or JKS file with the server's private key and certificate chain. "
            + "Empty: a self-signed certificate for this machine's names and addresses is generated into the Karaf etc folder "
            + "(sip-tls.p12, and sip-tls.crt to trust in clients). A replaced file is picked up within seconds")
    String tls_keystore() default "";

    @AttributeDefinition(name = "TLS key store password", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD,
            description = "Password of the key store and of its key")
    String tls_keystore_password() default "";

    @AttributeDefinition(name = "TLS key store type", description = "PKCS12 or JKS; empty to go by the file's extension (.p12/.pfx, .jks)")
    String tls_keystore_type() default "";

    @AttributeDefinition(name = "TLS key alias", description = "The key store entry to use; empty for the first private key")
    String tls_key_alias() default "";

    @AttributeDefinition(name = "TLS client certificates", description = "none: clients are not asked for a certificate; want: asked, "
            + "checked against the trust store when given; need: a client without a trusted certificate is refused (mutual TLS)",
            options = {
                    @org.osgi.service.metatype.annotations.Option(label = "none", value = "none"),
                    @org.osgi.service.metatype.annotations.Option(label = "want", value = "want"),
                    @org.osgi.service.metatype.annotations.Option(label = "need", value = "need")})
    String tls_client_auth() default "none";

    @AttributeDefinition(name = "TLS trust store", description = "PKCS12 or JKS file of the certificates that client certificates must "
            + "chain to (tls.client.auth want or need); empty for the JDK's CA certificates")
    String tls_truststore() default "";

    @AttributeDefinition(name = "TLS trust store password", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
    String tls_truststore_password() default "";

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

    @AttributeDefinition(name = "Connections in all", description = "TCP, TLS and WebSocket (ws, wss) connections accepted at once; past this a new one is closed at once", min = "1")
    int connections_max() default 1000;

    @AttributeDefinition(name = "Connections per address", description = "TCP, TLS and WebSocket (ws, wss) connections accepted at once from one IP address", min = "1")
    int connections_per_source() default 32;

    @AttributeDefinition(name = "Idle connection timeout (s)", description = "A TCP, TLS or WebSocket connection that sends nothing this long is closed "
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
