package org.screamrouter.sip.sdp;

import java.util.List;
import java.util.Objects;

/** {@code a=ssrc-group:<semantics> *(SP <ssrc-id>)} (RFC 5576 section 4.2), e.g. {@code FID} for RTX. */
public record SsrcGroup(String semantics, List<Long> ssrcs) {

    public SsrcGroup {
        Objects.requireNonNull(semantics, "semantics");
        ssrcs = List.copyOf(ssrcs);
    }
}
