package org.screamrouter.sip.sdp;

import java.util.Objects;

/** {@code a=msid:<stream id> [<track id>]} (RFC 8830 section 2); {@code -} as stream id means no stream. */
public record Msid(String streamId, String trackId) {

    public Msid {
        Objects.requireNonNull(streamId, "streamId");
    }
}
