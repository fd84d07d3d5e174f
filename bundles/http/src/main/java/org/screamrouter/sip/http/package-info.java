/**
 * HTTP to ScreamRouter: {@link org.screamrouter.sip.http.ScreamRouterHttp} checks a configured URL (IP literal or
 * {@code localhost}, never a name to resolve) and builds the {@link java.net.http.HttpClient} every caller uses (no
 * proxy, no redirects, HTTP/1.1, TLS optionally pinned to ScreamRouter's own certificate). And the other way round,
 * {@link org.screamrouter.sip.http.OriginPolicy}: which web pages may use this server's own web endpoints (the SIP
 * WebSocket, WHEP), one setting syntax for both (1.1). Stateless; plain Java.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.screamrouter.sip.http;
