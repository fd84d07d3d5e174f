package org.screamrouter.sip.sdp;

/**
 * Media direction (RFC 8866 section 6.7, RFC 3264 section 6.1): {@code a=sendrecv}, {@code a=sendonly},
 * {@code a=recvonly}, {@code a=inactive}. A media-level attribute overrides the session level and the
 * default is {@link #SENDRECV}.
 */
public enum Direction {
    SENDRECV("sendrecv", true, true),
    SENDONLY("sendonly", true, false),
    RECVONLY("recvonly", false, true),
    INACTIVE("inactive", false, false);

    private final String attributeName;
    private final boolean sends;
    private final boolean receives;

    Direction(String attributeName, boolean sends, boolean receives) {
        this.attributeName = attributeName;
        this.sends = sends;
        this.receives = receives;
    }

    public String attributeName() {
        return attributeName;
    }

    public boolean sends() {
        return sends;
    }

    public boolean receives() {
        return receives;
    }

    /** The direction an answerer uses for this offered direction (RFC 3264 section 6.1). */
    public Direction mirrored() {
        return of(receives, sends);
    }

    /** What both this and {@code other} allow: the answer to a sendrecv offer from a receive-only sink is recvonly. */
    public Direction intersect(Direction other) {
        return of(sends && other.sends, receives && other.receives);
    }

    public static Direction of(boolean sends, boolean receives) {
        return sends ? (receives ? SENDRECV : SENDONLY) : (receives ? RECVONLY : INACTIVE);
    }

    /** The direction named by an attribute, or {@code null} when the name is not a direction. */
    public static Direction fromAttributeName(String name) {
        if (name == null) {
            return null;
        }
        for (Direction d : values()) {
            if (d.attributeName.equalsIgnoreCase(name)) {
                return d;
            }
        }
        return null;
    }
}
