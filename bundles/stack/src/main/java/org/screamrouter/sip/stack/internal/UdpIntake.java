package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.AbstractQueue;
import java.util.Collection;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.screamrouter.sip.stack.Flow;

/**
 * JAIN-SIP's UDP transport, with the datagram each channel thread is parsing known to that thread. JAIN-SIP's
 * channel threads take datagrams from the processor's queue and parse them with the stack's parser; the parser is
 * told neither the source nor the socket. With them, {@link StrictMessageParser} answers a request it rejects itself,
 * as a datagram to the packet's source, instead of leaving it to JAIN-SIP (which answered some faults with a
 * malformed 400 and others, such as a missing From, not at all).
 *
 * <p>The queue stays JAIN-SIP's own (its congestion auditor watches it); only taking from it is wrapped.
 */
final class UdpIntake {
    /** The datagram being handled on this thread and the socket it came in on. */
    record Datagram(DatagramPacket packet, DatagramSocket socket) {
        Flow flow() {
            return new Flow("udp", new InetSocketAddress(packet.getAddress(), packet.getPort()));
        }

        void answer(byte[] bytes) throws IOException {
            socket.send(new DatagramPacket(bytes, bytes.length, packet.getAddress(), packet.getPort()));
        }
    }

    private static final ThreadLocal<Datagram> CURRENT = new ThreadLocal<>();

    private UdpIntake() {
    }

    /** The datagram this thread took last from a UDP listening point of ours, or null on any other thread. */
    static Datagram current() {
        return CURRENT.get();
    }

    /**
     * What JAIN-SIP's own factory does before it makes a UDP processor: its package-private {@code udpFlag} tells the
     * UDP channels to send from the listening socket (without it every answer leaves from a new ephemeral port). It
     * can only be set from JAIN-SIP's package, hence reflection; false (and JAIN-SIP's own processor is used) if
     * that fails.
     */
    static boolean useListeningSockets(SIPTransactionStack stack) {
        try {
            java.lang.reflect.Field flag = SIPTransactionStack.class.getDeclaredField("udpFlag");
            flag.setAccessible(true);
            flag.setBoolean(stack, true);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(UdpIntake.class).error(
                    "JAIN-SIP's UDP transport without our intake (requests the parser rejects are answered by JAIN-SIP): {}", e.toString());
            return false;
        }
    }

    static final class Processor extends UDPMessageProcessor {
        Processor(InetAddress address, SIPTransactionStack stack, int port, SourceRates rates) throws IOException {
            super(address, stack, port);
            this.messageQueue = new Taking(this.messageQueue, sock, rates);
        }
    }

    /** JAIN-SIP's queue; whatever a thread takes is remembered for that thread. */
    private static final class Taking extends AbstractQueue<DatagramQueuedMessageDispatch> implements BlockingQueue<DatagramQueuedMessageDispatch> {
        private final BlockingQueue<DatagramQueuedMessageDispatch> queue;
        private final DatagramSocket socket;
        private final SourceRates rates;

        Taking(BlockingQueue<DatagramQueuedMessageDispatch> queue, DatagramSocket socket, SourceRates rates) {
            this.queue = queue;
            this.socket = socket;
            this.rates = rates;
        }

        /**
         * A datagram from a source deep in debt (it ignored its 503s: {@link SourceRates}) is dropped as it arrives,
         * before it takes a place in the queue or a parser's time, so other sources are served while one floods.
         */
        private boolean dropped(DatagramQueuedMessageDispatch e) {
            return rates.inDebt(e.packet.getAddress(), System.nanoTime());
        }

        private DatagramQueuedMessageDispatch taken(DatagramQueuedMessageDispatch work) {
            if (work == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(new Datagram(work.packet, socket));
            }
            return work;
        }

        @Override public DatagramQueuedMessageDispatch take() throws InterruptedException { return taken(queue.take()); }

        @Override public DatagramQueuedMessageDispatch poll(long timeout, TimeUnit unit) throws InterruptedException {
            return taken(queue.poll(timeout, unit));
        }

        @Override public DatagramQueuedMessageDispatch poll() { return taken(queue.poll()); }

        @Override public DatagramQueuedMessageDispatch peek() { return queue.peek(); }

        @Override public boolean offer(DatagramQueuedMessageDispatch e) { return dropped(e) || queue.offer(e); }

        @Override public void put(DatagramQueuedMessageDispatch e) throws InterruptedException {
            if (!dropped(e)) queue.put(e);
        }

        @Override public boolean offer(DatagramQueuedMessageDispatch e, long timeout, TimeUnit unit) throws InterruptedException {
            return dropped(e) || queue.offer(e, timeout, unit);
        }

        @Override public int remainingCapacity() { return queue.remainingCapacity(); }

        @Override public int drainTo(Collection<? super DatagramQueuedMessageDispatch> c) { return queue.drainTo(c); }

        @Override public int drainTo(Collection<? super DatagramQueuedMessageDispatch> c, int max) { return queue.drainTo(c, max); }

        @Override public Iterator<DatagramQueuedMessageDispatch> iterator() { return queue.iterator(); }

        @Override public int size() { return queue.size(); }
    }
}
