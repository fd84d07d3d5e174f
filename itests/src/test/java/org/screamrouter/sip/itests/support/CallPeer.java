package org.screamrouter.sip.itests.support;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A calling user agent on the test side, written as plain SIP text (nothing of JAIN-SIP), over UDP on 127.0.0.1 or
 * over a WebSocket ({@code sip} subprotocol) as a browser would. It keeps every message it receives, answers the
 * server's requests (BYE, INFO) with 200 OK, and builds the requests of one call: INVITE, ACK, CANCEL, BYE, INFO.
 */
public final class CallPeer implements AutoCloseable {
    /** A received message: start line, headers (lower-case names, compact forms expanded) and body. */
    public record Message(String startLine, Map<String, List<String>> headers, String body, String text) {
        private static final Map<String, String> COMPACT = Map.of("v", "via", "f", "from", "t", "to", "i", "call-id",
                "m", "contact", "l", "content-length", "c", "content-type");

        static Message parse(String text) {
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            String body = end < 0 ? "" : text.substring(end + 4);
            String[] lines = head.split("\r\n");
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon < 0) continue;
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                headers.computeIfAbsent(COMPACT.getOrDefault(name, name), n -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
            return new Message(lines[0], headers, body, text);
        }

        public boolean isResponse() {
            return startLine.startsWith("SIP/2.0 ");
        }

        public int status() {
            return isResponse() ? Integer.parseInt(startLine.split(" ")[1]) : 0;
        }

