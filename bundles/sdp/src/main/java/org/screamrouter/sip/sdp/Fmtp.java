package org.screamrouter.sip.sdp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code a=fmtp:<format> <format specific parameters>} (RFC 8866 section 6.15). The parameters are
 * kept as written; {@link #parameterMap()} splits the common {@code key=value;key=value} form.
 */
public record Fmtp(String format, String parameters) {

    public Fmtp {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(parameters, "parameters");
    }

    /** The payload type, or -1 when the format is not a number. */
    public int payloadType() {
        return Formats.payloadType(format);
    }

    /**
     * Parameters split on {@code ;} and {@code =}, names in the order written. A parameter without
     * {@code =} (telephone-event's {@code 0-15}) maps to the empty string.
     */
    public Map<String, String> parameterMap() {
        Map<String, String> map = new LinkedHashMap<>();
        int start = 0;
        int n = parameters.length();
        while (start <= n) {
            int semi = parameters.indexOf(';', start);
            int end = semi < 0 ? n : semi;
            String part = parameters.substring(start, end).trim();
            if (!part.isEmpty()) {
                int eq = part.indexOf('=');
                if (eq < 0) {
                    map.put(part, "");
                } else {
                    map.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
                }
            }
            if (semi < 0) {
                break;
            }
            start = semi + 1;
        }
        return Collections.unmodifiableMap(map);
    }

    public String toAttributeValue() {
        return format + ' ' + parameters;
    }
}
