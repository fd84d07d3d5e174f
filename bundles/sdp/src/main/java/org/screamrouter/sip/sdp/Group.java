package org.screamrouter.sip.sdp;

import java.util.List;
import java.util.Objects;

/** {@code a=group:<semantics> *(SP <mid>)} (RFC 5888 section 5), {@code BUNDLE} in RFC 9143. */
public record Group(String semantics, List<String> mids) {

    public Group {
        Objects.requireNonNull(semantics, "semantics");
        mids = List.copyOf(mids);
    }

    public boolean isBundle() {
        return "BUNDLE".equalsIgnoreCase(semantics);
    }
}
