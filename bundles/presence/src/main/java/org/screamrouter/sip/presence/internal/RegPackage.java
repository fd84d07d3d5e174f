package org.screamrouter.sip.presence.internal;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sip.address.SipURI;
import javax.sip.header.FromHeader;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.SipExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code reg} event package (RFC 3680): reginfo documents of one device's registrations, or of every
 * registration at the router's own URI ({@link Subscription#EVERYTHING}), with a version counted per subscription.
 * Its amplification rules: the registrations of every device are only for the users {@code reg.all.watchers} names,
 * and that subscription gets full state first (and after a restore) and then partial state naming only the device
 * that changed, so one NOTIFY does not grow with the number of devices. (No state at all before the watcher proved
 * its address is the {@link Notifier}'s rule, for every package.)
 */
final class RegPackage implements EventPackage {
    private static final Logger LOG = LoggerFactory.getLogger(RegPackage.class);
    static final String REGINFO_TYPE = "reginfo+xml";

    private final ResourceState states;
    private final Supplier<PresenceConfig> config;

    RegPackage(ResourceState states, Supplier<PresenceConfig> config) {
        this.states = states;
        this.config = config;
    }

    @Override
    public String name() {
        return Subscription.REG;
    }

    @Override
    public String subtype() {
        return REGINFO_TYPE;
    }

    @Override
    public String unknownResource() {
        return "No Such Address-of-Record";
    }

    /** Every registration (the router's own URI) is for the users {@code reg.all.watchers} names: 403 for others. */
    @Override
    public boolean admits(SipExchange exchange, String resource, Optional<String> user) {
        if (!Subscription.EVERYTHING.equals(resource)) return true;
        FromHeader from = (FromHeader) exchange.request().getHeader(FromHeader.NAME);
        String who = user.orElseGet(() -> from.getAddress().getURI() instanceof SipURI u ? u.getUser() : null);
        if (who == null || !List.of(config.get().reg_all_watchers()).contains(who)) {
            String reason = "Forbidden (the registrations of every device are for the users reg.all.watchers names)";
            LOG.debug("SUBSCRIBE reg of everything by {} from {}: {}", who, exchange.flow(), reason);
            exchange.respond(Response.FORBIDDEN, reason);
            return false;
        }
        return true;
    }

    /**
     * The next version, always sent. Full state, except for the router-wide subscription prompted by one device's
     * change after its first NOTIFY: then partial state of that device only (RFC 3680 5.3).
     */
    @Override
    public State now(Subscription s, boolean force, String changed) {
        long version = s.version() + 1;
        boolean partial = changed != null && s.version() >= 0 && Subscription.EVERYTHING.equals(s.resource());
        return new State(states.reginfo(s, version, partial ? changed : null), Long.toString(version), version);
    }

    @Override
    public State last(Subscription s) {
        long version = s.version() + 1;
        return new State(states.reginfo(s, version, null), s.lastState(), version);
    }
}
