package org.screamrouter.sip.stack.internal;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ParkedSockets} across revisions of the stack bundle. A parked socket is a service registered through the
 * system bundle's context, so it outlives the stopping revision that registered it, under a JDK type ({@link Map},
 * holding the socket, the backlog and how to withdraw it) because the next revision's classes are not this one's.
 * Whoever removes the socket from the map owns it: the claiming stack, or the timer that closes it after
 * {@link #UNCLAIMED} when no stack came back (a {@code bundle:stop}, an uninstall).
 */
final class FrameworkParkedSockets implements ParkedSockets {
    static final String PROPERTY = "screamrouter.sip.parked.udp";
    /** How long a parked socket waits for a stack to claim it: a bundle update takes about a second. */
    static final java.time.Duration UNCLAIMED = java.time.Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(FrameworkParkedSockets.class);

    private final BundleContext system;
    private final java.time.Duration unclaimed;

    /** {@code system}: the system bundle's context, whose services stay when the stack bundle stops. */
    FrameworkParkedSockets(BundleContext system, java.time.Duration unclaimed) {
        this.system = system;
        this.unclaimed = unclaimed;
    }

    @Override
    public void park(DatagramSocket socket, BlockingQueue<DatagramPacket> backlog) {
        String key = ParkedSockets.key(socket.getLocalAddress(), socket.getLocalPort());
        Map<String, Object> entry = new ConcurrentHashMap<>();
        entry.put("socket", socket);
        entry.put("backlog", backlog);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(PROPERTY, key);
        ServiceRegistration<?> registration = system.registerService(Map.class.getName(), entry, props);
        Runnable withdraw = () -> {
            try {
                registration.unregister();
            } catch (IllegalStateException already) {
                // withdrawn by the other side
            }
        };
        entry.put("withdraw", withdraw);
        LOG.info("UDP socket {} kept bound for the next SIP stack ({} datagrams taken and not handled go with it; what came after waits in the socket)", key, backlog.size());
        CompletableFuture.runAsync(() -> {
            if (entry.remove("socket") instanceof DatagramSocket socketLeft) {
                socketLeft.close();
                withdraw.run();
                LOG.info("UDP socket {} closed: no SIP stack claimed it within {} ms", key, unclaimed.toMillis());
            }
        }, CompletableFuture.delayedExecutor(unclaimed.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Parked claim(InetAddress address, int port) {
        String key = ParkedSockets.key(address, port);
        ServiceReference<?>[] refs;
        try {
            refs = system.getServiceReferences(Map.class.getName(), "(" + PROPERTY + "=" + key + ")");
        } catch (InvalidSyntaxException e) {
            return null;
        }
        if (refs == null) return null;
        for (ServiceReference<?> ref : refs) {
            Object service = system.getService(ref);
            try {
                if (service instanceof Map<?, ?> entry && entry.remove("socket") instanceof DatagramSocket socket) {
                    ((Runnable) entry.get("withdraw")).run();
                    return new Parked(socket, (BlockingQueue<DatagramPacket>) entry.get("backlog"));
                }
            } finally {
                try {
                    system.ungetService(ref);
                } catch (IllegalStateException gone) {
                    // withdrawn meanwhile
                }
            }
        }
        return null;
    }
}
