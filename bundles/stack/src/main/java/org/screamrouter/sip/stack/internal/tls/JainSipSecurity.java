package org.screamrouter.sip.stack.internal.tls;

import gov.nist.core.net.SecurityManagerProvider;
import java.util.Properties;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * Hands JAIN-SIP's TLS processors the keys and trust of a {@link TlsIdentity}. JAIN-SIP would create its provider by
 * class name from its own class loader, which cannot see this bundle; the stack sets this one instead
 * ({@code ScreamSipStack}). Each TLS listening point asks once, when it is created; the key manager it gets follows
 * replacements of the certificate.
 */
public final class JainSipSecurity implements SecurityManagerProvider {
    private final TlsIdentity identity;

    public JainSipSecurity(TlsIdentity identity) {
        this.identity = identity;
    }

    /** The configuration comes from {@link TlsSettings}, not from the stack's properties. */
    @Override
    public void init(Properties properties) {
        // nothing to read
    }

    /** The identity's key manager, or null (JAIN-SIP then leaves TLS uninitialised) while there is no certificate. */
    @Override
    public KeyManager[] getKeyManagers(boolean client) {
        return identity.ready() ? new KeyManager[] {identity.keyManager()} : null;
    }

    @Override
    public TrustManager[] getTrustManagers(boolean client) {
        return client ? identity.clientTrust() : identity.serverTrust();
    }
}
