package org.screamrouter.sip.sdp;

import java.util.List;
import java.util.Objects;

/**
 * An {@code r=} line (RFC 8866 section 5.10). Times are kept as written ("7d", "3600") because the
 * compact unit form must survive a round trip; {@link #seconds(String)} converts one.
 */
public record RepeatTime(String interval, String activeDuration, List<String> offsets) {

    public RepeatTime {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(activeDuration, "activeDuration");
        offsets = List.copyOf(offsets);
    }

    /** Seconds of a typed time ({@code 1*DIGIT [d|h|m|s]}, RFC 8866 section 5.10), or -1 if malformed. */
    public static long seconds(String typedTime) {
        if (typedTime == null || typedTime.isEmpty()) {
            return -1;
        }
        boolean negative = typedTime.charAt(0) == '-';
        int start = negative ? 1 : 0;
        int end = typedTime.length();
        long unit = 1;
        char last = typedTime.charAt(end - 1);
        switch (last) {
            case 'd' -> unit = 86400;
            case 'h' -> unit = 3600;
            case 'm' -> unit = 60;
            case 's' -> unit = 1;
            default -> end++;
        }
        end--;
        if (end <= start || end - start > 12) {
            return -1;
        }
        long v = 0;
        for (int i = start; i < end; i++) {
            char c = typedTime.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return negative ? -v * unit : v * unit;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(interval).append(' ').append(activeDuration);
        for (String o : offsets) {
            sb.append(' ').append(o);
        }
        return sb.toString();
    }
}
