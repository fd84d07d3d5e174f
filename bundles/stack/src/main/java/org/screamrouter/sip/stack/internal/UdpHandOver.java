package org.screamrouter.sip.stack.internal;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * One engine's side of the UDP socket hand-over ({@link ParkedSockets}). When the engine closes for good (its
 * component deactivates: {@code bundle:update}, {@code bundle:stop}), its UDP processors park their sockets instead
 * of closing them; when a stack is made, its network layer ({@link #networkLayer}) adopts a parked socket for the
 * address and port it binds, and the processor made on it takes the backlog ({@link #backlogOf}). A re-bind for a
 * configuration change closes sockets as before: only a closing engine parks.
 */
final class UdpHandOver {
    private volatile ParkedSockets lot;
    private volatile boolean parking;
    /** Backlogs of adopted sockets, until the processor made on the socket takes its own. */
    private final Map<DatagramSocket, BlockingQueue<DatagramPacket>> adopted = new ConcurrentHashMap<>();

    /** Where sockets are parked and found (null, the default: nowhere; a closing engine closes its sockets). */
    void lot(ParkedSockets lot) {
        this.lot = lot;
    }

    /** From now on, a UDP processor that stops parks its socket (the engine is closing), if there is a lot. */
    void parkOnStop() {
        parking = lot != null;
    }

    boolean parking() {
        return parking;
    }

    void park(DatagramSocket socket, BlockingQueue<DatagramPacket> backlog) {
        lot.park(socket, backlog);
    }

    /** The datagrams that came with an adopted socket (empty for a socket of our own); asked once per socket. */
    BlockingQueue<DatagramPacket> backlogOf(DatagramSocket socket) {
        BlockingQueue<DatagramPacket> backlog = adopted.remove(socket);
        return backlog != null ? backlog : new java.util.concurrent.LinkedBlockingQueue<>();
    }

    /** JAIN-SIP's network layer, except that a UDP socket parked for the same address and port is adopted. */
    NetworkLayer networkLayer(NetworkLayer delegate) {
        return new NetworkLayer() {
            @Override
            public DatagramSocket createDatagramSocket(int port, InetAddress laddr) throws SocketException {
                ParkedSockets parkedIn = lot;
                ParkedSockets.Parked parked = parkedIn == null || laddr == null ? null : parkedIn.claim(laddr, port);
                if (parked == null) return delegate.createDatagramSocket(port, laddr);
                adopted.put(parked.socket(), parked.backlog());
                return parked.socket();
            }

            @Override public DatagramSocket createDatagramSocket() throws SocketException { return delegate.createDatagramSocket(); }

            @Override public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
                return delegate.createServerSocket(port, backlog, bindAddress);
            }

            @Override public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
                return delegate.createSSLServerSocket(port, backlog, bindAddress);
            }

            @Override public Socket createSocket(InetAddress address, int port) throws IOException { return delegate.createSocket(address, port); }

            @Override public Socket createSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
                return delegate.createSocket(address, port, localAddress);
            }

            @Override public Socket createSocket(InetAddress address, int port, InetAddress myAddress, int myPort) throws IOException {
                return delegate.createSocket(address, port, myAddress, myPort);
            }

            @Override public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
                return delegate.createSSLSocket(address, port);
            }

            @Override public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
                return delegate.createSSLSocket(address, port, localAddress);
            }

            @Override public void setSipStack(SipStackImpl sipStack) { delegate.setSipStack(sipStack); }
        };
    }
}
