package org.screamrouter.sip.mdns.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which interface addresses get a responder of their own. mDNS is link-local (RFC 6762 section 2), so a responder
 * serves one link; the router runs one per chosen address.
 *
 * <p>Entries name an IP address or an interface. They are never resolved through DNS: an entry that is not an IP
 * literal is an interface name. Only addresses the stack can be reached on are kept: the stack bound to
 * {@code 0.0.0.0} listens on IPv4 only, and a stack bound to one address is announced on that address alone.
 */
final class InterfaceSelection {
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6_LITERAL = Pattern.compile("\\[?[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(%[\\w.-]+)?]?");
    private static final Pattern SEPARATORS = Pattern.compile("[,\\s]+");

    /** An address on an interface. */
    record LinkAddress(String interfaceName, InetAddress address) {
        @Override
        public String toString() {
            return interfaceName + "/" + address.getHostAddress();
        }
    }

    /** The addresses chosen, and why entries were left out (for one log line when that changes). */
    record Result(List<LinkAddress> addresses, List<String> problems) {}

    private InterfaceSelection() {}

    /**
     * @param entries    the {@code interfaces} configuration; empty for every up, non-loopback, multicast interface
     * @param udpAddress the address the stack's UDP listening point is bound to
     */
    static Result choose(String[] entries, String udpAddress) throws SocketException {
        List<String> problems = new ArrayList<>();
        Set<LinkAddress> candidates = new LinkedHashSet<>();
        List<String> names = split(entries);
        if (names.isEmpty()) {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nif.isUp() && !nif.isLoopback() && nif.supportsMulticast()) {
                    addAll(nif, candidates);
                }
            }
        } else {
            for (String entry : names) {
                addEntry(entry, candidates, problems);
            }
        }
        InetAddress bound = literal(udpAddress).orElse(null);
        List<LinkAddress> out = new ArrayList<>();
        for (LinkAddress candidate : candidates) {
            if (reachable(candidate.address(), bound)) {
                out.add(candidate);
            } else if (!names.isEmpty()) {
                problems.add(candidate + ": the SIP stack does not listen there (UDP bound to " + udpAddress + ")");
            }
        }
        return new Result(List.copyOf(out), List.copyOf(problems));
    }

    static List<String> split(String[] entries) {
        List<String> out = new ArrayList<>();
        if (entries != null) {
            for (String entry : entries) {
                for (String part : SEPARATORS.split(entry == null ? "" : entry.strip())) {
                    if (!part.isEmpty()) {
                        out.add(part);
                    }
                }
            }
        }
        return out;
    }

    private static void addEntry(String entry, Set<LinkAddress> candidates, List<String> problems) throws SocketException {
        Optional<InetAddress> address = literal(entry);
        if (address.isPresent()) {
            NetworkInterface nif = NetworkInterface.getByInetAddress(address.get());
            if (nif == null) {
                problems.add(entry + ": no interface of this machine has that address");
            } else if (!nif.isUp()) {
                problems.add(entry + ": interface " + nif.getName() + " is down");
            } else {
                candidates.add(new LinkAddress(nif.getName(), address.get()));
            }
            return;
        }
        NetworkInterface nif = NetworkInterface.getByName(entry);
        if (nif == null) {
            problems.add(entry + ": neither an IP address nor an interface of this machine");
        } else if (!nif.isUp()) {
            problems.add(entry + ": interface is down");
        } else if (!addAll(nif, candidates)) {
            problems.add(entry + ": interface has no address");
        }
    }

    private static boolean addAll(NetworkInterface nif, Set<LinkAddress> candidates) {
        boolean any = false;
        for (InetAddress address : Collections.list(nif.getInetAddresses())) {
            candidates.add(new LinkAddress(nif.getName(), address));
            any = true;
        }
        return any;
    }

    private static boolean reachable(InetAddress address, InetAddress bound) {
        if (bound == null || bound.isAnyLocalAddress()) {
            // 0.0.0.0 is IPv4 only; :: (or an unparsable address) accepts both families
            return !(bound instanceof Inet4Address) || address instanceof Inet4Address;
        }
        return bound.equals(address) || sameIgnoringScope(bound, address);
    }

    private static boolean sameIgnoringScope(InetAddress a, InetAddress b) {
        return a instanceof Inet6Address && b instanceof Inet6Address
                && java.util.Arrays.equals(a.getAddress(), b.getAddress());
    }

    /** An IP literal as an address, without any name lookup; empty for anything else. */
    static Optional<InetAddress> literal(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip();
        try {
            if (IPV4_LITERAL.matcher(t).matches()) {
                // parsed here: InetAddress.getByName would look up a malformed dotted quad such as 999.1.1.1 by name
                String[] parts = t.split("\\.");
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(parts[i]);
                    if (octet > 255) {
                        return Optional.empty();
                    }
                    bytes[i] = (byte) octet;
                }
                return Optional.of(InetAddress.getByAddress(bytes));
            }
            if (IPV6_LITERAL.matcher(t).matches()) {
                // text with a colon is parsed as an IPv6 literal or rejected, never looked up
                return Optional.of(InetAddress.getByName(t));
            }
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
