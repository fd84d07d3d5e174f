package org.screamrouter.sip.sdp;

import java.util.Objects;

/**
 * A {@code k=} line (RFC 8866 section 5.12, obsolete but still sent by old devices).
 *
 * @param key the key after the colon, or {@code null} for {@code k=prompt}
 */
public record EncryptionKey(String method, String key) {

    public EncryptionKey {
        Objects.requireNonNull(method, "method");
    }

    @Override
    public String toString() {
        return key == null ? method : method + ':' + key;
    }
}
