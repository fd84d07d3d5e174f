package org.screamrouter.sip.config.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.screamrouter.sip.registrar.Device;

/**
 * The {@code ip} a device's entry gets: the address its REGISTER came from (the only address the server has seen
 * it use), or its SDP {@code c=} address when that is the same one. A {@code c=} that differs (a private address
 * behind NAT, a loopback or wildcard address the UA filled in, a host name) is never written instead. Only a
 * unicast IP literal qualifies: never a name, never a multicast or broadcast address, never the wildcard, and a
 * loopback address only for a device that itself registered from loopback (one on this host).
 */
final class EntryAddress {

    /**
     * @param ip     the address to write, or {@code null} when the device has none that qualifies
     * @param reason why there is none (for the log), or {@code null}
     */
    record Choice(String ip, String reason) {}

    private EntryAddress() {}

    static Choice of(Device device) {
        InetSocketAddress source = device.source();
        if (source == null || source.isUnresolved() || source.getAddress() == null) {
            return new Choice(null, "no signalling source address" + (source == null ? "" : " (" + source.getHostString() + ")"));
        }
        InetAddress from = source.getAddress();
        String refused = refusal(from);
        if (refused != null) {
            return new Choice(null, "its source address " + IpAddresses.format(from) + " is " + refused);
        }
        String connection = device.capabilities() == null ? null : device.capabilities().connectionAddress();
        Optional<InetAddress> c = IpAddresses.literal(connection);
        if (c.isPresent() && c.get().equals(from)) {
            return new Choice(IpAddresses.format(c.get()), null);
        }
        return new Choice(IpAddresses.format(from), null);
    }

    /** Why the address cannot be a device's {@code ip}, or {@code null} when it can. */
    static String refusal(InetAddress a) {
        if (a.isAnyLocalAddress()) {
            return "the wildcard address";
        }
        if (a.isMulticastAddress()) {
            return "a multicast address";
        }
        if (a instanceof Inet4Address && isBroadcast(a)) {
            return "the broadcast address";
        }
        return null;
    }

    private static boolean isBroadcast(InetAddress a) {
        for (byte b : a.getAddress()) {
            if (b != (byte) 0xff) {
                return false;
            }
        }
        return true;
    }
}
