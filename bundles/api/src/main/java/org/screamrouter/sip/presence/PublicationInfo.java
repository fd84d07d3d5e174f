package org.screamrouter.sip.presence;

import java.time.Instant;

/**
 * The current publication (RFC 3903) of one resource.
 *
 * @param entityTag its {@code SIP-ETag}
 * @param resource  the device UUID it describes
 * @param basic     the {@code <basic>} status it declares ({@code open}/{@code closed}), or {@code -}
 * @param expires   absolute expiry
 */
public record PublicationInfo(String entityTag, String resource, String basic, Instant expires) {
}
