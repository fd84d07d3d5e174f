package org.screamrouter.sip.client.internal;

import java.text.ParseException;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.message.Request;
import org.screamrouter.sip.client.Credentials;

/**
 * The digest state of one series of requests (a registration and its refreshes): the last challenge and how
 * often its nonce has been used, so a refresh can send credentials at once (nonce count + 1) instead of
 * collecting a new challenge first.
 */
final class DigestSession {
    private final Credentials credentials;
    private Challenge challenge;
    private int nonceCount;

    DigestSession(Credentials credentials) {
        this.credentials = credentials;
    }

    Credentials credentials() {
        return credentials;
    }

    synchronized void challenged(Challenge c) {
        if (challenge == null || !c.nonce().equals(challenge.nonce())) {
            nonceCount = 0;
        }
        challenge = c;
    }

    synchronized Challenge challenge() {
        return challenge;
    }

    /** Sets the credentials header for the current challenge, if any; returns whether it did. */
    synchronized boolean authorize(Request request, HeaderFactory headers) throws ParseException {
        request.removeHeader(AuthorizationHeader.NAME);
        request.removeHeader(ProxyAuthorizationHeader.NAME);
        if (challenge == null) return false;
        nonceCount++;
        String value = DigestResponder.authorization(challenge, credentials, request.getMethod(),
                request.getRequestURI().toString(), nonceCount, DigestResponder.cnonce());
        Header h = headers.createHeader(challenge.proxy() ? ProxyAuthorizationHeader.NAME : AuthorizationHeader.NAME, value);
        request.setHeader(h);
        return true;
    }
}
