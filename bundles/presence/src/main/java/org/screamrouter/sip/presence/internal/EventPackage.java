package org.screamrouter.sip.presence.internal;

import java.util.Optional;
import org.screamrouter.sip.stack.SipExchange;

/**
 * One event package the notifier serves (RFC 6665 section 7): its name in the Event header, the body type of its
 * NOTIFYs, who may subscribe to what, and what a NOTIFY of a subscription says. The {@link Notifier} keeps the
 * dialog (CSeq, order, answers, the end); a package only decides the content. {@link PresencePackage} and
 * {@link RegPackage} are the two.
 */
interface EventPackage {
    /** What one NOTIFY says: its body, what {@link Subscription#lastState()} records of it, its reginfo version. */
    record State(String body, String signature, long version) {}

    /** The package's name, as the Event header has it ({@code presence}, {@code reg}). */
    String name();

    /** The subtype of the {@code application/...} bodies of its NOTIFYs. */
    String subtype();

    /** The reason phrase of the 404 to a SUBSCRIBE whose Request-URI names nothing this package knows. */
    String unknownResource();

    /**
     * Whether a new SUBSCRIBE (by {@code user}, authenticated, else empty) may watch {@code resource}; when it may
     * not, the request has been answered.
     */
    boolean admits(SipExchange exchange, String resource, Optional<String> user);

    /**
     * What a NOTIFY of the proven subscription {@code s} says now, or {@code null} when nothing needs saying (not
     * {@code force}d and the watcher saw this state already). {@code changed}: the device whose change prompts the
     * NOTIFY, {@code null} when it is not one device's change.
     */
    State now(Subscription s, boolean force, String changed);

    /** What the final NOTIFY of the proven subscription {@code s} says (RFC 6665 4.2.2). */
    State last(Subscription s);
}
