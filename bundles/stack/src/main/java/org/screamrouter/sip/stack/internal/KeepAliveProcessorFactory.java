package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.ListeningPointExt;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.NioWebSocketMessageChannel;
import gov.nist.javax.sip.stack.NioWebSocketMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import javax.sip.ListeningPoint;
import org.screamrouter.sip.http.OriginPolicy;
import org.screamrouter.sip.stack.Flow;

/**
 * JAIN-SIP's NIO transports, with TCP and WebSocket channels that report the RFC 5626 CRLF keep-alive: JAIN-SIP
 * answers a double CRLF itself ({@code sendSingleCLRF}) and tells nobody, but a registrar counts it as a
 * sign of life of the device on that flow. The channels also report when their connection closes, once, and answer
 * what the parser rejected ({@link Rejections}). UDP datagrams go through {@link UdpIntake}, so the parser knows
 * where the datagram it parses came from.
 */
final class KeepAliveProcessorFactory extends NioMessageProcessorFactory {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KeepAliveProcessorFactory.class);
    /** The longest WebSocket opening handshake read (browsers send well under 2 KB); longer ones get 431. */
    static final int MAX_HANDSHAKE = 8192;
    private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};
    private final Consumer<Flow> keepAlive;
    private final Consumer<Flow> closed;
    private final ConnectionGuard guard;

    private final SourceRates rates;

    KeepAliveProcessorFactory(Consumer<Flow> keepAlive, Consumer<Flow> closed, ConnectionGuard guard, SourceRates rates) {
        this.rates = rates;
        this.keepAlive = keepAlive;
        this.closed = closed;
        this.guard = guard;
    }

    /**
     * Counts a just-accepted connection in ({@link ConnectionGuard}); past a cap its socket is shut down both ways at
     * once, so the peer reads the end of the stream and JAIN-SIP's selector, reading it too, closes the channel the
     * ordinary way (it must be registered first: the selector registers what this factory returns).
     */
    private void admit(ConnectionGuard.Connection connection, SocketChannel socket) {
        if (connection.source() == null || guard.admit(connection, System.nanoTime()) == null) {
            return;
        }
        try {
            socket.socket().shutdownInput();
            socket.socket().shutdownOutput();
        } catch (IOException e) {
            LOG.debug("shutting a refused connection down: {}", e.toString());
        }
    }

    /** The flow of a connected socket, taken while it is open (a closed socket forgets its peer). */
    private static Flow flowOf(String transport, SocketChannel socket) {
        java.net.Socket s = socket.socket();
        return s.getInetAddress() == null ? null : new Flow(transport, new InetSocketAddress(s.getInetAddress(), s.getPort()));
    }

    private void reportClosed(Flow flow, java.util.concurrent.atomic.AtomicBoolean reported) {
        if (flow != null && reported.compareAndSet(false, true)) {
            closed.accept(flow);
        }
    }

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port, String transport)
            throws IOException {
        if (transport.equalsIgnoreCase(ListeningPoint.TCP)) {
            return new TcpProcessor(address, stack, port);
        }
        if (transport.equalsIgnoreCase(ListeningPointExt.WS)) {
            return new WsProcessor(address, stack, port);
        }
        if (transport.equalsIgnoreCase(ListeningPoint.UDP) && UdpIntake.useListeningSockets(stack)) {
            return new UdpIntake.Processor(address, stack, port, rates);
        }
        return super.createMessageProcessor(stack, address, port, transport);
    }

    private void report(String transport, SocketChannel socket) {
        if (socket.socket().getInetAddress() != null) {
            keepAlive.accept(new Flow(transport, new InetSocketAddress(socket.socket().getInetAddress(), socket.socket().getPort())));
        }
    }

    private final class TcpProcessor extends NioTcpMessageProcessor {
        TcpProcessor(InetAddress address, SIPTransactionStack stack, int port) {
            super(address, stack, port);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client) throws IOException {
            NioTcpMessageChannel channel = nioHandler.getMessageChannel(client);
            if (channel == null) {
                TcpChannel fresh = new TcpChannel(processor, client);
                nioHandler.putMessageChannel(client, fresh);
                admit(fresh, client);
                channel = fresh;
            }
            return channel;
        }
    }

    private final class TcpChannel extends NioTcpMessageChannel implements ConnectionGuard.Connection {
        private final SocketChannel socket;
        private final Flow flow;
        private final java.util.concurrent.atomic.AtomicBoolean closedReported = new java.util.concurrent.atomic.AtomicBoolean();
        private final StrictMessageParser parser = new StrictMessageParser();
        private final StreamFramer framer;

        TcpChannel(NioTcpMessageProcessor processor, SocketChannel socket) throws IOException {
            super(processor, socket);
            this.messageProcessor = processor;
            this.socket = socket;
            this.flow = flowOf("tcp", socket);
            this.framer = new StreamFramer(processor.getSIPStack().getMaxMessageSize(), new StreamFramer.Sink() {
                @Override
                public void message(byte[] headers, byte[] body) {
                    dispatch(headers, body);
                }

                @Override
                public void keepAlive() throws IOException {
                    try {
                        sendSingleCLRF();
                    } catch (IOException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IOException(e);
                    }
                }

                @Override
                public void framingFault(byte[] headers, String fault) {
                    String answer = Rejections.badRequest(new String(headers, StandardCharsets.UTF_8), fault);
                    Rejections.send("400 Bad Request (" + fault + "), connection closed,",
                            answer == null ? null : answer.getBytes(StandardCharsets.UTF_8), flow, bytes -> sendMessage(bytes, false));
                    closeSoon();
                }
            });
        }

        /** Our framer instead of JAIN-SIP's ({@link StreamFramer}). */
        @Override
        protected void addBytes(byte[] bytes) throws Exception {
            guard.heard(this, System.nanoTime());
            framer.add(bytes);
        }

        @Override
        public InetAddress source() {
            return flow == null ? null : flow.remote().getAddress();
        }

        @Override
        public void closeIdle() {
            close();
        }

        /**
         * Parses and processes one message on the stack's pool, always on the same thread for this connection, so a
         * connection's messages are handled in the order they came.
         */
        private void dispatch(byte[] headers, byte[] body) {
            sipStack.getSelfRoutingThreadpoolExecutor().execute(new gov.nist.javax.sip.ThreadAffinityTask() {
                @Override
                public void run() {
                    try {
                        gov.nist.javax.sip.message.SIPMessage message = parser.parseSIPMessage(headers, false, false, null);
                        if (message == null) return;
                        if (body.length > 0) message.setMessageContent(body);
                        processMessage(message);
                    } catch (java.text.ParseException response) {
                        LOG.debug("dropped a response from {} that does not parse: {}", flow, response.getMessage());
                    } catch (Exception e) {
                        LOG.warn("could not process a message from {}: {}", flow, e.toString());
                    }
                }

                @Override
                public Object getThreadHash() {
                    return flow;
                }
            });
        }

        /** Closes the connection once what was just queued for it has had time to be written (NIO writes later). */
        private void closeSoon() {
            sipStack.getSelfRoutingThreadpoolExecutor().schedule(() -> close(), 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @Override
        protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
            super.close(removeSocket, stopKeepAliveTask);
            guard.release(this);
            reportClosed(flow, closedReported);
        }

        @Override
        public void processMessage(gov.nist.javax.sip.message.SIPMessage message) throws Exception {
            if (!Rejections.rejected(message, bytes -> sendMessage(bytes, false), this::closeSoon, flow)) {
                super.processMessage(message);
            }
        }

        @Override
        public void sendSingleCLRF() throws Exception {
            report("tcp", socket);
            super.sendSingleCLRF();
        }
    }

    private final class WsProcessor extends NioWebSocketMessageProcessor {
        WsProcessor(InetAddress address, SIPTransactionStack stack, int port) {
            super(address, stack, port);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client) throws IOException {
            NioTcpMessageChannel channel = nioHandler.getMessageChannel(client);
            if (channel == null) {
                WsChannel fresh = new WsChannel(sipStack, processor, client);
                nioHandler.putMessageChannel(client, fresh);
                admit(fresh, client);
                channel = fresh;
            }
            return channel;
        }
    }

    private final class WsChannel extends NioWebSocketMessageChannel implements ConnectionGuard.Connection {
        private final SocketChannel socket;
        private final Flow flow;
        private final java.util.concurrent.atomic.AtomicBoolean closedReported = new java.util.concurrent.atomic.AtomicBoolean();
        /** The opening handshake read so far; null once it is complete and judged. */
        private java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
        /** The handshake was refused: nothing more is read (JAIN-SIP, still expecting a handshake, would upgrade). */
        private volatile boolean refused;

        WsChannel(SIPTransactionStack stack, NioTcpMessageProcessor processor, SocketChannel socket) throws IOException {
            super(stack, processor, socket);
            this.socket = socket;
            this.flow = flowOf("ws", socket);
        }

        @Override
        public InetAddress source() {
            return flow == null ? null : flow.remote().getAddress();
        }

        @Override
        public void closeIdle() {
            close();
        }

        /**
         * Reads the whole opening handshake before JAIN-SIP sees any of it (JAIN-SIP answered the first chunk that ended
         * in a line break, whatever it held, and echoed its Origin), refuses it with 403 when its Origin is not allowed
         * ({@link OriginPolicy}) and with 431 past {@link #MAX_HANDSHAKE}, and otherwise hands it to JAIN-SIP in one
         * piece, followed by whatever came after it.
         */
        @Override
        protected void addBytes(byte[] bytes) throws Exception {
            if (refused) {
                return;
            }
            guard.heard(this, System.nanoTime());
            java.io.ByteArrayOutputStream reading = head;
            if (reading == null) {
                super.addBytes(bytes);
                return;
            }
            reading.write(bytes);
            byte[] all = reading.toByteArray();
            int end = indexOf(all, END_OF_HEAD);
            if (end < 0 ? all.length > MAX_HANDSHAKE : end + END_OF_HEAD.length > MAX_HANDSHAKE) {
                head = null;
                refuse(431, "Request Header Fields Too Large", "the WebSocket handshake is longer than " + MAX_HANDSHAKE + " bytes",
                        "rejected.ws-handshake");
                return;
            }
            if (end < 0) {
                return;
            }
            head = null;
            int length = end + END_OF_HEAD.length;
            String request = new String(all, 0, length, StandardCharsets.ISO_8859_1);
            String fault = originFault(request);
            if (fault != null) {
                refuse(403, "Forbidden", fault, "rejected.ws-origin");
                return;
            }
            super.addBytes(java.util.Arrays.copyOf(all, length));
            if (all.length > length) {
                super.addBytes(java.util.Arrays.copyOfRange(all, length, all.length));
            }
        }

        /** Why the handshake's Origin is refused, or null when it may be upgraded. */
        private String originFault(String request) {
            String origin = null;
            for (String line : request.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Origin")) {
                    if (origin != null) {
                        return "more than one Origin header";
                    }
                    origin = line.substring(colon + 1).trim();
                }
            }
            OriginPolicy policy = guard.limits().origins();
            return policy.allows(origin) ? null : "Origin " + origin + " is not allowed (ws.allowed.origins: " + policy + ")";
        }

        /** Answers the handshake with an HTTP error naming the fault, and closes the connection once it is written. */
        private void refuse(int code, String reason, String fault, String counter) {
            refused = true;
            LOG.debug("WebSocket handshake from {} refused {}: {}", flow, code, fault);
            guard.count(counter);
            byte[] body = (fault + "\r\n").getBytes(StandardCharsets.UTF_8);
            String response = "HTTP/1.1 " + code + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                    + body.length + "\r\nConnection: close\r\n\r\n";
            try {
                byte[] status = response.getBytes(StandardCharsets.US_ASCII);
                byte[] all = java.util.Arrays.copyOf(status, status.length + body.length);
                System.arraycopy(body, 0, all, status.length, body.length);
                sendNonWebSocketMessage(all, false);
            } catch (IOException e) {
                LOG.debug("could not answer the refused handshake from {}: {}", flow, e.toString());
            }
            // NIO writes later, on the selector thread: close once that has had time to happen
            sipStack.getSelfRoutingThreadpoolExecutor().schedule(() -> close(), 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @Override
        protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
            super.close(removeSocket, stopKeepAliveTask);
            guard.release(this);
            reportClosed(flow, closedReported);
        }

        @Override
        public void processMessage(gov.nist.javax.sip.message.SIPMessage message) throws Exception {
            if (!Rejections.rejected(message, bytes -> sendMessage(bytes, false), this::close, flow)) {
                super.processMessage(message);
            }
        }

        @Override
        public void sendSingleCLRF() throws Exception {
            report("ws", socket);
            super.sendSingleCLRF();
        }
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
