package org.screamrouter.sip.itests.support;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.screamrouter.sip.itests.SipPeer;
import org.screamrouter.sip.itests.SipResponse;

/**
 * A presence watcher on a real UDP socket on 127.0.0.1 (RFC 6665 subscriber): sends SUBSCRIBE in one dialog
 * (same Call-ID and From-tag, CSeq counting up, the server's To-tag once it answered), keeps every NOTIFY it
 * receives in arrival order and answers each with 200 OK (RFC 3261 8.2.6). Also sends PUBLISH for tests that
 * play the device.
 */
public final class Watcher implements AutoCloseable {
    /** A NOTIFY as it arrived. */
    public record Notify(String text) {
        public String header(String name) {
            return DeviceAgent.headerValue(text, name, null);
        }

        public long cseq() {
            return Long.parseLong(header("CSeq").split(" ")[0]);
        }

        public String body() {
            int split = text.indexOf("\r\n\r\n");
            return split < 0 ? "" : text.substring(split + 4);
        }

        /** The PIDF {@code <basic>} status, or null. */
        public String basic() {
            String b = body();
            int start = b.indexOf("<basic>");
            int end = b.indexOf("</basic>");
            return start < 0 || end < start ? null : b.substring(start + 7, end);
        }
    }

    private final DatagramSocket socket;
    private final Thread reader;
    private final DeviceAgent requests;
    private final List<Notify> notifies = new CopyOnWriteArrayList<>();
    private final String callId = UUID.randomUUID() + "@127.0.0.1";
    private final String fromTag = "w" + Integer.toHexString(callId.hashCode());
    private final String user;
    private long cseq;
    private String toTag;

