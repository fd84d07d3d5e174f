package org.screamrouter.sip.stack.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Sends raw bytes to a server on 127.0.0.1 over UDP or TCP and tells what came back: the status line of the
 * answer to that message, no answer, or (TCP) the connection closed. A message that gets no answer is followed by
 * a probe (an OPTIONS of its own Call-ID) on the same socket or connection: once the probe is answered, the
 * message before it was handled too, so "no answer" is decided by a condition, not by a pause.
 */
final class Wire {
    /** What a message got. {@code status} is 0 for none; {@code reason} the reason phrase. */
    record Answer(int status, String reason, String text, boolean closed) {
        static final Answer NONE = new Answer(0, "", "", false);
        static final Answer CLOSED = new Answer(0, "", "", true);

        @Override
        public String toString() {
            return closed ? "connection closed" : status == 0 ? "no answer" : status + " " + reason;
        }
    }

    private static final Duration DEADLINE = Duration.ofSeconds(5);
    /**
     * How long after the probe's answer an answer to the message before it may still come: JAIN-SIP hands datagrams
     * to its pool threads in turn, so the probe can overtake the message by the time one thread takes for one
     * message. The decision rests on the probe's answer; this only covers the other thread.
     */
    private static final Duration GRACE = Duration.ofMillis(1000);

    private Wire() {
    }

    static String probe(String transport, int localPort) {
        String id = UUID.randomUUID().toString();
        return "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + localPort + ";branch=z9hG4bK" + id.replace("-", "") + ";rport\r\n"
                + "Max-Forwards: 70\r\nTo: <sip:probe@127.0.0.1>\r\nFrom: <sip:probe@127.0.0.1>;tag=p\r\n"
                + "Call-ID: probe-" + id + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    }

    static String header(String message, String name, String compact) {
        int end = message.indexOf("\r\n\r\n");
        String head = (end < 0 ? message : message.substring(0, end)).replaceAll("\r\n[ \t]+", " "); // unfolded
        for (String line : head.split("\r\n")) {
            if (line.isEmpty()) break;
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String n = line.substring(0, colon).trim();
            if (n.equalsIgnoreCase(name) || n.equalsIgnoreCase(compact)) return line.substring(colon + 1).trim();
        }
        return null;
    }

    private static Answer parse(String text) {
        String first = text.substring(0, Math.max(text.indexOf("\r\n"), 0));
        String[] parts = first.split(" ", 3);
        return new Answer(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "", text, false);
    }

    /**
     * What an answer to this message carries: its Call-ID (when it has one) and CSeq, the number as a number (wsinv
     * writes 0009) and the method in upper case (JAIN-SIP upper-cases the CSeq method of its responses).
     */
    static String signature(String message) {
        String callId = header(message, "Call-ID", "i");
        String cseq = header(message, "CSeq", null);
        String normal = "";
        if (cseq != null) {
            String[] parts = cseq.trim().split("\\s+", 2);
            String number = parts[0].replaceFirst("^0+(?=\\d)", "");
            normal = number + " " + (parts.length > 1 ? lower(parts[1]) : "");
        }
        return (callId == null ? "" : callId) + "|" + normal;
    }

    /** The final answer with this signature among these messages, or null. */
    private static Answer answerTo(List<String> received, String signature) {
        for (String m : received) {
            if (m.startsWith("SIP/2.0 ") && signature.equals(signature(m))) {
                Answer a = parse(m);
                if (a.status() >= 200) return a;
            }
        }
        return null;
    }

