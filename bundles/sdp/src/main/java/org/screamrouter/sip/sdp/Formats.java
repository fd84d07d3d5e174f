package org.screamrouter.sip.sdp;

/** Small helpers on {@code m=} format tokens shared by the typed views. */
final class Formats {

    private Formats() {
    }

    /** The RTP payload type a format token names (0-127), or -1. */
    static int payloadType(String format) {
        if (format == null || format.isEmpty() || format.length() > 3) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n <= 127 ? n : -1;
    }
}
