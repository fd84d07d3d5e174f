/**
 * The SIP client: {@link SipClient} registers (with RFC 8760 digest authentication and managed refresh),
 * pings, sends MESSAGE and PUBLISH, subscribes and sends raw requests, always to a {@link
 * org.screamrouter.sip.stack.Flow} (an IP literal, never a host name). In the server it is a service on the
 * server's stack; {@link SipClients#standalone} gives one on a stack of its own for tools and tests.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.screamrouter.sip.client;