    static Answer udp(int port, byte[] message) throws IOException {
        String callId = signature(new String(message, StandardCharsets.UTF_8));
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            socket.setSoTimeout(100);
            InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            socket.send(new DatagramPacket(message, message.length, server));
            String probe = probe("UDP", socket.getLocalPort());
            String probeId = signature(probe);
            List<String> received = new ArrayList<>();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            long probeSent = 0;
            long probeAnswered = 0;
            byte[] buffer = new byte[65535];
            while (System.nanoTime() < deadline) {
                Answer a = answerTo(received, callId);
                if (a != null) return a;
                if (probeAnswered != 0 && System.nanoTime() - probeAnswered > GRACE.toNanos()) {
                    // the probe sent after the message was answered (and a little while for a second pool thread)
                    return Answer.NONE;
                }
                if (probeSent == 0 || System.nanoTime() - probeSent > Duration.ofMillis(500).toNanos() && probeAnswered == 0) {
                    if (probeSent != 0) {
                        // retransmitted as a UA does over UDP every T1 (RFC 3261 17.1.2.2): JAIN-SIP drops a request
                        // that arrives while another with the same branch, sent-by and method is still being handled
                        socket.send(new DatagramPacket(message, message.length, server));
                    }
                    byte[] p = probe.getBytes(StandardCharsets.UTF_8);
                    socket.send(new DatagramPacket(p, p.length, server));
                    probeSent = System.nanoTime();
                }
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException nothingYet) {
                    continue;
                }
                received.add(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
                if (probeAnswered == 0 && answerTo(received, probeId) != null) probeAnswered = System.nanoTime();
            }
            throw new IOException("neither the message nor the probe after it was answered within " + DEADLINE + ": " + received);
        }
    }

    /**
     * Sends the message on a new TCP connection, then (when {@code probe}) a probe on the same connection, or else
     * ends the sending side; returns the message's answer, NONE when the probe was answered and nothing for the
     * message followed, CLOSED when the server closed the connection first.
     */
    static Answer tcp(int port, byte[] message, boolean probe) throws IOException {
        String callId = signature(new String(message, StandardCharsets.UTF_8));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) DEADLINE.toMillis());
            socket.getOutputStream().write(message);
            String p = probe("TCP", socket.getLocalPort());
            if (probe) {
                socket.getOutputStream().write(p.getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
            } else {
                // a message whose declared length is never reached: nothing follows it, the server sees the end
                socket.shutdownOutput();
            }
            InputStream in = socket.getInputStream();
            List<String> received = new ArrayList<>();
            boolean probeAnswered = false;
            while (true) {
                String m;
                try {
                    m = readMessage(in);
                } catch (SocketTimeoutException e) {
                    if (probeAnswered) return Answer.NONE;
                    throw new IOException("nothing within " + DEADLINE + " after " + received);
                } catch (IOException reset) {
                    return Answer.CLOSED;
                }
                if (m == null) return Answer.CLOSED;
                if (Boolean.getBoolean("wire.debug")) System.out.println("WIRE<< " + m);
                received.add(m);
                Answer a = answerTo(received, callId);
                if (a != null) return a;
                if (!probeAnswered && answerTo(received, signature(p)) != null) {
                    // JAIN-SIP hands a connection's messages to its pool threads in turn, not in order: the message
                    // before the probe may still be in another thread; its answer would follow within moments
                    probeAnswered = true;
                    socket.setSoTimeout((int) GRACE.toMillis());
                }
            }
        }
    }

    /** One SIP message from a stream (headers, then Content-Length bytes of body); null at end of stream. */
    static String readMessage(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            head.write(c);
            byte[] b = head.toByteArray();
            int n = b.length;
            if (n == 2 && b[0] == '\r' && b[1] == '\n') {
                head.reset(); // a CRLF keep-alive answer between messages
                continue;
            }
            if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') break;
        }
        if (c < 0) return null;
        String text = head.toString(StandardCharsets.UTF_8);
        String length = header(text, "Content-Length", "l");
        int body = length == null ? 0 : Integer.parseInt(length.trim());
        byte[] content = in.readNBytes(body);
        String message = text + new String(content, StandardCharsets.UTF_8);
        if (Boolean.getBoolean("wire.debug")) System.out.println("WIRE<< [" + message.replace("\r", "\\r").replace("\n", "\\n\n") + "]");
        return message;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
