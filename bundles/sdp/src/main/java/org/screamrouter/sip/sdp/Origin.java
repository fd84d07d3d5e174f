package org.screamrouter.sip.sdp;

import java.math.BigInteger;
import java.util.Objects;

/**
 * The {@code o=} line (RFC 8866 section 5.2). Session id and version are kept as the digit strings
 * received: browsers send 19-digit ids and RFC 8866 puts no bound on them.
 */
public record Origin(String username, String sessionId, String sessionVersion,
                     String networkType, String addressType, String address) {

    public Origin {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(sessionVersion, "sessionVersion");
        Objects.requireNonNull(networkType, "networkType");
        Objects.requireNonNull(addressType, "addressType");
        Objects.requireNonNull(address, "address");
    }

    /** An {@code IN} origin whose address type (IP4 or IP6) follows from the address. */
    public static Origin of(String username, String sessionId, long version, String address) {
        return new Origin(username, sessionId, Long.toString(version), "IN",
                address.indexOf(':') >= 0 ? "IP6" : "IP4", address);
    }

    /**
     * The same origin with the version incremented, as RFC 3264 section 8 requires for every new
     * offer or answer of the same session.
     */
    public Origin withNextVersion() {
        String next;
        if (sessionVersion.length() < 18 && sessionVersion.chars().allMatch(c -> c >= '0' && c <= '9') && !sessionVersion.isEmpty()) {
            next = Long.toString(Long.parseLong(sessionVersion) + 1);
        } else {
            next = isDigits(sessionVersion) ? new BigInteger(sessionVersion).add(BigInteger.ONE).toString() : "1";
        }
        return new Origin(username, sessionId, next, networkType, addressType, address);
    }

    private static boolean isDigits(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    @Override
    public String toString() {
        return username + ' ' + sessionId + ' ' + sessionVersion + ' ' + networkType + ' ' + addressType + ' ' + address;
    }
}
