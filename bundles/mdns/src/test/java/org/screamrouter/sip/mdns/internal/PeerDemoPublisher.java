package org.screamrouter.sip.mdns.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.screamrouter.sip.stack.ListeningPoint;

/**
 * The real {@link MdnsPublisher}, outside OSGi, for the real-peer test {@code itests/peers/mdns-avahi.sh} until the
 * Karaf distribution takes its place. It plays the stack: the UDP listening point's port is read from a control file,
 * and writing another port there is a live re-bind (unregister, register), as the stack does it.
 *
 * <p>Arguments: interface address (the veth's, never a real interface), control file, router UUID directory.
 */
public final class PeerDemoPublisher {
    private PeerDemoPublisher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: PeerDemoPublisher <interface address> <port file> <uuid directory>");
            System.exit(2);
        }
        String address = args[0];
        Path portFile = Path.of(args[1]);
        String uuid = new RouterUuidStore(Path.of(args[2])).routerUuid();
        MdnsPublisher publisher = new MdnsPublisher();
        ListeningPoint udp = new ListeningPoint("udp", "0.0.0.0", readPort(portFile));
        bound(udp);
        publisher.bindListeningPoint(udp);
        publisher.bindListeningPoint(new ListeningPoint("ws", "0.0.0.0", 25888));
        publisher.start(Configs.loopback(System.getProperty("instance.name", "ScreamRouter"), "interfaces", new String[] {address}),
                uuid, "0.1.0");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            publisher.deactivate(); // goodbyes before the JVM goes
            stopped.countDown();
        }));
        while (stopped.getCount() > 0) {
            int port = readPort(portFile);
            if (port != udp.port()) {
                publisher.unbindListeningPoint(udp);
                udp = new ListeningPoint("udp", "0.0.0.0", port);
                bound(udp);
                publisher.bindListeningPoint(udp);
            }
            stopped.await(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** The line the timings start from, as the stack's "listening on" line in Karaf's log. */
    private static void bound(ListeningPoint point) {
        System.out.println(java.time.LocalTime.now().format(java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS"))
                + " stack bound " + point);
    }

    private static int readPort(Path file) throws java.io.IOException {
        return Integer.parseInt(Files.readString(file).trim());
    }
}