        public String method() {
            return isResponse() ? header("cseq").split(" ")[1] : startLine.split(" ")[0];
        }

        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        public List<String> all(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        /** The tag parameter of To or From. */
        public String tag(String header) {
            String v = header(header);
            int i = v == null ? -1 : v.indexOf(";tag=");
            if (i < 0) return null;
            String rest = v.substring(i + 5);
            int semi = rest.indexOf(';');
            return semi < 0 ? rest.trim() : rest.substring(0, semi).trim();
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private final String transport;
    private final DatagramSocket udp;
    private final WebSocket ws;
    private final int serverPort;
    private final List<Message> received = new ArrayList<>();
    private volatile boolean answerRequests = true;

    private CallPeer(String transport, DatagramSocket udp, WebSocket ws, int serverPort) {
        this.transport = transport;
        this.udp = udp;
        this.ws = ws;
        this.serverPort = serverPort;
    }

    /** A peer on a UDP socket of 127.0.0.1 talking to the server's UDP port. */
    public static CallPeer udp(int serverPort) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        CallPeer peer = new CallPeer("udp", socket, null, serverPort);
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[65535];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(p);
                } catch (IOException e) {
                    return;
                }
                peer.arrived(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
            }
        }, "callpeer-udp");
        reader.setDaemon(true);
        reader.start();
        return peer;
    }

    /** A peer on a WebSocket to {@code ws://127.0.0.1:wsPort} with subprotocol {@code sip} (RFC 7118). */
    public static CallPeer ws(int wsPort) throws Exception {
        CallPeer[] self = new CallPeer[1];
        StringBuilder partial = new StringBuilder();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("sip")
                .buildAsync(URI.create("ws://127.0.0.1:" + wsPort), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            String text = partial.toString();
                            partial.setLength(0);
                            synchronized (self) {
                                while (self[0] == null) {
                                    try {
                                        self.wait();
                                    } catch (InterruptedException e) {
                                        return null;
                                    }
                                }
                            }
                            self[0].arrived(text);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        synchronized (self) {
            self[0] = new CallPeer("ws", null, socket, wsPort);
            self.notifyAll();
        }
        return self[0];
    }

    public String transport() {
        return transport;
    }

    public int localPort() {
        return udp != null ? udp.getLocalPort() : 0;
    }

    /** Whether requests from the server are answered with 200 OK (on by default). */
    public void answerRequests(boolean on) {
        answerRequests = on;
    }

    private void arrived(String text) {
        if (text.isBlank()) return; // CRLF keep-alive
        Message m = Message.parse(text);
        synchronized (received) {
            received.add(m);
            received.notifyAll();
        }
        if (!m.isResponse() && answerRequests && !"ACK".equals(m.method())) {
            try {
                send(okFor(m));
            } catch (IOException e) {
                // the test sees the missing answer
            }
        }
    }

    public void send(String text) throws IOException {
        if (udp != null) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            udp.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort)));
        } else {
            try {
                ws.sendText(text, true).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException("WebSocket send failed", e);
            }
        }
    }

    /** Waits for a received message matching {@code what}, counting from the start; null when none comes in time. */
    public Message await(Predicate<Message> what, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        synchronized (received) {
            while (true) {
                for (Message m : received) {
                    if (what.test(m)) return m;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) return null;
                received.wait(left);
            }
        }
    }

    /** Waits for the response with this status to the request with this Call-ID and CSeq method. */
    public Message response(String callId, String method, int status, Duration within) throws InterruptedException {
        return await(m -> m.isResponse() && callId.equals(m.header("call-id")) && method.equals(m.method()) && m.status() == status, within);
    }

    /** Waits for the final response (>= 200) to the request with this Call-ID and CSeq method. */
    public Message finalResponse(String callId, String method, Duration within) throws InterruptedException {
        return await(m -> m.isResponse() && callId.equals(m.header("call-id")) && method.equals(m.method()) && m.status() >= 200, within);
    }

    /** Waits for a request from the server with this method and Call-ID. */
    public Message request(String callId, String method, Duration within) throws InterruptedException {
        return await(m -> !m.isResponse() && method.equals(m.method()) && callId.equals(m.header("call-id")), within);
    }

    public List<Message> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Override
    public void close() {
        if (udp != null) udp.close();
        if (ws != null) ws.abort();
    }

    /** Closes the WebSocket politely (close frame, then the connection ends). */
    public void closeWebSocket() throws Exception {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    // requests of one call

    /** One call from this peer: its identifiers and the requests of its dialog. */
    public final class Dialog {
        public final String callId = UUID.randomUUID() + "@callpeer";
        public final String fromTag = Long.toHexString(Double.doubleToLongBits(Math.random()));
        public final String target;
        public final String inviteBranch = newBranch();
        public String toTag;
        private long cseq = 1;

        Dialog(String target) {
            this.target = target;
        }

        public String invite(String sdp) {
            return request("INVITE", inviteBranch, cseq, null, "application/sdp", sdp);
        }

        /** ACK for a 2xx (new branch, RFC 3261 17.1.1.3 for non-2xx uses the INVITE's branch). */
        public String ack(boolean for2xx) {
            return request("ACK", for2xx ? newBranch() : inviteBranch, 1, toTag, null, null);
        }

        /** ACK for the 2xx of the (re-)INVITE with this CSeq number. */
        public String ack(long inviteCSeq) {
            return request("ACK", newBranch(), inviteCSeq, toTag, null, null);
        }

        public String cancel() {
            return request("CANCEL", inviteBranch, 1, null, null, null);
        }

        public String bye() {
            return request("BYE", newBranch(), ++cseq, toTag, null, null);
        }

        public String info(String contentType, String body) {
            return request("INFO", newBranch(), ++cseq, toTag, contentType, body);
        }

        public String reInvite(String sdp) {
            return request("INVITE", newBranch(), ++cseq, toTag, "application/sdp", sdp);
        }

        public long cseq() {
            return cseq;
        }

        private String request(String method, String branch, long number, String toTagValue, String contentType, String body) {
            String host = "udp".equals(transport) ? "127.0.0.1:" + localPort() : "callpeer.invalid";
            String via = "udp".equals(transport) ? "SIP/2.0/UDP " + host + ";branch=" + branch + ";rport"
                    : "SIP/2.0/WS " + host + ";branch=" + branch;
            String contact = "udp".equals(transport) ? "<sip:peer@" + host + ">" : "<sip:peer@callpeer.invalid;transport=ws>";
            StringBuilder s = new StringBuilder();
            s.append(method).append(" sip:").append(target).append("@127.0.0.1:").append(serverPort).append(" SIP/2.0\r\n");
            s.append("Via: ").append(via).append("\r\n");
            s.append("Max-Forwards: 70\r\n");
            s.append("From: <sip:peer@127.0.0.1>;tag=").append(fromTag).append("\r\n");
            s.append("To: <sip:").append(target).append("@127.0.0.1>").append(toTagValue == null ? "" : ";tag=" + toTagValue).append("\r\n");
            s.append("Call-ID: ").append(callId).append("\r\n");
            s.append("CSeq: ").append(number).append(' ').append(method).append("\r\n");
            s.append("Contact: ").append(contact).append("\r\n");
            s.append("User-Agent: screamrouter-sip-itests\r\n");
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (contentType != null) s.append("Content-Type: ").append(contentType).append("\r\n");
            s.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
            if (body != null) s.append(body);
            return s.toString();
        }
    }

    public Dialog dialog(String target) {
        return new Dialog(target);
    }

    /**
     * One INVITE to {@code target} with this offer: its 2xx ACKed and the dialog returned (with its To-tag), or null
     * when no 2xx came within the time (a final error answer is ACKed). For a wait until calls are answered, in
     * {@code Await.until}.
     */
    public Dialog call(String target, String offer, Duration within) throws IOException, InterruptedException {
        Dialog d = dialog(target);
        send(d.invite(offer));
        Message answer = finalResponse(d.callId, "INVITE", within);
        if (answer == null || answer.status() != 200) {
            if (answer != null) send(d.ack(false));
            return null;
        }
        d.toTag = answer.tag("to");
        send(d.ack(true));
        return d;
    }

    static String newBranch() {
        return "z9hG4bK" + UUID.randomUUID().toString().replace("-", "");
    }

    /** A 200 OK to a request from the server: its Via, From, To, Call-ID and CSeq copied (RFC 3261 8.2.6). */
    static String okFor(Message request) {
        StringBuilder s = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (String via : request.all("via")) s.append("Via: ").append(via).append("\r\n");
        s.append("From: ").append(request.header("from")).append("\r\n");
        s.append("To: ").append(request.header("to")).append("\r\n");
        s.append("Call-ID: ").append(request.header("call-id")).append("\r\n");
        s.append("CSeq: ").append(request.header("cseq")).append("\r\n");
        s.append("Content-Length: 0\r\n\r\n");
        return s.toString();
    }

    /** A plain RTP offer for media at 127.0.0.1:port with these payload types and rtpmaps. */
    public static String rtpOffer(int port, String formats, String... rtpmaps) {
        StringBuilder s = new StringBuilder("v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n")
                .append("m=audio ").append(port).append(" RTP/AVP ").append(formats).append("\r\n");
        for (String r : rtpmaps) s.append("a=rtpmap:").append(r).append("\r\n");
        return s.append("a=sendrecv\r\n").toString();
    }

    /** A UDP socket on 127.0.0.1 for RTP. */
    public static DatagramSocket mediaSocket() throws SocketException {
        return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }
}
