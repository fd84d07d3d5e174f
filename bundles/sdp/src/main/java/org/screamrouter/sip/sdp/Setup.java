package org.screamrouter.sip.sdp;

/** The DTLS/TCP connection role, {@code a=setup} (RFC 4145 section 4, RFC 8842 section 5). */
public enum Setup {
    ACTIVE, PASSIVE, ACTPASS, HOLDCONN;

    public String attributeValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The role an answerer takes for an offered role (RFC 8842 section 5.3: answer actpass with active). */
    public Setup answerTo() {
        return switch (this) {
            case ACTIVE -> PASSIVE;
            case PASSIVE, ACTPASS -> ACTIVE;
            case HOLDCONN -> HOLDCONN;
        };
    }
}
