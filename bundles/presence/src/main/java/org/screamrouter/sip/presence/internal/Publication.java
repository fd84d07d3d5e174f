package org.screamrouter.sip.presence.internal;

import java.time.Instant;

/**
 * A device's published state (RFC 3903 section 2): the PIDF document it sent, under the entity-tag the server
 * gave it.
 *
 * @param entityTag current {@code SIP-ETag}
 * @param resource  device UUID
 * @param body      the PIDF document as received
 * @param basic     its first {@code <basic>} status ({@code open}/{@code closed}), or {@code null}
 * @param expires   absolute expiry
 */
record Publication(String entityTag, String resource, String body, String basic, Instant expires) {
}
