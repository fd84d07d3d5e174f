package org.screamrouter.sip.sdp;

import java.util.Objects;

/**
 * A line the lenient parser kept without understanding it (an unknown type letter such as
 * {@code f=}, or a known line it could not parse). It is written back verbatim at the end of its
 * section, so a relay does not lose what a device sent. The strict parser never produces one.
 *
 * @param text the whole line without its line ending
 * @param lineNumber where it was read (1-based), or 0 for a line made by code
 */
public record UnrecognizedLine(String text, int lineNumber) {

    public UnrecognizedLine {
        Objects.requireNonNull(text, "text");
    }
}
