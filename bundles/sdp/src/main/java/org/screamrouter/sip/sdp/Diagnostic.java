package org.screamrouter.sip.sdp;

import java.util.Objects;

/**
 * A problem found while parsing: where (line number and text) and what. The strict parser throws the
 * first {@link Severity#ERROR} as an {@link SdpParseException}; the lenient parser returns them all.
 *
 * @param lineNumber 1-based line number
 * @param line       the line as received (without line ending), or {@code null} at end of input
 */
public record Diagnostic(int lineNumber, String line, Kind kind, String message) {

    /** How bad a problem is. */
    public enum Severity {
        /** The description breaks RFC 8866 or the attribute's own RFC: the strict parser fails. */
        ERROR,
        /** Allowed by RFC 8866 but worth telling (an unknown attribute, which receivers must ignore). */
        WARNING
    }

    /** What kind of problem. */
    public enum Kind {
        /** Not of the form {@code <letter>=<value>}. */
        MALFORMED_LINE(Severity.ERROR),
        /** A known line or attribute whose value breaks its grammar. */
        INVALID_VALUE(Severity.ERROR),
        /** A type letter RFC 8866 does not define ({@code f=}). */
        UNKNOWN_LINE_TYPE(Severity.ERROR),
        /** An attribute name this library does not know: kept, and ignored as RFC 8866 section 5.13 requires. */
        UNKNOWN_ATTRIBUTE(Severity.WARNING),
        /** An attribute that may appear once per section appeared again. */
        DUPLICATE_ATTRIBUTE(Severity.ERROR),
        /** A line that may appear once appeared again. */
        DUPLICATE_LINE(Severity.ERROR),
        /** A mandatory line ({@code v= o= s= t=}) is missing. */
        MISSING_LINE(Severity.ERROR),
        /** A line out of the order RFC 8866 section 5 prescribes, or not allowed in a media section. */
        MISPLACED_LINE(Severity.ERROR),
        /** An empty line inside the description. */
        EMPTY_LINE(Severity.ERROR);

        private final Severity severity;

        Kind(Severity severity) {
            this.severity = severity;
        }

        public Severity severity() {
            return severity;
        }
    }

    public Diagnostic {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    public Severity severity() {
        return kind.severity();
    }

    public boolean isError() {
        return kind.severity() == Severity.ERROR;
    }

    /** {@code line 7 `a=rtcp:1 IN IP7 X`: unknown address type IP7}. */
    @Override
    public String toString() {
        return line == null ? "line " + lineNumber + ": " + message : "line " + lineNumber + " `" + line + "`: " + message;
    }
}
