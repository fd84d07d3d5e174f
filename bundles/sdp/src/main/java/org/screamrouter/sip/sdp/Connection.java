package org.screamrouter.sip.sdp;

import java.util.Objects;

/**
 * A {@code c=} line (RFC 8866 section 5.7): network type, address type and address, with the
 * multicast TTL (IPv4 only) and number of addresses when present.
 *
 * @param ttl           the multicast TTL, or -1 when absent
 * @param addressCount  the number of multicast addresses, or -1 when absent
 */
public record Connection(String networkType, String addressType, String address, int ttl, int addressCount) {

    public Connection {
        Objects.requireNonNull(networkType, "networkType");
        Objects.requireNonNull(addressType, "addressType");
        Objects.requireNonNull(address, "address");
    }

    /** A unicast {@code c=IN IP4|IP6 address}; the address type follows from the address. */
    public static Connection of(String address) {
        return new Connection("IN", address.indexOf(':') >= 0 ? "IP6" : "IP4", address, -1, -1);
    }

    public boolean isIpv6() {
        return "IP6".equalsIgnoreCase(addressType);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(networkType.length() + addressType.length() + address.length() + 12);
        sb.append(networkType).append(' ').append(addressType).append(' ').append(address);
        if (ttl >= 0) {
            sb.append('/').append(ttl);
        }
        if (addressCount >= 0) {
            sb.append('/').append(addressCount);
        }
        return sb.toString();
    }
}
