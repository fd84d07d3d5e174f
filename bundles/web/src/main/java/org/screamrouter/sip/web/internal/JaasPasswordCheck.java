package org.screamrouter.sip.web.internal;

import java.security.Principal;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A login against a Karaf JAAS realm ({@code karaf}: {@code etc/users.properties}, the users of the SSH console). The
 * realm's roles are {@link RolePrincipal}s (also those a user has through a group), which Karaf's system bundle exports.
 */
final class JaasPasswordCheck implements PasswordCheck {
    private static final Logger LOG = LoggerFactory.getLogger(JaasPasswordCheck.class);
    private final String realm;
    private final String role;

    JaasPasswordCheck(String realm, String role) {
        this.realm = realm;
        this.role = role;
    }

    @Override
    public Outcome check(String user, char[] password) {
        Subject subject = new Subject();
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        // Karaf's realms name its ProxyLoginModule, which LoginContext loads through the context class loader: the
        // one of Karaf's boot classes (lib/boot), not Jetty's
        thread.setContextClassLoader(RolePrincipal.class.getClassLoader());
        try {
            LoginContext login = new LoginContext(realm, subject, callbacks -> {
                for (Callback c : callbacks) {
                    if (c instanceof NameCallback n) {
                        n.setName(user);
                    } else if (c instanceof PasswordCallback p) {
                        p.setPassword(password);
                    } else {
                        throw new UnsupportedCallbackException(c);
                    }
                }
            });
            login.login();
            try {
                for (Principal p : subject.getPrincipals(RolePrincipal.class)) {
                    if (p.getName().equals(role)) {
                        return Outcome.ACCEPTED;
                    }
                }
                return Outcome.LACKS_ROLE;
            } finally {
                login.logout();
            }
        } catch (FailedLoginException e) {
            return Outcome.REFUSED;
        } catch (LoginException e) {
            // LoginContext's own "No LoginModules configured for <realm>": the realm is not there
            boolean noRealm = e.getMessage() != null && e.getMessage().startsWith("No LoginModules configured");
            LOG.warn("Web console login of {} against JAAS realm {} failed: {}", user, realm, e.toString());
            return noRealm ? Outcome.UNAVAILABLE : Outcome.REFUSED;
        } catch (SecurityException e) {
            LOG.warn("Web console: JAAS realm {} cannot be used: {}", realm, e.toString());
            return Outcome.UNAVAILABLE;
        } finally {
            thread.setContextClassLoader(before);
        }
    }
}
