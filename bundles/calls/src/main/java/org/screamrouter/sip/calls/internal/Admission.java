package org.screamrouter.sip.calls.internal;

import java.net.InetAddress;
import java.util.Optional;

/**
 * Whether one more call may start: at most {@code max.calls} in all and {@code max.calls.per.source} from one IP
 * address, counting every call in the {@link CallTable}. Past either the INVITE gets 503 with Retry-After: a condition
 * of the server that passes (RFC 3261 21.5.4).
 */
final class Admission {
    private final CallTable calls;

    Admission(CallTable calls) {
        this.calls = calls;
    }

    /** The reason phrase of the 503 when a call from {@code source} may not start; empty when it may. */
    Optional<String> refusal(InetAddress source, int maxCalls, int maxCallsPerSource) {
        if (calls.size() >= maxCalls) {
            return Optional.of("Service Unavailable (" + maxCalls + " calls in progress)");
        }
        if (calls.from(source) >= maxCallsPerSource) {
            return Optional.of("Service Unavailable (" + maxCallsPerSource + " calls from " + source.getHostAddress() + ")");
        }
        return Optional.empty();
    }
}
