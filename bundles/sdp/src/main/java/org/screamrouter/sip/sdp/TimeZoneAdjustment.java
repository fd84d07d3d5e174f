package org.screamrouter.sip.sdp;

import java.util.Objects;

/** One pair of a {@code z=} line (RFC 8866 section 5.11): at {@code adjustmentTime} apply {@code offset}. */
public record TimeZoneAdjustment(long adjustmentTime, String offset) {

    public TimeZoneAdjustment {
        Objects.requireNonNull(offset, "offset");
    }
}
