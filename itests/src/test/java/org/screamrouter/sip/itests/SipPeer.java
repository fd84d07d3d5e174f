package org.screamrouter.sip.itests;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * The test side of the wire: a SIP user agent on a real UDP socket bound to 127.0.0.1 that writes requests
 * as plain text (RFC 3261 8.1.1: Via, Max-Forwards, From, To, Call-ID, CSeq, Contact, Content-Length) and
 * reads the answers. Nothing of JAIN-SIP is used here, so the stack cannot agree with itself.
 */
public final class SipPeer implements AutoCloseable {
    public static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final DatagramSocket socket;

    public SipPeer() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    /** A request from this peer to {@code 127.0.0.1:serverPort}; its Via names this peer's port unless changed. */
    public Request request(String method, String user, int serverPort) {
        return new Request(method, user, serverPort, localPort());
    }

    public void send(String text, int port) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(LOOPBACK, port)));
    }

    /** The next response (100 Trying skipped), or null when none arrives before the deadline. */
    public SipResponse receive(Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        for (String text; (text = next(deadline)) != null; ) {
            if (!text.startsWith("SIP/2.0 ")) continue; // a request (a ping) is not what we wait for
            SipResponse response = SipResponse.parse(text);
            if (response.status() >= 200) return response;
        }
        return null;
    }

    /** The text of the next request that reaches this peer (a ping, a NOTIFY), or null when none arrives in time. */
    public String receiveRequest(Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        for (String text; (text = next(deadline)) != null; ) {
            if (!text.startsWith("SIP/2.0 ")) return text;
        }
        return null;
    }

    /** The next datagram's text, or null at the deadline. */
    private String next(long deadline) throws IOException {
        long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
        if (left <= 0) return null;
        socket.setSoTimeout((int) left);
        byte[] buffer = new byte[65535];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    /** Sends and waits for the final response; null when none came within the time. */
    public SipResponse exchange(Request request, Duration within) throws IOException {
        send(request.toString(), request.serverPort);
        return receive(within);
    }

    @Override
    public void close() {
        socket.close();
    }

    /** A request's text, built field by field so a test can break exactly one rule. */
    public static final class Request {
        final String method;
        final int serverPort;
        String uri;
        String cseqMethod;
        long cseq = 1;
        int viaPort;
        String user;
        String callId = UUID.randomUUID() + "@127.0.0.1";
        String contact;
        Integer expires;
        String branch = "z9hG4bK" + UUID.randomUUID().toString().replace("-", "");

        Request(String method, String user, int serverPort, int viaPort) {
            this.method = method;
            this.user = user;
            this.serverPort = serverPort;
            this.viaPort = viaPort;
            this.cseqMethod = method;
            this.uri = "REGISTER".equals(method) ? "sip:127.0.0.1:" + serverPort : "sip:" + user + "@127.0.0.1:" + serverPort;
            this.contact = "<sip:" + user + "@127.0.0.1:" + viaPort + ">";
        }

        public Request cseqMethod(String value) { this.cseqMethod = value; return this; }
        public Request cseq(long value) { this.cseq = value; return this; }
        public Request viaPort(int value) { this.viaPort = value; return this; }
        public Request callId(String value) { this.callId = value; return this; }
        public Request contact(String value) { this.contact = value; return this; }
        public Request expires(int value) { this.expires = value; return this; }
        public Request newBranch() { this.branch = "z9hG4bK" + UUID.randomUUID().toString().replace("-", ""); return this; }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder();
            s.append(method).append(' ').append(uri).append(" SIP/2.0\r\n");
            s.append("Via: SIP/2.0/UDP 127.0.0.1:").append(viaPort).append(";branch=").append(branch).append(";rport\r\n");
            s.append("Max-Forwards: 70\r\n");
            s.append("From: <sip:").append(user).append("@127.0.0.1>;tag=").append(Integer.toHexString(callId.hashCode())).append("\r\n");
            s.append("To: <sip:").append(user).append("@127.0.0.1>\r\n");
            s.append("Call-ID: ").append(callId).append("\r\n");
            s.append("CSeq: ").append(cseq).append(' ').append(cseqMethod).append("\r\n");
            if (contact != null) s.append("Contact: ").append(contact).append("\r\n");
            if (expires != null) s.append("Expires: ").append(expires).append("\r\n");
            s.append("User-Agent: screamrouter-sip-itests\r\n");
            s.append("Content-Length: 0\r\n\r\n");
            return s.toString();
        }
    }
}
