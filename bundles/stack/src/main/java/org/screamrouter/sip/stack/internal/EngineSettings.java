package org.screamrouter.sip.stack.internal;

import java.util.Objects;

/**
 * What a {@link StackEngine} listens on and how it is tuned, independent of where it comes from (the DS
 * component's {@link StackConfig}, or the settings of a standalone stack).
 *
 * @param stackName           JAIN-SIP's stack name (thread names, logs)
 * @param bindAddress         an IP literal; 0.0.0.0 for every IPv4 interface
 * @param ephemeralPorts      whether port 0 means "any free port" (standalone) rather than a bad port
 * @param product             Server and User-Agent header value; null or empty for none
 * @param limits              connection caps, idle time and WebSocket origins (applied live, never a new stack)
 */
public record EngineSettings(String stackName, String bindAddress,
                             boolean udpEnabled, int udpPort,
                             boolean tcpEnabled, int tcpPort,
                             boolean wsEnabled, int wsPort,
                             int threadPoolSize, int maxMessageSize, int udpBufferSize,
                             int retransmissionWindowSeconds, String product, boolean ephemeralPorts,
                             ConnectionLimits limits) {
    public EngineSettings {
        Objects.requireNonNull(stackName, "stackName");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(bindAddress, "bindAddress");
    }

    /** Settings with the default connection limits (a standalone stack has no configuration of them). */
    public EngineSettings(String stackName, String bindAddress, boolean udpEnabled, int udpPort, boolean tcpEnabled, int tcpPort,
                          boolean wsEnabled, int wsPort, int threadPoolSize, int maxMessageSize, int udpBufferSize,
                          int retransmissionWindowSeconds, String product, boolean ephemeralPorts) {
        this(stackName, bindAddress, udpEnabled, udpPort, tcpEnabled, tcpPort, wsEnabled, wsPort, threadPoolSize, maxMessageSize,
                udpBufferSize, retransmissionWindowSeconds, product, ephemeralPorts, ConnectionLimits.DEFAULTS);
    }

    /** The settings of the DS component's configuration. */
    static EngineSettings of(StackConfig config, String product) {
        return new EngineSettings("screamrouter-sip", config.bind_address(),
                config.udp_enabled(), config.udp_port(), config.tcp_enabled(), config.tcp_port(),
                config.ws_enabled(), config.ws_port(), config.thread_pool_size(), config.max_message_size(),
                config.udp_buffer_size(), config.retransmission_window(), product, false, ConnectionLimits.of(config));
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
