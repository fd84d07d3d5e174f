package org.screamrouter.sip.stack.internal;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.concurrent.BlockingQueue;

/**
 * Where a stopping stack leaves its bound UDP sockets for the next one (a {@code bundle:update} of the stack bundle,
 * issue 16): the socket stays bound, so the kernel keeps queueing the datagrams that arrive while no stack runs, and
 * the datagrams the old stack had read but not yet parsed go with it as its backlog. The next stack binding the same
 * address and port claims both instead of binding a new socket. A socket nobody claims in time is closed.
 */
interface ParkedSockets {
    /** A socket and the datagrams read from it but not yet handled, oldest first. */
    record Parked(DatagramSocket socket, BlockingQueue<DatagramPacket> backlog) {}

    /** Leaves this bound socket, and what was read from it but not handled, for the next stack. */
    void park(DatagramSocket socket, BlockingQueue<DatagramPacket> backlog);

    /** Takes the socket parked for this local address and port, or returns null when there is none. */
    Parked claim(InetAddress address, int port);

    /** The key both sides agree on: the bound address as text and the port. */
    static String key(InetAddress address, int port) {
        return address.getHostAddress() + "/" + port;
    }
}
