package org.screamrouter.sip.itests;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Unusual ports for one test run: random in 20000-29999, each free for both UDP and TCP on 127.0.0.1 when
 * chosen, never the same twice in one JVM. Other programs on the machine may hold 5060, 5070 or 8088.
 */
public final class Ports {
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private Ports() {
    }

    public static synchronized int free() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20000, 30000);
            if (HANDED_OUT.contains(port)) continue;
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(SipPeer.LOOPBACK, port));
                 ServerSocket tcp = new ServerSocket()) {
                tcp.bind(new InetSocketAddress(SipPeer.LOOPBACK, port));
                HANDED_OUT.add(port);
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port in 20000-29999 on 127.0.0.1");
    }
}
