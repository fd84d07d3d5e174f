package org.screamrouter.sip.sdp.internal;

/**
 * The attribute names this library knows (the IANA "att-field" registry entries that SIP devices
 * and browsers send, plus ScreamRouter's), with how to check each. Lookup works on a region of the
 * input so that a known name costs no allocation: the parser gets back the shared name string.
 */
public final class AttributeNames {

    // value kinds: how AttributeSyntax validates the value
    static final int ANY = 0;
    static final int RTPMAP = 1;
    static final int FMTP = 2;
    static final int MILLIS = 3;
    static final int RTCP = 4;
    static final int RTCP_FB = 5;
    static final int GROUP = 6;
    static final int MSID = 7;
    static final int SSRC = 8;
    static final int SSRC_GROUP = 9;
    static final int EXTMAP = 10;
    static final int SETUP = 11;
    static final int FINGERPRINT = 12;
    static final int CRYPTO = 13;
    static final int ICE_CHARS = 14;
    static final int TOKENS = 15;
    static final int CANDIDATE = 16;
    static final int PORT = 17;
    static final int NUMBER = 18;
    static final int ROLE = 19;
    static final int PROTOCOLS = 20;
    static final int TOKEN = 21;
    static final int PROPERTY = 22;

    /** One known attribute. */
    public static final class Known {
        final String name;
        final int kind;
        /** Bit of the "at most once per section" set, or 0 when the attribute may repeat. */
        final long singleBit;
        final boolean sessionOnly;
        /** {@code name.hashCode()}: a probe that meets another name is settled without reading it. */
        final int hash;

        Known(String name, int kind, long singleBit, boolean sessionOnly) {
            this.name = name;
            this.hash = name.hashCode();
            this.kind = kind;
            this.singleBit = singleBit;
            this.sessionOnly = sessionOnly;
        }
    }

    private static final Known[] TABLE = new Known[512];
    private static final int MASK = TABLE.length - 1;
    private static int nextBit;

    static {
        long direction = 1L << nextBit++;   // the four directions share one "once" bit
        // RFC 8866 section 6
        add("cat", ANY); add("keywds", ANY); add("tool", ANY); add("type", ANY); add("charset", ANY);
        add("sdplang", ANY); add("lang", ANY); add("orient", ANY); add("quality", ANY); add("framerate", ANY);
        add("label", ANY); add("content", ANY);
        single("ptime", MILLIS); single("maxptime", MILLIS);
        add("rtpmap", RTPMAP); add("fmtp", FMTP);
        put("sendrecv", PROPERTY, direction, false); put("sendonly", PROPERTY, direction, false);
        put("recvonly", PROPERTY, direction, false); put("inactive", PROPERTY, direction, false);
        // RTP/RTCP
        single("rtcp", RTCP); single("rtcp-mux", PROPERTY); single("rtcp-mux-only", PROPERTY); single("rtcp-rsize", PROPERTY);
        add("rtcp-fb", RTCP_FB); add("rtcp-xr", ANY); add("extmap", EXTMAP); single("extmap-allow-mixed", PROPERTY);
        add("ssrc", SSRC); add("ssrc-group", SSRC_GROUP); add("msid", MSID); add("msid-semantic", ANY);
        add("rid", ANY); add("simulcast", ANY); add("imageattr", ANY); add("silenceSupp", ANY);
        add("source-filter", ANY); add("x-google-flag", ANY);
        // grouping, BUNDLE
        single("mid", TOKEN); add("group", GROUP); single("bundle-only", PROPERTY);
        // ICE (RFC 8839)
        add("candidate", CANDIDATE); add("remote-candidates", ANY); single("end-of-candidates", PROPERTY);
        single("ice-ufrag", ICE_CHARS); single("ice-pwd", ICE_CHARS); single("ice-options", TOKENS);
        put("ice-lite", PROPERTY, 1L << nextBit++, true); single("ice-mismatch", PROPERTY); single("ice-pacing", NUMBER);
        // DTLS, SDES, TCP (RFC 8842, 8122, 4568, 4145, 4572)
        single("setup", SETUP); single("connection", ANY); add("fingerprint", FINGERPRINT); single("tls-id", ANY);
        add("crypto", CRYPTO); add("key-mgmt", ANY); add("identity", ANY);
        // data channels (RFC 8841, draft sctpmap)
        single("sctp-port", PORT); single("max-message-size", NUMBER); add("sctpmap", ANY);
        // preconditions (RFC 3312)
        add("curr", ANY); add("des", ANY); add("conf", ANY);
        // ScreamRouter
        single("x-screamrouter-role", ROLE); single("x-screamrouter-uuid", TOKEN);
        single("x-screamrouter-supported-protocols", PROTOCOLS);
    }

    private AttributeNames() {
    }

    private static void add(String name, int kind) {
        put(name, kind, 0, false);
    }

    private static void single(String name, int kind) {
        put(name, kind, 1L << nextBit++, false);
    }

    private static void put(String name, int kind, long bit, boolean sessionOnly) {
        if (nextBit > 63) {
            throw new IllegalStateException("too many single attributes");
        }
        int i = name.hashCode() & MASK;
        while (TABLE[i] != null) {
            i = (i + 1) & MASK;
        }
        TABLE[i] = new Known(name, kind, bit, sessionOnly);
    }

    /** The known attribute spelled {@code s[from, to)} exactly, or {@code null}. */
    static Known lookup(String s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + s.charAt(i);
        }
        return lookup(s, from, to, h);
    }

    /**
     * As {@link #lookup(String, int, int)} with the name's {@link String#hashCode()} already computed:
     * the parser hashes the name in the same pass that finds its end and checks its characters.
     */
    static Known lookup(String s, int from, int to, int h) {
        int len = to - from;
        int i = h & MASK;
        Known k;
        while ((k = TABLE[i]) != null) {
            if (k.hash == h && k.name.length() == len && s.startsWith(k.name, from)) {
                return k;
            }
            i = (i + 1) & MASK;
        }
        return null;
    }

    /** True when {@code name} is an attribute this library knows. */
    public static boolean isKnown(String name) {
        return lookup(name, 0, name.length()) != null;
    }
}
