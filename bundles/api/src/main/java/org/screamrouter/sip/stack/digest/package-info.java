/**
 * HTTP digest arithmetic for SIP (RFC 3261 section 22.4, RFC 7616, RFC 8760): the hashes both the
 * registrar (checking credentials) and the client (answering challenges) compute. Pure functions, no state.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.screamrouter.sip.stack.digest;
