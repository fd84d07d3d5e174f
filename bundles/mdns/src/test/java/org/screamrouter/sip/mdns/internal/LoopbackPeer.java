package org.screamrouter.sip.mdns.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Another host on the loopback link, at the level of datagrams: it hears every mDNS message on 127.0.0.1 and sends
 * what a test makes it send, forged or not. Port 5353 (as a responder) or an ephemeral port (a legacy querier).
 */
final class LoopbackPeer implements AutoCloseable {
    static final InetSocketAddress GROUP = new InetSocketAddress(ipv4(224, 0, 0, 251), 5353);

    /** A message heard, when (System.nanoTime) and from where. */
    record Heard(DnsMessage message, long at, InetSocketAddress from) {}

    private final MulticastSocket socket;

    LoopbackPeer(int port) throws IOException {
        NetworkInterface lo = NetworkInterface.getByInetAddress(ipv4(127, 0, 0, 1));
        socket = new MulticastSocket(null);
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(port));
        socket.setNetworkInterface(lo);
        socket.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
        socket.joinGroup(GROUP, lo);
    }

    void send(DnsMessage message) throws IOException {
        send(message.encode(), GROUP);
    }

    void send(byte[] bytes, InetSocketAddress to) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, to));
    }

    /** The next well-formed message that matches, within {@code deadline}; others are skipped. */
    Optional<Heard> await(Predicate<Heard> condition, Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        byte[] buffer = new byte[9000];
        while (true) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return Optional.empty();
            }
            socket.setSoTimeout((int) Math.max(1, left));
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return Optional.empty();
            }
            try {
                Heard heard = new Heard(DnsMessage.parse(buffer, p.getLength()), System.nanoTime(), (InetSocketAddress) p.getSocketAddress());
                if (condition.test(heard)) {
                    return Optional.of(heard);
                }
            } catch (DnsMessage.Malformed e) {
                // the test's own garbage, looped back
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }

    static InetAddress ipv4(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
