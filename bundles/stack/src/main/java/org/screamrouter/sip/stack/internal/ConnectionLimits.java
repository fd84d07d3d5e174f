package org.screamrouter.sip.stack.internal;

import java.util.Objects;
import org.screamrouter.sip.http.OriginPolicy;

/**
 * What a TCP or WebSocket peer may hold: connections in all and per source address (accepted ones; connections the
 * server opens are not counted), how long a connection may stay silent before it is closed, and the web origins whose
 * pages may open a WebSocket ({@link OriginPolicy}), and the requests a second one address may send ({@link SourceRates}). Changed live: a connection is judged by the limits in force
 * when it is accepted, or, for the idle time, at each sweep.
 */
record ConnectionLimits(int maxConnections, int perSource, int idleTimeoutSeconds, OriginPolicy origins, SourceRates.Limits rates) {
    /** Defaults of the standalone stack (tools, tests), the same as the component's configuration. */
    static final ConnectionLimits DEFAULTS = new ConnectionLimits(1000, 32, 300, OriginPolicy.parse(OriginPolicy.SELF), new SourceRates.Limits(100, 200));

    ConnectionLimits {
        Objects.requireNonNull(origins, "origins");
        Objects.requireNonNull(rates, "rates");
        maxConnections = Math.max(1, maxConnections);
        perSource = Math.max(1, perSource);
        idleTimeoutSeconds = Math.max(1, idleTimeoutSeconds);
    }

    static ConnectionLimits of(StackConfig config) {
        OriginPolicy origins = OriginPolicy.parse(config.ws_allowed_origins());
        for (String entry : origins.ignored()) {
            org.slf4j.LoggerFactory.getLogger(ConnectionLimits.class).warn("ws.allowed.origins: '{}' is not an origin "
                    + "(scheme://host[:port], null, self or *): left out", entry);
        }
        return new ConnectionLimits(config.connections_max(), config.connections_per_source(), config.connection_idle_timeout(),
                origins, new SourceRates.Limits(config.rate_per_source(), config.rate_burst()));
    }
}
