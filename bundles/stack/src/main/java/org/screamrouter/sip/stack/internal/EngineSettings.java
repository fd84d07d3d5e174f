package org.screamrouter.sip.stack.internal;

import java.util.Objects;
import org.screamrouter.sip.stack.internal.tls.TlsSettings;

/**
 * What a {@link StackEngine} listens on and how it is tuned, independent of where it comes from (the DS
 * component's {@link StackConfig}, or the settings of a standalone stack).
 *
 * @param stackName           JAIN-SIP's stack name (thread names, logs)
 * @param bindAddress         an IP literal; 0.0.0.0 for every IPv4 interface
 * @param ephemeralPorts      whether port 0 means "any free port" (standalone) rather than a bad port
 * @param product             Server and User-Agent header value; null or empty for none
 * @param limits              connection caps, idle time and WebSocket origins (applied live, never a new stack)
 * @param tls                 certificate and trust of the tls and wss listening points (a change re-binds only those)
 */
public record EngineSettings(String stackName, String bindAddress,
                             boolean udpEnabled, int udpPort,
                             boolean tcpEnabled, int tcpPort,
                             boolean wsEnabled, int wsPort,
                             int threadPoolSize, int maxMessageSize, int udpBufferSize,
                             int retransmissionWindowSeconds, String product, boolean ephemeralPorts,
                             ConnectionLimits limits,
                             boolean tlsEnabled, int tlsPort, boolean wssEnabled, int wssPort, TlsSettings tls) {
    public EngineSettings {
        Objects.requireNonNull(stackName, "stackName");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(bindAddress, "bindAddress");
    }

    /**
     * Settings with the default connection limits (a standalone stack has no configuration of them), and TLS on port
     * {@code tlsPort} when it is not negative.
     */
    public EngineSettings(String stackName, String bindAddress, boolean udpEnabled, int udpPort, boolean tcpEnabled, int tcpPort,
                          boolean wsEnabled, int wsPort, int threadPoolSize, int maxMessageSize, int udpBufferSize,
                          int retransmissionWindowSeconds, String product, boolean ephemeralPorts, int tlsPort, TlsSettings tls) {
        this(stackName, bindAddress, udpEnabled, udpPort, tcpEnabled, tcpPort, wsEnabled, wsPort, threadPoolSize, maxMessageSize,
                udpBufferSize, retransmissionWindowSeconds, product, ephemeralPorts, ConnectionLimits.DEFAULTS,
                tlsPort >= 0, Math.max(tlsPort, 0), false, 0, tls);
    }

    /** The settings of the DS component's configuration; a generated certificate is kept in {@code generatedFolder}. */
    static EngineSettings of(StackConfig config, String product, java.nio.file.Path generatedFolder) {
        TlsSettings tls = new TlsSettings(config.tls_keystore(), config.tls_keystore_password(), config.tls_keystore_type(),
                config.tls_key_alias(), config.tls_truststore(), config.tls_truststore_password(), config.tls_client_auth(),
                generatedFolder, "");
        return new EngineSettings("screamrouter-sip", config.bind_address(),
                config.udp_enabled(), config.udp_port(), config.tcp_enabled(), config.tcp_port(),
                config.ws_enabled(), config.ws_port(), config.thread_pool_size(), config.max_message_size(),
                config.udp_buffer_size(), config.retransmission_window(), product, false, ConnectionLimits.of(config),
                config.tls_enabled(), config.tls_port(), config.wss_enabled(), config.wss_port(), tls);
    }

    /** Whether going from {@code before} to this needs a new JAIN-SIP stack (tuning read only at creation). */
    boolean needsNewStack(EngineSettings before) {
        return before == null
                || before.threadPoolSize != threadPoolSize
                || before.maxMessageSize != maxMessageSize
                || before.udpBufferSize != udpBufferSize
                || before.retransmissionWindowSeconds != retransmissionWindowSeconds
                || !Objects.equals(before.product, product)
                || !before.stackName.equals(stackName);
    }
}
