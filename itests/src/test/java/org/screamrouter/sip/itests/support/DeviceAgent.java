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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.screamrouter.sip.itests.SipPeer;
import org.screamrouter.sip.itests.SipResponse;

/**
 * A device on a real UDP socket on 127.0.0.1, as the server sees it: it sends what the test gives it (plain text,
 * or a corpus file's bytes), keeps every datagram it receives with its sender, and answers OPTIONS pings with
 * 200 OK while {@link #answerPings(boolean)} is on. Responses are matched to requests by Call-ID and CSeq.
 */
public final class DeviceAgent implements AutoCloseable {
    /** A datagram as it arrived. */
    public record Datagram(InetSocketAddress from, String text, Instant at) {
        public boolean isRequest(String method) {
            return text.startsWith(method + " ");
        }
    }

    private final DatagramSocket socket;
    private final Thread reader;
    private final List<Datagram> received = new CopyOnWriteArrayList<>();
    private volatile boolean answerPings = true;

    public DeviceAgent() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(SipPeer.LOOPBACK, 0));
        reader = new Thread(this::read, "device-agent-" + socket.getLocalPort());
        reader.setDaemon(true);
        reader.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    public void answerPings(boolean on) {
        answerPings = on;
    }

    public void send(byte[] bytes, int serverPort) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(SipPeer.LOOPBACK, serverPort)));
    }

    public void send(String text, int serverPort) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8), serverPort);
    }

    /** Sends a request and waits for its final response (same Call-ID and CSeq line); null if none came in time. */
    public SipResponse exchange(String request, int serverPort, Duration within) throws Exception {
        return exchange(request.getBytes(StandardCharsets.UTF_8), serverPort, within);
    }

    public SipResponse exchange(byte[] request, int serverPort, Duration within) throws Exception {
        String text = new String(request, StandardCharsets.UTF_8);
        String callId = headerValue(text, "call-id", "i");
        String cseq = headerValue(text, "cseq", null);
        int seen = received.size();
        send(request, serverPort);
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = seen; i < received.size(); i++) {
                Datagram d = received.get(i);
                if (!d.text().startsWith("SIP/2.0 ")) continue;
                SipResponse r = SipResponse.parse(d.text());
                if (r.status() >= 200 && callId.equals(r.header("call-id")) && (cseq == null || cseq.equals(r.header("cseq")))) {
                    return r;
                }
            }
            Thread.sleep(10);
        }
        return null;
    }

    /** Every datagram received so far. */
    public List<Datagram> received() {
        return new ArrayList<>(received);
    }

    /** The OPTIONS requests received so far (pings). */
    public List<Datagram> pings() {
        return received.stream().filter(d -> d.isRequest("OPTIONS")).toList();
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
            InetSocketAddress from = (InetSocketAddress) packet.getSocketAddress();
            received.add(new Datagram(from, text, Instant.now()));
            if (text.startsWith("OPTIONS ") && answerPings) {
                try {
                    byte[] ok = okFor(text).getBytes(StandardCharsets.UTF_8);
                    socket.send(new DatagramPacket(ok, ok.length, from));
                } catch (IOException | RuntimeException e) {
                    // the test sees the missing answer
                }
            }
        }
    }

    /** 200 OK to a request (RFC 3261 8.2.6): its Via, From, Call-ID and CSeq copied, To with a tag. */
    static String okFor(String request) {
        StringBuilder s = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (String line : request.split("\r\n")) {
            if (line.isEmpty()) break;
            String name = line.contains(":") ? line.substring(0, line.indexOf(':')).trim().toLowerCase(Locale.ROOT) : "";
            switch (name) {
                case "via", "v", "from", "f", "call-id", "i", "cseq" -> s.append(line).append("\r\n");
                case "to", "t" -> s.append(line).append(line.contains(";tag=") ? "" : ";tag=dev").append("\r\n");
                default -> { }
            }
        }
        return s.append("Content-Length: 0\r\n\r\n").toString();
    }

    /** A header's value in a message's text, compact form too; null if absent. */
    public static String headerValue(String text, String name, String compact) {
        for (String line : text.split("\r\n")) {
            if (line.isEmpty()) break;
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String n = line.substring(0, colon).trim();
            if (n.equalsIgnoreCase(name) || (compact != null && n.equalsIgnoreCase(compact))) return line.substring(colon + 1).trim();
        }
        return null;
    }

    @Override
    public void close() {
        socket.close();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until this device got a ping after {@code after}; returns it, or null at the deadline. */
    public Datagram awaitPing(Instant after, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            for (Datagram d : pings()) {
                if (d.at().isAfter(after)) return d;
            }
            Thread.sleep(20);
        }
        return null;
    }

    public Duration since(Instant t) {
        return Duration.between(t, Instant.now());
    }
}
