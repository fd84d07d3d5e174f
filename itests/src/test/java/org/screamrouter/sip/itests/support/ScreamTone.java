package org.screamrouter.sip.itests.support;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A 440 Hz tone sent as Scream packets to a sink input on loopback, as a ScreamRouter source would send it: 5-byte
 * header (48 kHz x1, 16 bit, 2 channels, stereo mask) and 1152 bytes of PCM every 6 ms. Closing it stops it.
 */
public final class ScreamTone implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final DatagramSocket socket;

    public ScreamTone(int port) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        long[] sample = {0};
        timer.scheduleAtFixedRate(() -> {
            byte[] packet = new byte[5 + 1152];
            packet[0] = 1;
            packet[1] = 16;
            packet[2] = 2;
            packet[3] = 3;
            packet[4] = 0;
            for (int i = 0; i < 288; i++, sample[0]++) {
                short v = (short) (Math.sin(2 * Math.PI * 440 * sample[0] / 48000.0) * 12000);
                for (int ch = 0; ch < 2; ch++) {
                    packet[5 + i * 4 + ch * 2] = (byte) v;
                    packet[5 + i * 4 + ch * 2 + 1] = (byte) (v >> 8);
                }
            }
            try {
                socket.send(new DatagramPacket(packet, packet.length, target));
            } catch (IOException e) {
                // the assertions on the browser's side tell
            }
        }, 0, 6, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        socket.close();
    }
}
