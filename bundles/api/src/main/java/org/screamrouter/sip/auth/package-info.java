/**
 * Authentication of SIP requests: the {@link SipAuthenticator} handlers ask before serving a request, the
 * {@link SipCredentials} of its users (the shell edits them), and the {@link AuthenticatorSlot} through which a handler
 * holds its dynamic reference to the authenticator: one fail-closed behaviour while it is away (a short bounded wait,
 * then {@code 503 Authentication Unavailable} with one Retry-After), the same in every handler.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.screamrouter.sip.auth;
