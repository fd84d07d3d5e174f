package org.screamrouter.sip.sdp;

import java.util.Objects;

/**
 * {@code a=extmap:<id>[/<direction>] <uri> [<extension attributes>]} (RFC 8285 section 8).
 *
 * @param direction {@code null} when not written
 * @param extensionAttributes {@code null} when not written
 */
public record ExtMap(int id, Direction direction, String uri, String extensionAttributes) {

    public ExtMap {
        Objects.requireNonNull(uri, "uri");
    }
}
