package org.screamrouter.sip.presence.internal;

import java.util.Optional;
import org.screamrouter.sip.stack.SipExchange;

/**
 * The {@code presence} event package (RFC 3856): PIDF documents (RFC 3863) of one device, composed by
 * {@link ResourceState#presence} from the registrar and the device's publication; a NOTIFY only when what the
 * watcher saw changed (basic status and the publication it came from), unless forced. Anyone may watch any device.
 * PUBLISH of this package is {@link PublishHandler}'s.
 */
final class PresencePackage implements EventPackage {
    static final String PIDF_TYPE = "pidf+xml";

    private final ResourceState states;

    PresencePackage(ResourceState states) {
        this.states = states;
    }

    @Override
    public String name() {
        return Subscription.PRESENCE;
    }

    @Override
    public String subtype() {
        return PIDF_TYPE;
    }

    @Override
    public String unknownResource() {
        return "No Such Device";
    }

    @Override
    public boolean admits(SipExchange exchange, String resource, Optional<String> user) {
        return true;
    }

    @Override
    public State now(Subscription s, boolean force, String changed) {
        ResourceState.PresenceState state = states.presence(s);
        if (!force && state.signature().equals(s.lastState())) return null;
        return new State(state.body(), state.signature(), s.version());
    }

    @Override
    public State last(Subscription s) {
        return new State(states.presence(s).body(), s.lastState(), s.version());
    }
}
