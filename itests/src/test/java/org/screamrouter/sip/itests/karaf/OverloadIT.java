package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.support.KarafRun;

/**
 * A flood from one address (issue 13, overload): REGISTERs for new devices at about three times the server's clean
 * rate (bench/registrar-bench.sh measures about 2,000/s here) from 127.0.0.1, for {@code itest.flood.seconds} (20 s in
 * the build; the 60 s with {@code -Ditest.flood.seconds=60}). Meanwhile and afterwards another address
 * (127.0.0.2, loopback too) must be served: every OPTIONS it sends while the flood runs answered (within 2 s, resent
 * once after 500 ms as a UA does; the flooder shares this JVM's two cores here, a real one would not), and a REGISTER
 * after the flood answered within 1 s. The flooding source is answered 503 past its rate and then dropped; the server's heap after a full GC
 * stays within 256 MB of where it started.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OverloadIT {
    private static final int FLOOD_RATE = 6000;

    @Configuration
    public Option[] config() {
        return KarafRun.options(
                // the distribution's own limit (KarafRun lifts it for the other tests)
                // (-Ditest.flood.limit=0 runs the flood against a server without the limit: the attack working)
                org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut(KarafRun.STACK_CFG, "rate.per.source",
                        System.getProperty("itest.flood.limit", "100")),
                systemProperty("itest.flood.seconds").value(System.getProperty("itest.flood.seconds", "20")));
    }

    private static String register(String user, int port, String callId, int cseq, int localPort) {
        return "REGISTER sip:127.0.0.1:" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + localPort + ";branch=z9hG4bK" + callId + cseq + ";rport\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:" + user + "@127.0.0.1>;tag=" + callId + "\r\nTo: <sip:" + user + "@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: " + cseq + " REGISTER\r\nContact: <sip:" + user + "@127.0.0.1:" + localPort + ">\r\n"
                + "Expires: 600\r\nContent-Length: 0\r\n\r\n";
    }

    private static String options(int port, String callId, int localPort) {
        return "OPTIONS sip:127.0.0.1:" + port + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:" + localPort + ";branch=z9hG4bKo" + callId + ";rport\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.2>;tag=p\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    }

    /**
     * Sends and waits for the final answer (a 1xx is skipped), retransmitting after 500 ms as a UA does over UDP (RFC 3261
     * timer E: a datagram the kernel dropped from a full socket buffer is not the server's fault); the status, or 0 when
     * none came within the time.
     */
    private static int ask(DatagramSocket socket, int port, String message, Duration within) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        DatagramPacket request = new DatagramPacket(bytes, bytes.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        socket.send(request);
        long start = System.nanoTime();
        long deadline = start + within.toNanos();
        boolean resent = false;
        byte[] buffer = new byte[65535];
        while (System.nanoTime() < deadline) {
            if (!resent && System.nanoTime() - start > 500_000_000L) {
                socket.send(request);
                resent = true;
            }
            long wait = resent ? deadline - System.nanoTime() : start + 500_000_000L - System.nanoTime();
            socket.setSoTimeout((int) Math.max(1, wait / 1_000_000));
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            }
            String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(8, 11));
            if (status >= 200 && text.contains(message.substring(message.indexOf("Call-ID: ") + 9, message.indexOf("\r\n", message.indexOf("Call-ID: "))))) {
                return status;
            }
        }
        return 0;
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    @Test
    public void anotherAddressIsServedWhileOneFloodsAndAfterwards() throws Exception {
        int port = KarafRun.sipPort();
        int seconds = Integer.getInteger("itest.flood.seconds");
        InetAddress other = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        try (DatagramSocket flooder = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramSocket probe = new DatagramSocket(new InetSocketAddress(other, 0))) {
            Await.until("the server answers the other address", Duration.ofSeconds(60),
                    () -> ask(probe, port, options(port, "warm-" + System.nanoTime(), probe.getLocalPort()), Duration.ofSeconds(1)), s -> s == 200);
            long heapBefore = heapAfterGc();
            Map<Integer, AtomicLong> answers = new ConcurrentHashMap<>();
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong sent = new AtomicLong();
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[65535];
                while (!flooder.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                    try {
                        flooder.receive(p);
                    } catch (IOException closed) {
                        return;
                    }
                    int status = Integer.parseInt(new String(p.getData(), 8, 3, StandardCharsets.US_ASCII));
                    answers.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                }
            }, "flood-answers");
            reader.setDaemon(true);
            reader.start();
            Thread flood = new Thread(() -> {
                InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                long start = System.nanoTime();
                long i = 0;
                while (flooding.get()) {
                    long due = (System.nanoTime() - start) * FLOOD_RATE / 1_000_000_000L;
                    for (; i < due; i++) {
                        byte[] b = register("flood" + i, port, "f" + i, 1, flooder.getLocalPort()).getBytes(StandardCharsets.UTF_8);
                        try {
                            flooder.send(new DatagramPacket(b, b.length, server));
                        } catch (IOException e) {
                            return;
                        }
                    }
                    sent.set(i);
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000); // batches every 0.2 ms, no busy loop
                }
            }, "flood");
            flood.setDaemon(true);
            long t0 = System.nanoTime();
            flood.start();
            List<Long> during = new ArrayList<>();
            int unanswered = 0;
            try {
                while (System.nanoTime() - t0 < Duration.ofSeconds(seconds).toNanos()) {
                    long asked = System.nanoTime();
                    int status = ask(probe, port, options(port, "during-" + asked, probe.getLocalPort()), Duration.ofSeconds(2));
                    if (status == 200) during.add((System.nanoTime() - asked) / 1_000_000);
                    else unanswered++;
                    Thread.sleep(200); // a well-behaved peer's pace
                }
            } finally {
                flooding.set(false);
                flood.join(5000);
            }
            double rate = sent.get() / ((System.nanoTime() - t0) / 1e9);
            long asked = System.nanoTime();
            int after = ask(probe, port, register("calm", port, "calm-" + asked, 1, probe.getLocalPort()).replace("127.0.0.1:" + probe.getLocalPort(),
                    "127.0.0.2:" + probe.getLocalPort()), Duration.ofSeconds(1));
            long afterMs = (System.nanoTime() - asked) / 1_000_000;
            long heapAfter = heapAfterGc();
            Collections.sort(during);
            String report = String.format("flood: %d REGISTERs in %d s (%.0f/s) from 127.0.0.1, answers by status %s; other address: "
                    + "%d OPTIONS answered within 2 s (median %d ms, max %d ms), %d not; REGISTER after the flood: %d in %d ms; heap after GC "
                    + "%d MB before, %d MB after", sent.get(), seconds, rate, new java.util.TreeMap<>(answers), during.size(),
                    during.isEmpty() ? -1 : during.get(during.size() / 2), during.isEmpty() ? -1 : during.get(during.size() - 1), unanswered,
                    after, afterMs, heapBefore >> 20, heapAfter >> 20);
            System.out.println(report);
            assertTrue(report, rate > FLOOD_RATE * 0.5);
            assertTrue(report, answers.containsKey(503));
            assertTrue(report, unanswered == 0 && !during.isEmpty());
            assertTrue(report, after == 200 && afterMs < 1000);
            assertTrue(report, heapAfter - heapBefore < 256L << 20);
        }
    }
}
