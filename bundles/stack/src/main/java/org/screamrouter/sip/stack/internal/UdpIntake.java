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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's UDP transport, with channel threads that receive their own datagrams and with the datagram each of them
 * is parsing known to that thread. JAIN-SIP's channel threads take their datagrams from the processor's queue, which
 * is wrapped here ({@code Taking}) to receive from the socket, and parse them with the stack's parser; the parser is
 * told neither the source nor the socket. With them, {@link StrictMessageParser} answers a request it rejects itself,
 * as a datagram to the packet's source, instead of leaving it to JAIN-SIP (which answered some faults with a
 * malformed 400 and others, such as a missing From, not at all). A plain OPTIONS is answered by the thread that
 * received it, before JAIN-SIP sees it ({@link PlainAnswers}).
 */
final class UdpIntake {
    private static final Logger LOG = LoggerFactory.getLogger(UdpIntake.class);

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
            LOG.error(
                    "JAIN-SIP's UDP transport without our intake (requests the parser rejects are answered by JAIN-SIP): {}", e.toString());
            return false;
        }
    }

    /**
     * JAIN-SIP's UDP processor, except that its channel threads receive their datagrams themselves, and that it parks
     * its socket instead of closing it when its engine closes for good ({@link UdpHandOver}) and takes the backlog of a
     * socket it adopted.
     *
     * <p>JAIN-SIP's processor has one thread that receives each datagram and queues it for a channel thread, which parses
     * and handles it: two threads and a handoff per request, and a wake-up for each whenever the load leaves them time
     * to sleep. Here a channel thread receives its next datagram when it is ready for one and handles it on the same
     * thread, as Kamailio's workers share their socket: the JDK lets one thread at a time into the socket's receive, and
     * under load a thread that comes back finds a datagram waiting without anyone being woken. The queue holds only the
     * backlog of an adopted socket, taken first.
     *
     * <p>A thread blocks in {@code receive} with no timeout. A timed receive costs the JDK four {@code fcntl} calls and a
     * {@code poll} besides the {@code recvfrom} (it makes the socket non-blocking for the wait and blocking again): 8% of
     * the server's CPU under an OPTIONS load (issue 15, perf). To stop the threads without closing the socket (parking
     * it), the processor sends the socket wake-up datagrams of its own ({@link #wakeTakers}), which the threads drop.
     */
    static final class Processor extends UDPMessageProcessor {
        /** How often a channel thread waiting to be opened looks up, and how long a stop waits for the threads, in ticks. */
        static final int TICK_MS = 100;
        /**
         * What the wake-up datagram carries: a CRLF keep-alive, which JAIN-SIP's parser drops without an answer should
         * the datagram outlive the threads (it stays in the socket when a datagram from a peer woke a thread first).
         */
        private static final byte[] WAKE_UP = {'\r', '\n', '\r', '\n'};
        private static final byte[] IPV6_LOOPBACK = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        private final UdpHandOver handOver;
        private final Taking taking;
        /** Why the socket's receive buffer is smaller than asked, or null. */
        private final String bufferShortfall;

        /** @param plain what answers plain OPTIONS before JAIN-SIP parses them ({@link PlainAnswers}), or null */
        Processor(InetAddress address, SIPTransactionStack stack, int port, SourceRates rates, UdpHandOver handOver, PlainAnswers plain)
                throws IOException {
            super(address, stack, port);
            this.handOver = handOver;
            this.bufferShortfall = shortfall(stack.getReceiveUdpBufferSize(), sock.getReceiveBufferSize());
            if (bufferShortfall != null) {
                LOG.warn("UDP port {}: {}", port, bufferShortfall);
            }
            this.taking = new Taking(this.messageQueue, sock, rates, stack.getMaxMessageSize() > 0 ? stack.getMaxMessageSize() : 65535, plain);
            this.messageQueue = taking;
            sock.setSoTimeout(0); // an adopted socket may come with the read timeout an earlier revision set
            long now = System.currentTimeMillis();
            for (DatagramPacket packet : handOver.backlogOf(sock)) {
                taking.queue.offer(new DatagramQueuedMessageDispatch(packet, now));
            }
        }

        /**
         * Starts the channel threads, which receive from the socket themselves ({@link Taking}), before it returns: a
         * stop right after the start finds them (JAIN-SIP's own start makes a thread that makes them, and a stop that
         * came first failed on their missing list and left the socket open). Without a thread pool (never so here:
         * thread.pool.size is at least 1) JAIN-SIP's own reader runs instead.
         */
        @Override
        public void start() throws IOException {
            int threads = channelThreads();
            if (threads <= 0) {
                super.start();
                return;
            }
            isRunning = true;
            messageChannels = new java.util.LinkedList<>();
            String prefix = ((gov.nist.javax.sip.SipStackImpl) sipStack).getStackName() + "-UDPMessageChannelThread-";
            for (int i = 0; i < threads; i++) {
                // the channel's constructor starts its thread, which takes from messageQueue, i.e. receives
                messageChannels.add(new gov.nist.javax.sip.stack.UDPMessageChannel(sipStack, this, prefix + i) { });
            }
        }

        /** JAIN-SIP's reader, only without a thread pool. */
        @Override
        public void run() {
            taking.takers.incrementAndGet(); // in receive as a channel thread would be
            try {
                super.run();
            } finally {
                taking.takers.decrementAndGet();
            }
        }

        /**
         * The socket's receive buffer is all that holds a burst the channel threads cannot take yet (a collection's
         * pause, a config.yaml write taking the CPU). Linux caps what a process may ask at {@code net.core.rmem_max}
         * (212,992 bytes unless raised) without an error, and the JDK then reports what was granted; asked 4 MB, a
         * stock system holds a few hundred requests instead of thousands.
         */
        static String shortfall(int asked, int granted) {
            if (asked <= 0 || granted >= asked) return null;
            return "the receive buffer is " + granted + " bytes, not the " + asked + " asked (udp.buffer.size): the system caps it "
                    + "(on Linux net.core.rmem_max, e.g. sysctl -w net.core.rmem_max=" + asked + "); a burst beyond it is dropped "
                    + "by the kernel and retransmitted by its senders";
        }

        /** Why the socket's receive buffer is smaller than asked (logged once), or null. */
        String bufferShortfall() {
            return bufferShortfall;
        }

        /** The stack's THREAD_POOL_SIZE (JAIN-SIP keeps it in a field only its package reads); 0 when not a number. */
        private int channelThreads() {
            String value = ((gov.nist.javax.sip.SipStackImpl) sipStack).getConfigurationProperties()
                    .getProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "");
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        /**
         * Wakes the threads blocked in {@code receive} (once parking began) with datagrams to the socket's own address,
         * one per thread still there, every tick for up to a second. A thread that stayed would take a datagram meant
         * for the revision that adopts the socket. Loopback, or the address the socket is bound to: the datagrams never
         * leave the host. True once every thread has left.
         */
        private boolean wakeTakers() throws InterruptedException {
            InetAddress local = sock.getLocalAddress();
            try {
                // a wildcard socket is reached on the loopback of its own family (a "::" socket may be IPv6 only)
                InetAddress target = local != null && !local.isAnyLocalAddress() ? local
                        : local instanceof java.net.Inet6Address ? InetAddress.getByAddress(IPV6_LOOPBACK) : InetAddress.getLoopbackAddress();
                return wakeTakers(target);
            } catch (IOException e) {
                LOG.warn("could not wake the UDP threads of port {} to park its socket: {}",
                        sock.getLocalPort(), e.toString());
                return taking.awaitNoTaker(10L * TICK_MS);
            }
        }

        private boolean wakeTakers(InetAddress target) throws IOException, InterruptedException {
            try (DatagramSocket waker = new DatagramSocket(new InetSocketAddress(target, 0))) {
                taking.wakeUpSource = new InetSocketAddress(target, waker.getLocalPort());
                DatagramPacket wake = new DatagramPacket(WAKE_UP, WAKE_UP.length, target, sock.getLocalPort());
                for (int tick = 0; tick < 10; tick++) {
                    for (int left = taking.takers.get(); left > 0; left--) waker.send(wake);
                    if (taking.awaitNoTaker(TICK_MS)) return true;
                }
                return false;
            }
        }

        /**
         * Lets the channel threads take datagrams: called once the listening point's provider has its listener
         * ({@code StackEngine.bind}). JAIN-SIP starts a processor and its channel threads when it makes the listening
         * point, before there is a provider; a datagram taken in between found no listener and was dropped without a
         * word ({@code dropped.no-listener}). An adopted socket ({@link UdpHandOver}) brings the datagrams of the gap
         * between two revisions exactly then: on a loaded machine some of them were lost, the datagrams the hand-over
         * exists to keep. Until then the socket holds what comes.
         */
        void open() {
            taking.open();
        }

        /** Datagrams handed to the channel threads so far. */
        long taken() {
            return taking.taken.sum();
        }

        /** Sends a datagram from this listening point's socket: the answers to requests without a transaction. */
        void send(byte[] datagram, InetSocketAddress to) throws IOException {
            sock.send(new DatagramPacket(datagram, datagram.length, to));
        }

        @Override
        public void stop() {
            if (!handOver.parking()) {
                super.stop();
                // the socket's port is free only once every thread has left its receive: a socket closed while a thread
                // is blocked in it is released by that thread. A stack made again on the same port right after (a
                // configuration change) failed to bind it on a loaded machine ("Address already in use")
                try {
                    taking.awaitNoTaker(10L * TICK_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            // the channel threads stop taking (what one had just received goes to the backlog), those in receive leave
            // once woken, and the adopted backlog not yet taken goes with the socket
            taking.parking = true;
            isRunning = false;
            boolean gone = false;
            try {
                gone = wakeTakers();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!gone) {
                // a thread still in receive would take the next revision's datagrams: the socket is closed instead,
                // as without a hand-over (the datagrams of the gap are lost, the devices retransmit)
                LOG.warn(
                        "the UDP threads of port {} did not wake up: its socket is closed, not handed over", sock.getLocalPort());
                super.stop();
                return;
            }
            taking.drainToBacklog();
            stopCongestionAuditor();
            handOver.park(sock, taking.backlog);
        }

        /**
         * What {@code super.stop()} does besides closing the socket: JAIN-SIP's congestion auditor (a timer watching
         * the queue, package-private) would otherwise outlive this processor, one timer thread per stack update.
         */
        private void stopCongestionAuditor() {
            try {
                java.lang.reflect.Field field = UDPMessageProcessor.class.getDeclaredField("congestionAuditor");
                field.setAccessible(true);
                Object auditor = field.get(this);
                if (auditor != null) auditor.getClass().getMethod("stop").invoke(auditor);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warn("JAIN-SIP's congestion auditor of a parked socket left running: {}", e.toString());
            }
        }
    }

    /**
     * JAIN-SIP's queue, from which a channel thread takes its next datagram: the adopted backlog first, then the
     * socket itself. Whatever a thread takes is remembered for that thread.
     */
    private static final class Taking extends AbstractQueue<DatagramQueuedMessageDispatch> implements BlockingQueue<DatagramQueuedMessageDispatch> {
        private final BlockingQueue<DatagramQueuedMessageDispatch> queue;
        private final DatagramSocket socket;
        private final SourceRates rates;
        /** Answers plain OPTIONS on the thread that received them, or null. */
        private final PlainAnswers plain;
        /** Each channel thread's packet and buffer, reused: JAIN-SIP's channel copies the bytes it parses. */
        private final ThreadLocal<DatagramPacket> packets;
        /** Set when the socket is being parked: nothing more is handed to a channel thread. */
        private volatile boolean parking;
        /** Where the processor's wake-up datagrams come from, once it sent one: they are dropped. */
        private volatile InetSocketAddress wakeUpSource;
        /** Datagrams received once parking began, and then the rest of the queue: they go with the socket. */
        private final BlockingQueue<DatagramPacket> backlog = new java.util.concurrent.LinkedBlockingQueue<>();
        /** Threads taking (waiting for the gate, or in receive). */
        private final java.util.concurrent.atomic.AtomicInteger takers = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.LongAdder taken = new java.util.concurrent.atomic.LongAdder();
        /** Open once the provider can take requests ({@link Processor#open}); nothing is taken before. */
        private final java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);

        Taking(BlockingQueue<DatagramQueuedMessageDispatch> queue, DatagramSocket socket, SourceRates rates, int bufferSize,
                PlainAnswers plain) {
            this.plain = plain;
            this.queue = queue;
            this.socket = socket;
            this.rates = rates;
            this.packets = ThreadLocal.withInitial(() -> new DatagramPacket(new byte[bufferSize], bufferSize));
        }

        /**
         * A datagram from a source deep in debt (it ignored its 503s: {@link SourceRates}) is dropped as it arrives,
         * before a parser's time, so other sources are served while one floods.
         */
        private boolean dropped(DatagramPacket packet) {
            return rates.inDebt(packet.getAddress(), System.nanoTime());
        }

        /**
         * JAIN-SIP's reader (only without channel threads) receives each datagram into a new array of
         * {@code max.message.size} bytes (16 KB by default); one that waits in the queue is kept with an array of its
         * own length.
         */
        private static DatagramQueuedMessageDispatch compact(DatagramQueuedMessageDispatch e) {
            DatagramPacket p = e.packet;
            if (p.getOffset() != 0 || p.getData().length != p.getLength()) {
                p.setData(java.util.Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength()));
            }
            return e;
        }

        private DatagramQueuedMessageDispatch taken(DatagramQueuedMessageDispatch work) {
            if (work == null) {
                CURRENT.remove();
            } else {
                taken.increment();
                CURRENT.set(new Datagram(work.packet, socket));
            }
            return work;
        }

        /**
         * The next datagram for this channel thread: the adopted backlog's, else one received from the socket, waiting
         * as long as it takes for one (a timed take waits longer: JAIN-SIP times its takes only with its thread auditor
         * on, which the stack never turns on). Once parking began, or the socket was closed, the thread is told to stop
         * (JAIN-SIP's channel ends on an interrupt once its processor is not running); what it had received goes to the
         * backlog.
         */
        private DatagramQueuedMessageDispatch takeWithin(long nanos) throws InterruptedException {
            takers.incrementAndGet();
            try {
                long deadline = System.nanoTime() + nanos;
                while (true) {
                    if (parking) throw new InterruptedException("the socket is being parked");
                    if (opened.getCount() > 0) {
                        long left = Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(Processor.TICK_MS));
                        if (left <= 0) return taken(null);
                        opened.await(left, TimeUnit.NANOSECONDS); // not open yet: the socket keeps what comes
                        continue;
                    }
                    DatagramQueuedMessageDispatch adopted = queue.poll();
                    if (adopted != null) {
                        if (!parking) return taken(adopted);
                        backlog.add(adopted.packet);
                        continue;
                    }
                    DatagramPacket packet = receive();
                    if (packet == null) continue;
                    if (parking) {
                        backlog.add(new DatagramPacket(java.util.Arrays.copyOf(packet.getData(), packet.getLength()), packet.getLength(),
                                packet.getAddress(), packet.getPort()));
                        continue;
                    }
                    if (plain != null && plain.answered(packet, socket)) {
                        // answered here without a parse: this thread receives the next one
                        taken.increment();
                        continue;
                    }
                    return taken(new DatagramQueuedMessageDispatch(packet, System.currentTimeMillis()));
                }
            } finally {
                takers.decrementAndGet();
            }
        }

        /** A datagram from the socket into this thread's packet; null for a wake-up, a dropped one or a failed receive. */
        private DatagramPacket receive() throws InterruptedException {
            DatagramPacket packet = packets.get();
            packet.setData(packet.getData()); // the whole buffer again
            try {
                socket.receive(packet);
            } catch (IOException e) {
                if (parking || socket.isClosed()) throw new InterruptedException("the socket is closed");
                LOG.warn("UDP receive on {}:{} failed, going on: {}",
                        socket.getLocalAddress().getHostAddress(), socket.getLocalPort(), e.toString());
                return null;
            }
            return isWakeUp(packet) || dropped(packet) ? null : packet;
        }

        private boolean isWakeUp(DatagramPacket packet) {
            InetSocketAddress from = wakeUpSource;
            return from != null && packet.getPort() == from.getPort() && from.getAddress().equals(packet.getAddress());
        }

        void open() {
            opened.countDown();
        }

        /** Waits up to the time for every taking thread to leave; true if they all did. */
        boolean awaitNoTaker(long millis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (takers.get() > 0 && System.nanoTime() - deadline < 0) Thread.sleep(5);
            return takers.get() == 0;
        }

        void drainToBacklog() {
            for (DatagramQueuedMessageDispatch work; (work = queue.poll()) != null; ) backlog.add(work.packet);
        }

        @Override public DatagramQueuedMessageDispatch take() throws InterruptedException { return takeWithin(Long.MAX_VALUE / 2); }

        @Override public DatagramQueuedMessageDispatch poll(long timeout, TimeUnit unit) throws InterruptedException {
            return takeWithin(unit.toNanos(timeout));
        }

        @Override public DatagramQueuedMessageDispatch poll() { return taken(opened.getCount() > 0 ? null : queue.poll()); }

        @Override public DatagramQueuedMessageDispatch peek() { return queue.peek(); }

        @Override public boolean offer(DatagramQueuedMessageDispatch e) { return dropped(e.packet) || queue.offer(compact(e)); }

        @Override public void put(DatagramQueuedMessageDispatch e) throws InterruptedException {
            if (!dropped(e.packet)) queue.put(compact(e));
        }

        @Override public boolean offer(DatagramQueuedMessageDispatch e, long timeout, TimeUnit unit) throws InterruptedException {
            return dropped(e.packet) || queue.offer(compact(e), timeout, unit);
        }

        @Override public int remainingCapacity() { return queue.remainingCapacity(); }

        @Override public int drainTo(Collection<? super DatagramQueuedMessageDispatch> c) { return queue.drainTo(c); }

        @Override public int drainTo(Collection<? super DatagramQueuedMessageDispatch> c, int max) { return queue.drainTo(c, max); }

        @Override public Iterator<DatagramQueuedMessageDispatch> iterator() { return queue.iterator(); }

        @Override public int size() { return queue.size(); }
    }
}
