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

    /**
     * JAIN-SIP's UDP processor, which parks its socket instead of closing it when its engine closes for good
     * ({@link UdpHandOver}) and takes the backlog of a socket it adopted.
     *
     * <p>The reading thread blocks in {@code receive} with no timeout. A timed receive costs the JDK four {@code fcntl}
     * calls and a {@code poll} besides the {@code recvfrom} (it makes the socket non-blocking for the wait and blocking
     * again): 8% of the server's CPU under an OPTIONS load (issue 15, perf). To stop reading without closing the socket
     * (parking it), the processor sends the socket a wake-up datagram of its own ({@link #wakeReader}), which the
     * reader drops.
     */
    static final class Processor extends UDPMessageProcessor {
        /** How often the channel threads look up from the queue, and how long a stop waits for a thread, in ticks. */
        static final int TICK_MS = 100;
        /**
         * What the wake-up datagram carries: a CRLF keep-alive, which JAIN-SIP's parser drops without an answer should
         * the datagram outlive its reader (it stays in the socket when a datagram from a peer woke the reader first).
         */
        private static final byte[] WAKE_UP = {'\r', '\n', '\r', '\n'};
        private static final byte[] IPV6_LOOPBACK = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        private final UdpHandOver handOver;
        private final Taking taking;
        private final java.util.concurrent.CountDownLatch readerDone = new java.util.concurrent.CountDownLatch(1);
        /** Set once the reading thread runs: only then is there a reader to wait for. */
        private volatile boolean reading;
        /** Where this processor's wake-up datagram comes from, once one was sent: the reader drops it. */
        private volatile InetSocketAddress wakeUpSource;

        Processor(InetAddress address, SIPTransactionStack stack, int port, SourceRates rates, UdpHandOver handOver) throws IOException {
            super(address, stack, port);
            this.handOver = handOver;
            this.taking = new Taking(this.messageQueue, sock, rates);
            this.messageQueue = taking;
            sock.setSoTimeout(0); // an adopted socket may come with the read timeout an earlier revision set
            long now = System.currentTimeMillis();
            for (DatagramPacket packet : handOver.backlogOf(sock)) {
                taking.queue.offer(new DatagramQueuedMessageDispatch(packet, now));
            }
        }

        @Override
        public void run() {
            reading = true;
            try {
                int threads = channelThreads();
                if (threads <= 0) {
                    super.run(); // JAIN-SIP's channel per datagram (never so here: thread.pool.size is at least 1)
                } else {
                    receive(threads);
                }
            } finally {
                readerDone.countDown();
            }
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
         * JAIN-SIP's reading loop, except that each datagram is received into one buffer and queued as a copy of its
         * own length. JAIN-SIP's loop made a new array of {@code max.message.size} bytes (16 KB by default) per
         * datagram: at 10,000 requests a second 160 MB/s of zeroed arrays on this one thread (issue 15: the most
         * sampled frame of the reader), and a request waiting in the queue held all 16 KB.
         */
        private void receive(int threads) {
            messageChannels = new java.util.LinkedList<>();
            String prefix = ((gov.nist.javax.sip.SipStackImpl) sipStack).getStackName() + "-UDPMessageChannelThread-";
            for (int i = 0; i < threads; i++) {
                // the channel's constructor starts its thread, which takes from messageQueue
                messageChannels.add(new gov.nist.javax.sip.stack.UDPMessageChannel(sipStack, this, prefix + i) { });
            }
            gov.nist.core.ThreadAuditor auditor = sipStack.getThreadAuditor();
            gov.nist.core.ThreadAuditor.ThreadHandle audited = auditor == null ? null : auditor.addCurrentThread();
            byte[] buffer = new byte[sipStack.getMaxMessageSize() > 0 ? sipStack.getMaxMessageSize() : 65535];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            while (isRunning) {
                if (audited != null) audited.ping();
                try {
                    packet.setData(buffer);
                    sock.receive(packet);
                    if (!isRunning && isWakeUp(packet)) return;
                    DatagramPacket own = new DatagramPacket(java.util.Arrays.copyOf(buffer, packet.getLength()), packet.getLength(),
                            packet.getAddress(), packet.getPort());
                    messageQueue.offer(new DatagramQueuedMessageDispatch(own, System.currentTimeMillis()));
                } catch (IOException e) {
                    if (!isRunning || sock.isClosed()) return;
                    org.slf4j.LoggerFactory.getLogger(UdpIntake.class).warn("UDP receive on {}:{} failed, going on: {}",
                            sock.getLocalAddress().getHostAddress(), getPort(), e.toString());
                }
            }
        }

        /**
         * Wakes the reader blocked in {@code receive} (after {@code isRunning} is false) with a datagram to the socket's
         * own address, and waits up to a second for it to leave; sent again every tick while it has not. A reader that
         * stayed would take a datagram meant for the revision that adopts the socket. Loopback, or the address the
         * socket is bound to: the datagram never leaves the host. True once the reader has left.
         */
        private boolean wakeReader() throws InterruptedException {
            InetAddress local = sock.getLocalAddress();
            try {
                // a wildcard socket is reached on the loopback of its own family (a "::" socket may be IPv6 only)
                InetAddress target = local != null && !local.isAnyLocalAddress() ? local
                        : local instanceof java.net.Inet6Address ? InetAddress.getByAddress(IPV6_LOOPBACK) : InetAddress.getLoopbackAddress();
                return wakeReader(target);
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger(UdpIntake.class).warn("could not wake the UDP reader of port {} to park its socket: {}",
                        sock.getLocalPort(), e.toString());
                return readerDone.await(10L * TICK_MS, TimeUnit.MILLISECONDS);
            }
        }

        private boolean wakeReader(InetAddress target) throws IOException, InterruptedException {
            try (DatagramSocket waker = new DatagramSocket(new InetSocketAddress(target, 0))) {
                wakeUpSource = new InetSocketAddress(target, waker.getLocalPort());
                DatagramPacket wake = new DatagramPacket(WAKE_UP, WAKE_UP.length, target, sock.getLocalPort());
                for (int tick = 0; tick < 10; tick++) {
                    waker.send(wake);
                    if (readerDone.await(TICK_MS, TimeUnit.MILLISECONDS)) return true;
                }
                return false;
            }
        }

        private boolean isWakeUp(DatagramPacket packet) {
            InetSocketAddress from = wakeUpSource;
            return from != null && packet.getPort() == from.getPort() && from.getAddress().equals(packet.getAddress());
        }

        /**
         * Lets the channel threads take datagrams: called once the listening point's provider has its listener
         * ({@code StackEngine.bind}). JAIN-SIP starts a processor, reader and channel threads, when it makes the
         * listening point, before there is a provider; a datagram taken in between found no listener and was dropped
         * without a word ({@code dropped.no-listener}). An adopted socket ({@link UdpHandOver}) brings the datagrams
         * of the gap between two revisions exactly then: on a loaded machine some of them were lost, the datagrams the
         * hand-over exists to keep. Until then the reader reads and the queue holds what it read.
         */
        void open() {
            taking.open();
        }

        /** Datagrams read and not yet taken by a channel thread. */
        int waiting() {
            return taking.size();
        }

        /** Sends a datagram from this listening point's socket: the answers to requests without a transaction. */
        void send(byte[] datagram, InetSocketAddress to) throws IOException {
            sock.send(new DatagramPacket(datagram, datagram.length, to));
        }

        @Override
        public void stop() {
            if (!handOver.parking()) {
                super.stop();
                // the socket's port is free only once the reader has left its receive: a socket closed while a thread
                // is blocked in it is released by that thread. A stack made again on the same port right after (a
                // configuration change) failed to bind it on a loaded machine ("Address already in use")
                try {
                    if (reading) readerDone.await(10L * TICK_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            // the channel threads stop taking (what one had just taken goes to the backlog), the reader leaves once
            // woken, and everything read but not parsed goes with the socket
            taking.parking = true;
            isRunning = false;
            boolean readerGone = true;
            try {
                if (reading) readerGone = wakeReader();
                taking.awaitNoTaker(10L * TICK_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!readerGone) {
                // a reader still in receive would take the next revision's datagrams: the socket is closed instead,
                // as without a hand-over (the datagrams of the gap are lost, the devices retransmit)
                org.slf4j.LoggerFactory.getLogger(UdpIntake.class).warn(
                        "the UDP reader of port {} did not wake up: its socket is closed, not handed over", sock.getLocalPort());
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
                org.slf4j.LoggerFactory.getLogger(UdpIntake.class).warn("JAIN-SIP's congestion auditor of a parked socket left running: {}", e.toString());
            }
        }
    }

    /** JAIN-SIP's queue; whatever a thread takes is remembered for that thread. */
    private static final class Taking extends AbstractQueue<DatagramQueuedMessageDispatch> implements BlockingQueue<DatagramQueuedMessageDispatch> {
        private final BlockingQueue<DatagramQueuedMessageDispatch> queue;
        private final DatagramSocket socket;
        private final SourceRates rates;
        /** Set when the socket is being parked: nothing more is handed to a channel thread. */
        private volatile boolean parking;
        /** Datagrams taken from the queue once parking began, and then the rest of the queue: they go with the socket. */
        private final BlockingQueue<DatagramPacket> backlog = new java.util.concurrent.LinkedBlockingQueue<>();
        private final java.util.concurrent.atomic.AtomicInteger takers = new java.util.concurrent.atomic.AtomicInteger();
        /** Open once the provider can take requests ({@link Processor#open}); nothing is handed out before. */
        private final java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);

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

        /**
         * JAIN-SIP's reader receives each datagram into a new array of {@code max.message.size} bytes (16 KB by
         * default) and queues it so; a queued request of 500 bytes held all 16 KB until a channel thread took it
         * (issue 15: under a burst the queue held hundreds of MB, and the GC pauses made the p99). It is queued with
         * an array of its own length (the channel thread copies the bytes it parses anyway).
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
                CURRENT.set(new Datagram(work.packet, socket));
            }
            return work;
        }

        /**
         * A channel thread waits in short polls so it sees parking begin; once it has, what it took goes to the
         * backlog and it is told to stop (JAIN-SIP's channel ends on an interrupt once its processor is not running).
         */
        private DatagramQueuedMessageDispatch takeWithin(long nanos) throws InterruptedException {
            takers.incrementAndGet();
            try {
                long deadline = System.nanoTime() + nanos;
                while (true) {
                    if (parking) throw new InterruptedException("the socket is being parked");
                    long left = Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(Processor.TICK_MS));
                    if (left > 0 && opened.getCount() > 0) {
                        opened.await(left, TimeUnit.NANOSECONDS); // not open yet: the queue keeps what comes
                        if (System.nanoTime() - deadline >= 0) return taken(null);
                        continue;
                    }
                    DatagramQueuedMessageDispatch work = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
                    if (work != null && parking) {
                        backlog.add(work.packet);
                        throw new InterruptedException("the socket is being parked");
                    }
                    if (work != null || System.nanoTime() - deadline >= 0) return taken(work);
                }
            } finally {
                takers.decrementAndGet();
            }
        }

        void open() {
            opened.countDown();
        }

        void awaitNoTaker(long millis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (takers.get() > 0 && System.nanoTime() - deadline < 0) Thread.sleep(5);
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

        @Override public boolean offer(DatagramQueuedMessageDispatch e) { return dropped(e) || queue.offer(compact(e)); }

        @Override public void put(DatagramQueuedMessageDispatch e) throws InterruptedException {
            if (!dropped(e)) queue.put(compact(e));
        }

        @Override public boolean offer(DatagramQueuedMessageDispatch e, long timeout, TimeUnit unit) throws InterruptedException {
            return dropped(e) || queue.offer(compact(e), timeout, unit);
        }

        @Override public int remainingCapacity() { return queue.remainingCapacity(); }

        @Override public int drainTo(Collection<? super DatagramQueuedMessageDispatch> c) { return queue.drainTo(c); }

        @Override public int drainTo(Collection<? super DatagramQueuedMessageDispatch> c, int max) { return queue.drainTo(c, max); }

        @Override public Iterator<DatagramQueuedMessageDispatch> iterator() { return queue.iterator(); }

        @Override public int size() { return queue.size(); }
    }
}
