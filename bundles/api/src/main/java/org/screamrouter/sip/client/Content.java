package org.screamrouter.sip.client;

import java.util.Objects;

/**
 * A message body and its type, e.g. the SDP a ScreamRouter device sends with its REGISTER.
 *
 * @param type {@code type/subtype}, e.g. {@code application/sdp}
 * @param text the body
 */
public record Content(String type, String text) {
    public Content {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(text, "text");
        int slash = type.indexOf('/');
        if (slash <= 0 || slash == type.length() - 1) {
            throw new IllegalArgumentException("a content type is type/subtype: " + type);
        }
    }

    public static Content sdp(String text) {
        return new Content("application/sdp", text);
    }
}
