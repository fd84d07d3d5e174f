package org.screamrouter.sip.auth;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;
import org.screamrouter.sip.stack.SipExchange;

/**
 * Digest authentication (the auth bundle, configuration PID {@code org.screamrouter.sip.auth}, {@code auth.*}), for
 * every handler that serves a method it may challenge (REGISTER, SUBSCRIBE, PUBLISH, INVITE, MESSAGE). A handler asks
 * first and serves the request only when told to proceed. Handlers reach it through an {@link AuthenticatorSlot},
 * which waits for it while it is away (a bundle update) and fails closed.
 */
@ProviderType
public interface SipAuthenticator {
    /**
     * Checks the request's credentials when its method is challenged. When the request may not proceed it has
     * already been answered (401 with a fresh challenge, 403 or 400 with a reason) and the handler must not
     * answer it again.
     */
    Outcome authenticate(SipExchange exchange);

    /**
     * Whether an authenticated user may act for an address-of-record (register it, publish or subscribe as it):
     * its user part is the user name (whatever host the handler serves), or it is one of the user's extra
     * addresses-of-record ({@link SipCredentials.User}). The caller answers 403 when not.
     */
    boolean owns(String user, String addressOfRecord);

    /**
     * @param proceed whether the handler should serve the request
     * @param user    the authenticated user name, empty when authentication is off or the method is not challenged
     */
    record Outcome(boolean proceed, Optional<String> user) {
        public static Outcome open() {
            return new Outcome(true, Optional.empty());
        }

        public static Outcome authenticated(String user) {
            return new Outcome(true, Optional.of(user));
        }

        public static Outcome refused() {
            return new Outcome(false, Optional.empty());
        }
    }
}
