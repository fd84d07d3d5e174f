package org.screamrouter.sip.client.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import javax.sip.header.ProxyAuthenticateHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.digest.DigestAlgorithm;

/**
 * One digest challenge of a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate), RFC 3261 22.4 / RFC 8760.
 *
 * @param proxy     whether it came in Proxy-Authenticate (answered in Proxy-Authorization)
 * @param qopAuth   whether {@code qop} offers {@code auth} (otherwise the RFC 2069 form is answered)
 */
record Challenge(boolean proxy, String realm, String nonce, String opaque, DigestAlgorithm algorithm,
                 boolean qopAuth, boolean stale) {

    /**
     * The challenges of a response that can be answered: Digest, an algorithm this client implements, and
     * {@code qop} absent or offering {@code auth}.
     */
    static List<Challenge> of(Response response) {
        boolean proxy = response.getStatusCode() == Response.PROXY_AUTHENTICATION_REQUIRED;
        String name = proxy ? ProxyAuthenticateHeader.NAME : WWWAuthenticateHeader.NAME;
        List<Challenge> out = new ArrayList<>();
        for (ListIterator<?> it = response.getHeaders(name); it.hasNext(); ) {
            WWWAuthenticateHeader h = (WWWAuthenticateHeader) it.next();
            if (!"digest".equalsIgnoreCase(h.getScheme()) || h.getNonce() == null) continue;
            var algorithm = DigestAlgorithm.fromToken(h.getAlgorithm());
            if (algorithm.isEmpty()) continue;
            String qop = h.getQop();
            boolean auth = false;
            if (qop != null) {
                for (String option : qop.split(",")) {
                    if (option.trim().equalsIgnoreCase("auth")) auth = true;
                }
                if (!auth) continue; // auth-int only
            }
            String stale = h.getParameter("stale");
            out.add(new Challenge(proxy, h.getRealm(), h.getNonce(), h.getOpaque(), algorithm.get(), auth,
                    stale != null && stale.trim().toLowerCase(Locale.ROOT).equals("true")));
        }
        return out;
    }
}
