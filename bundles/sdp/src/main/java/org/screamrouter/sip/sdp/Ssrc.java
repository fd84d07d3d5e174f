package org.screamrouter.sip.sdp;

import java.util.Objects;

/** {@code a=ssrc:<ssrc-id> <attribute>[:<value>]} (RFC 5576 section 4.1), e.g. {@code cname}. */
public record Ssrc(long ssrc, String attribute, String value) {

    public Ssrc {
        Objects.requireNonNull(attribute, "attribute");
    }
}
