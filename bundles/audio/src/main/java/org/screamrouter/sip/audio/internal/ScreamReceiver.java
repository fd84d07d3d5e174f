package org.screamrouter.sip.audio.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A sink's Scream input: one UDP socket and one daemon thread that hands every datagram to the {@link SinkInput}. */
final class ScreamReceiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScreamReceiver.class);
    private final SinkInput input;
    private final DatagramSocket socket;
    private final Thread thread;

    ScreamReceiver(SinkInput input, InetSocketAddress bind) throws SocketException {
        this.input = input;
        this.socket = new DatagramSocket(null);
        // no SO_REUSEADDR: a port another program (ScreamRouter itself) holds must fail here, not share the traffic
        socket.setReceiveBufferSize(1 << 20);
        socket.bind(bind);
        this.thread = new Thread(this::run, "audio-scream-" + input.sinkId);
        thread.setDaemon(true);
        thread.start();
        LOG.info("Sink {}: Scream input on {}", input.sinkId, socket.getLocalSocketAddress());
    }

    int port() {
        return socket.getLocalPort();
    }

    private void run() {
        byte[] buffer = new byte[ScreamPacket.HEADER + ScreamPacket.MAX_PAYLOAD + 64];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!socket.isClosed()) {
            try {
                packet.setLength(buffer.length);
                socket.receive(packet);
                input.onScream(buffer, packet.getLength(), System.nanoTime());
            } catch (IOException e) {
                if (!socket.isClosed()) LOG.warn("Sink {}: Scream input: {}", input.sinkId, e.toString());
            } catch (RuntimeException e) {
                LOG.warn("Sink {}: bad Scream packet", input.sinkId, e);
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Sink {}: Scream input on port {} closed", input.sinkId, socket.getLocalPort());
    }
}
