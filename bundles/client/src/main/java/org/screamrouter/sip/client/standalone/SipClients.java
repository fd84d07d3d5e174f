package org.screamrouter.sip.client.standalone;

import java.time.Duration;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.client.internal.StandaloneClient;
import org.screamrouter.sip.stack.standalone.StackSettings;

/** Clients outside OSGi, for tools and tests. In the server, use the {@link SipClient} service. */
public final class SipClients {
    private SipClients() {
    }

    /** A client on a stack of its own, with an 8 s default timeout. */
    public static StandaloneSipClient standalone(StackSettings settings) {
        return standalone(settings, Duration.ofSeconds(8));
    }

    public static StandaloneSipClient standalone(StackSettings settings, Duration defaultTimeout) {
        return StandaloneClient.open(settings, defaultTimeout);
    }
}
