package org.screamrouter.sip.itests.support;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.screamrouter.sip.itests.SipPeer;
import org.screamrouter.sip.itests.SipResponse;

/**
 * Many requests over one UDP socket on 127.0.0.1, a window of them in flight, each unanswered one sent again
 * (same bytes, so the same transaction) after 1 s; bounded by a deadline. Answers are matched by Call-ID.
 */
public final class Bulk implements AutoCloseable {
    /** A final answer and when it arrived. */
    public record Answer(SipResponse response, Instant at) {}

    private final DatagramSocket socket;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Thread reader;

    public Bulk() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(SipPeer.LOOPBACK, 0));
        socket.setReceiveBufferSize(4 << 20);
        reader = new Thread(this::read, "bulk-" + socket.getLocalPort());
        reader.setDaemon(true);
        reader.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /**
     * Sends every request (keyed by its Call-ID) and returns the final answers by Call-ID, in the order given;
     * throws when some are still unanswered at the deadline.
     */
    public Map<String, Answer> exchangeAll(int serverPort, Map<String, String> requestsByCallId, int window, Duration within)
            throws Exception {
        InetSocketAddress server = new InetSocketAddress(SipPeer.LOOPBACK, serverPort);
        List<String> ids = new ArrayList<>(requestsByCallId.keySet());
        Map<String, Long> sentAt = new LinkedHashMap<>();
        long deadline = System.nanoTime() + within.toNanos();
        int next = 0;
        while (true) {
            long now = System.nanoTime();
            int inFlight = 0;
            for (Map.Entry<String, Long> e : sentAt.entrySet()) {
                if (answers.containsKey(e.getKey())) continue;
                inFlight++;
                if (now - e.getValue() > 1_000_000_000L) { // retransmit
                    send(requestsByCallId.get(e.getKey()), server);
                    e.setValue(now);
                }
            }
            while (inFlight < window && next < ids.size()) {
                send(requestsByCallId.get(ids.get(next)), server);
                sentAt.put(ids.get(next), System.nanoTime());
                next++;
                inFlight++;
            }
            if (next == ids.size() && ids.stream().allMatch(answers::containsKey)) break;
            if (System.nanoTime() > deadline) {
                long missing = ids.stream().filter(id -> !answers.containsKey(id)).count();
                throw new AssertionError(missing + " of " + ids.size() + " requests unanswered after " + within);
            }
            Thread.sleep(1);
        }
        Map<String, Answer> out = new LinkedHashMap<>();
        for (String id : ids) out.put(id, answers.get(id));
        return out;
    }

    /** REGISTERs of {@code count} devices ({@code uuidOf(i)}), From the uuid, To the router, default Contact. */
    public Map<String, String> registers(int serverPort, int count, IntFunction<String> uuidOf, int expires) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String uuid = uuidOf.apply(i);
            Register r = new Register(uuid, serverPort, port()).expires(expires).callId(uuid + "@bulk");
            out.put(r.callId(), r.toString());
        }
        return out;
    }

    /** REGISTERs without Contact (a fetch of the current bindings) for the same devices. */
    public Map<String, String> fetches(int serverPort, int count, IntFunction<String> uuidOf) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String uuid = uuidOf.apply(i);
            Register r = new Register(uuid, serverPort, port()).contact(null).callId(uuid + "@fetch-" + System.nanoTime());
            out.put(r.callId(), r.toString());
        }
        return out;
    }

    private void send(String text, InetSocketAddress to) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, to));
    }

    private void read() {
        byte[] buffer = new byte[65535];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                continue;
            }
            String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            if (!text.startsWith("SIP/2.0 ")) continue; // pings are not answered: these devices are not kept alive
            SipResponse r = SipResponse.parse(text);
            if (r.status() >= 200 && r.header("call-id") != null) answers.putIfAbsent(r.header("call-id"), new Answer(r, Instant.now()));
        }
    }

    /** The {@code expires} parameter of a Contact value, or -1. */
    public static long expiresOf(String contact) {
        var m = java.util.regex.Pattern.compile(";\\s*expires\\s*=\\s*(\\d+)").matcher(contact);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** A Contact value without its expires parameter. */
    public static String withoutExpires(String contact) {
        return contact.replaceAll(";\\s*expires\\s*=\\s*\\d+", "");
    }

    @Override
    public void close() {
        socket.close();
    }
}
