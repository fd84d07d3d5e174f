package org.screamrouter.sip.sdp;

import java.util.Objects;

/**
 * One {@code a=} line (RFC 8866 section 5.13): a property attribute ({@code a=rtcp-mux}, {@link #value()}
 * is {@code null}) or a value attribute ({@code a=rtpmap:0 PCMU/8000}). The value is kept exactly as
 * received, spaces included, so that unknown and odd attributes are written back unchanged.
 *
 * @param name  the attribute name, case as received
 * @param value everything after the first colon, or {@code null} for a property attribute
 */
public record Attribute(String name, String value) {

    public Attribute {
        Objects.requireNonNull(name, "name");
    }

    /** A property attribute such as {@code a=rtcp-mux}. */
    public static Attribute property(String name) {
        return new Attribute(name, null);
    }

    public static Attribute of(String name, String value) {
        return new Attribute(name, value);
    }

    public boolean isProperty() {
        return value == null;
    }

    /** The attribute as it appears after {@code a=}. */
    @Override
    public String toString() {
        return value == null ? name : name + ':' + value;
    }
}
