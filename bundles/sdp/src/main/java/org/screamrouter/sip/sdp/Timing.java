package org.screamrouter.sip.sdp;

import java.util.List;

/**
 * A {@code t=} line with the {@code r=} lines that follow it (RFC 8866 sections 5.9 and 5.10).
 * {@code t=0 0} is the unbounded session every SIP offer and answer uses.
 */
public record Timing(long startTime, long stopTime, List<RepeatTime> repeats) {

    /** {@code t=0 0}. */
    public static final Timing UNBOUNDED = new Timing(0, 0, List.of());

    public Timing {
        repeats = List.copyOf(repeats);
    }

    @Override
    public String toString() {
        return startTime + " " + stopTime;
    }
}
