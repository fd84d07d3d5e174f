package org.screamrouter.sip.sdp;

import java.util.List;
import java.util.Objects;

/**
 * What the lenient parser returns: the description as far as it could be read and every problem
 * found, in line order. Real devices send SDP with unknown attributes, duplicates or no {@code s=};
 * the caller decides which of these it tolerates.
 */
public record ParseResult(SessionDescription description, List<Diagnostic> diagnostics) {

    public ParseResult {
        Objects.requireNonNull(description, "description");
        diagnostics = List.copyOf(diagnostics);
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    public List<Diagnostic> errors() {
        return diagnostics.stream().filter(Diagnostic::isError).toList();
    }
}
