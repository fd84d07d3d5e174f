package org.screamrouter.sip.stack;

import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.osgi.annotation.versioning.ProviderType;

/** What the stack is doing now, for the shell and for monitoring. */
@ProviderType
public interface SipStackStatus {
    List<ListeningPoint> listeningPoints();

    /** The methods some handler serves at this moment (what an {@code Allow} header lists). */
    SortedSet<String> servedMethods();

    /** Monotonic counters: requests received per method, responses sent per status class, errors. */
    Map<String, Long> counters();

    /** The certificate of the TLS and secure WebSocket listening points; {@link TlsStatus#NONE} without TLS. */
    default TlsStatus tls() {
        return TlsStatus.NONE;
    }
}