    public Watcher(String user) throws IOException {
        this.user = user;
        this.requests = new DeviceAgent();
        this.socket = new DatagramSocket(new InetSocketAddress(SipPeer.LOOPBACK, 0));
        this.reader = new Thread(this::read, "watcher-" + socket.getLocalPort());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * SUBSCRIBE to {@code sip:<resource>@127.0.0.1:<server>} in this watcher's dialog, from the socket that also
     * takes the NOTIFYs; waits for the final answer and remembers the To-tag of the first 2xx.
     */
    public SipResponse subscribe(String resource, String event, int expires, int server, String... extra) throws Exception {
        cseq++;
        String text = subscribeText(resource, event, expires, server, extra);
        SipResponse r = exchangeOnNotifySocket(text, server, Duration.ofSeconds(5));
        if (r != null && r.status() / 100 == 2 && toTag == null) {
            String to = r.header("to");
            toTag = to.substring(to.indexOf(";tag=") + 5).split(";")[0];
        }
        return r;
    }

    public String toTag() {
        return toTag;
    }

    public String callId() {
        return callId;
    }

    private String subscribeText(String resource, String event, int expires, int server, String... extra) {
        String branch = "z9hG4bK" + UUID.randomUUID().toString().replace("-", "");
        StringBuilder s = new StringBuilder();
        s.append("SUBSCRIBE sip:").append(resource).append("@127.0.0.1:").append(server).append(" SIP/2.0\r\n");
        s.append("Via: SIP/2.0/UDP 127.0.0.1:").append(socket.getLocalPort()).append(";branch=").append(branch).append(";rport\r\n");
        s.append("Max-Forwards: 70\r\n");
        s.append("From: <sip:").append(user).append("@127.0.0.1>;tag=").append(fromTag).append("\r\n");
        s.append("To: <sip:").append(resource).append("@127.0.0.1>").append(toTag == null ? "" : ";tag=" + toTag).append("\r\n");
        s.append("Call-ID: ").append(callId).append("\r\n");
        s.append("CSeq: ").append(cseq).append(" SUBSCRIBE\r\n");
        s.append("Contact: <sip:").append(user).append("@127.0.0.1:").append(socket.getLocalPort()).append(">\r\n");
        if (event != null) s.append("Event: ").append(event).append("\r\n");
        s.append("Expires: ").append(expires).append("\r\n");
        for (String line : extra) s.append(line).append("\r\n");
        s.append("Accept: application/pidf+xml, application/reginfo+xml\r\n");
        s.append("Content-Length: 0\r\n\r\n");
        return s.toString();
    }

    /** A PUBLISH of a PIDF document (or none) for {@code resource}, sent from a socket of its own; its answer. */
    public SipResponse publish(String resource, String etag, int expires, String contentType, String body, int server) throws Exception {
        String branch = "z9hG4bK" + UUID.randomUUID().toString().replace("-", "");
        StringBuilder s = new StringBuilder();
        s.append("PUBLISH sip:").append(resource).append("@127.0.0.1:").append(server).append(" SIP/2.0\r\n");
        s.append("Via: SIP/2.0/UDP 127.0.0.1:").append(requests.port()).append(";branch=").append(branch).append(";rport\r\n");
        s.append("Max-Forwards: 70\r\n");
        s.append("From: <sip:").append(resource).append("@127.0.0.1>;tag=p").append(branch.substring(7, 15)).append("\r\n");
        s.append("To: <sip:").append(resource).append("@127.0.0.1>\r\n");
        s.append("Call-ID: ").append(UUID.randomUUID()).append("@127.0.0.1\r\n");
        s.append("CSeq: 1 PUBLISH\r\n");
        s.append("Event: presence\r\n");
        if (etag != null) s.append("SIP-If-Match: ").append(etag).append("\r\n");
        s.append("Expires: ").append(expires).append("\r\n");
        if (body == null) {
            s.append("Content-Length: 0\r\n\r\n");
        } else {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            s.append("Content-Type: ").append(contentType).append("\r\n");
            s.append("Content-Length: ").append(b.length).append("\r\n\r\n").append(body);
        }
        return requests.exchange(s.toString(), server, Duration.ofSeconds(5));
    }

    private final List<String> responses = new CopyOnWriteArrayList<>();

    private SipResponse exchangeOnNotifySocket(String request, int server, Duration within) throws Exception {
        String cseqLine = DeviceAgent.headerValue(request, "CSeq", null);
        int seen = responses.size();
        byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(SipPeer.LOOPBACK, server)));
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = seen; i < responses.size(); i++) {
                SipResponse r = SipResponse.parse(responses.get(i));
                if (r.status() >= 200 && callId.equals(r.header("call-id")) && cseqLine.equals(r.header("cseq"))) return r;
            }
            Thread.sleep(10);
        }
        return null;
    }

    /** Every NOTIFY received so far, in order of arrival (retransmissions included). */
    public List<Notify> notifies() {
        return new ArrayList<>(notifies);
    }

    /**
     * The NOTIFYs of this watcher's dialog that carry state, one per CSeq (retransmissions dropped), in arrival order.
     * Left out: the first NOTIFY over UDP, {@code Subscription-State: pending} without a body, which the server sends
     * before this watcher has proven its address by answering it ({@link #pendingNotifies}).
     */
    public List<Notify> dialogNotifies() {
        return dialog().stream().filter(n -> !n.header("Subscription-State").startsWith("pending")).toList();
    }

    /** The pending NOTIFYs of this watcher's dialog (see {@link #dialogNotifies}). */
    public List<Notify> pendingNotifies() {
        return dialog().stream().filter(n -> n.header("Subscription-State").startsWith("pending")).toList();
    }

    private List<Notify> dialog() {
        List<Notify> out = new ArrayList<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (Notify n : notifies) {
            if (callId.equals(n.header("Call-ID")) && seen.add(n.cseq())) out.add(n);
        }
        return out;
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
            if (text.startsWith("SIP/2.0 ")) {
                responses.add(text);
            } else if (text.startsWith("NOTIFY ")) {
                notifies.add(new Notify(text));
                try {
                    byte[] ok = DeviceAgent.okFor(text).getBytes(StandardCharsets.UTF_8);
                    socket.send(new DatagramPacket(ok, ok.length, packet.getSocketAddress()));
                } catch (IOException | RuntimeException e) {
                    // the test sees the missing answer as a retransmission
                }
            }
        }
    }

    /** The 200 OK a UA sends to a request (RFC 3261 8.2.6). */
    public static String okFor(String request) {
        return DeviceAgent.okFor(request);
    }

    @Override
    public void close() {
        socket.close();
        requests.close();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
