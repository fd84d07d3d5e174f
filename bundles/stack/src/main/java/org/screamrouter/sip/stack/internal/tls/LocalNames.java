package org.screamrouter.sip.stack.internal.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The names and addresses this machine answers to, for the subject alternative names of a generated certificate:
 * {@code localhost}, the host name the system was given ({@code /etc/hostname}, else the {@code HOSTNAME} variable) and
 * every address of every interface. Nothing here asks DNS: {@code InetAddress.getLocalHost()} may query it, so it is
 * never called.
 *
 * @param dnsNames  host names, lower case
 * @param addresses IP addresses, loopback first
 */
record LocalNames(List<String> dnsNames, List<InetAddress> addresses) {
    LocalNames {
        dnsNames = List.copyOf(dnsNames);
        addresses = List.copyOf(addresses);
    }

    static LocalNames ofThisMachine() {
        Set<String> names = new LinkedHashSet<>();
        names.add("localhost");
        String host = hostName();
        if (host != null) {
            names.add(host);
        }
        Set<InetAddress> addresses = new LinkedHashSet<>();
        try {
            addresses.add(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
            addresses.add(loopback6());
        } catch (IOException impossible) {
            // literal addresses are not looked up
        }
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    addresses.add(withoutScope(a));
                }
            }
        } catch (SocketException e) {
            // the loopback addresses are still there
        }
        return new LocalNames(new ArrayList<>(names), new ArrayList<>(addresses));
    }

    /** The host name as configured, or null; a name that is not a valid DNS name is left out. */
    static String hostName() {
        String name = null;
        try {
            Path file = Path.of("/etc/hostname");
            if (Files.isReadable(file)) {
                name = Files.readString(file, StandardCharsets.US_ASCII).trim();
            }
        } catch (IOException | RuntimeException e) {
            name = null;
        }
        if (name == null || name.isEmpty()) {
            name = System.getenv("HOSTNAME");
        }
        if (name == null) {
            return null;
        }
        name = name.trim().toLowerCase(Locale.ROOT);
        return name.matches("[a-z0-9]([a-z0-9-]{0,62})(\\.[a-z0-9]([a-z0-9-]{0,62}))*") && name.length() <= 253 ? name : null;
    }

    private static InetAddress loopback6() throws IOException {
        byte[] one = new byte[16];
        one[15] = 1;
        return InetAddress.getByAddress(one);
    }

    /** The address without its IPv6 scope (a certificate holds the 16 bytes only). */
    private static InetAddress withoutScope(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (IOException impossible) {
            return a;
        }
    }
}
