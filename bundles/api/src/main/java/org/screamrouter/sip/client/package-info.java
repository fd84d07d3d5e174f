/**
 * The SIP client: {@link SipClient} registers (with RFC 8760 digest authentication and managed refresh),
 * pings, sends MESSAGE and PUBLISH, subscribes and sends raw requests, always to a {@link
 * org.screamrouter.sip.stack.Flow} (an IP literal, never a host name). In the server it is a service on the
 * server's stack. A client on a stack of its own, for tools and tests, is
 * {@code org.screamrouter.sip.client.standalone.SipClients#standalone} (library bundle
 * {@code org.screamrouter.sip.standalone}).
 *
 * <p>2.0.0: {@code SipClients} and {@code StandaloneSipClient} moved to {@code org.screamrouter.sip.client.standalone}
 * when this package moved to the API bundle (they reach into the client's implementation).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package org.screamrouter.sip.client;
