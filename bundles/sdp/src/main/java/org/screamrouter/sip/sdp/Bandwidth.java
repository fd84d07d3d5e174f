package org.screamrouter.sip.sdp;

import java.util.Objects;

/** A {@code b=} line (RFC 8866 section 5.8), e.g. {@code b=AS:30} (kbit/s) or {@code b=TIAS:64000} (RFC 3890). */
public record Bandwidth(String type, long value) {

    public Bandwidth {
        Objects.requireNonNull(type, "type");
    }

    @Override
    public String toString() {
        return type + ':' + value;
    }
}
