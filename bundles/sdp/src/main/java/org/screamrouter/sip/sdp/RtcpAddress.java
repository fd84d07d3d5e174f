package org.screamrouter.sip.sdp;

/**
 * {@code a=rtcp:<port> [<nettype> <addrtype> <address>]} (RFC 3605 section 2.1).
 *
 * @param networkType {@code null} when only the port is given (then the m= connection address applies)
 */
public record RtcpAddress(int port, String networkType, String addressType, String address) {

    public boolean hasAddress() {
        return address != null;
    }
}
