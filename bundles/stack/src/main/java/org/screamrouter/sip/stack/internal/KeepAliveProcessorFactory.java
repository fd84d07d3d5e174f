package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.ListeningPointExt;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.NioTlsMessageChannel;
import gov.nist.javax.sip.stack.NioTlsMessageProcessor;
import gov.nist.javax.sip.stack.NioTlsWebSocketMessageChannel;
import gov.nist.javax.sip.stack.NioTlsWebSocketMessageProcessor;
import gov.nist.javax.sip.stack.NioWebSocketMessageChannel;
import gov.nist.javax.sip.stack.NioWebSocketMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.sip.ListeningPoint;
import org.screamrouter.sip.stack.Flow;

/**
 * JAIN-SIP's NIO transports, with TCP, TLS, WebSocket and secure WebSocket channels that report the RFC 5626 CRLF
 * keep-alive: JAIN-SIP answers a double CRLF itself ({@code sendSingleCLRF}) and tells nobody, but a registrar counts it
 * as a sign of life of the device on that flow. The channels also report when their connection closes, once, are
 * admitted and timed by {@link ConnectionGuard}, and answer what the parser rejected ({@link Rejections}). TCP and TLS
 * read through {@link StreamIntake}, WebSocket and secure WebSocket handshakes through {@link WebSocketGate}; the TLS
 * channels decrypt with JAIN-SIP's SSL state machine first. UDP datagrams go through {@link UdpIntake}, so the parser
 * knows where the datagram it parses came from.
 */
final class KeepAliveProcessorFactory extends NioMessageProcessorFactory {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KeepAliveProcessorFactory.class);
    private final Consumer<Flow> keepAlive;
    private final Consumer<Flow> closed;
    private final ConnectionGuard guard;

    private final SourceRates rates;
    private final UdpHandOver handOver;
    private final PlainAnswers plain;

    KeepAliveProcessorFactory(Consumer<Flow> keepAlive, Consumer<Flow> closed, ConnectionGuard guard, SourceRates rates,
            UdpHandOver handOver, PlainAnswers plain) {
        this.rates = rates;
        this.plain = plain;
        this.handOver = handOver;
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

    private void reportClosed(Flow flow, AtomicBoolean reported) {
        if (flow != null && reported.compareAndSet(false, true)) {
            closed.accept(flow);
        }
    }

    private void reportKeepAlive(Flow flow) {
        if (flow != null) {
            keepAlive.accept(flow);
        }
    }

    /**
     * A TLS peer that JAIN-SIP's SSL engine refused (an old protocol version, no common cipher suite, an untrusted
     * client certificate): counted, and logged at DEBUG; JAIN-SIP closes the connection.
     */
    private void refusedHandshake(Flow flow, javax.net.ssl.SSLException e) {
        guard.count("rejected.tls-handshake");
        LOG.debug("TLS with {} refused: {}", flow, e.toString());
    }

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port, String transport)
            throws IOException {
        if (transport.equalsIgnoreCase(ListeningPoint.TCP)) {
            return new TcpProcessor(address, stack, port);
        }
        if (transport.equalsIgnoreCase(ListeningPoint.TLS)) {
            return new TlsProcessor(address, stack, port);
        }
        if (transport.equalsIgnoreCase(ListeningPointExt.WS)) {
            return new WsProcessor(address, stack, port);
        }
        if (transport.equalsIgnoreCase(ListeningPointExt.WSS)) {
            return new WssProcessor(address, stack, port);
        }
        if (transport.equalsIgnoreCase(ListeningPoint.UDP) && UdpIntake.useListeningSockets(stack)) {
            return new UdpIntake.Processor(address, stack, port, rates, handOver, plain);
        }
        return super.createMessageProcessor(stack, address, port, transport);
    }

    /** Registers a new channel for an accepted socket with the processor's handler, then admits it. */
    private <C extends NioTcpMessageChannel & ConnectionGuard.Connection> NioTcpMessageChannel accepted(
            gov.nist.javax.sip.stack.NIOHandler handler, SocketChannel client, ChannelMaker<C> make) throws IOException {
        NioTcpMessageChannel channel = handler.getMessageChannel(client);
        if (channel == null) {
            C fresh = make.make();
            handler.putMessageChannel(client, fresh);
            admit(fresh, client);
            channel = fresh;
        }
        return channel;
    }

    private interface ChannelMaker<C> {
        C make() throws IOException;
    }

    private final class TcpProcessor extends NioTcpMessageProcessor {
        TcpProcessor(InetAddress address, SIPTransactionStack stack, int port) {
            super(address, stack, port);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client) throws IOException {
            return accepted(nioHandler, client, () -> new TcpChannel(processor, client));
        }
    }

    private final class TlsProcessor extends NioTlsMessageProcessor {
        TlsProcessor(InetAddress address, SIPTransactionStack stack, int port) {
            super(address, stack, port);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client) throws IOException {
            return accepted(nioHandler, client, () -> new TlsChannel(processor, client));
        }

        /** A hop is always an IP literal here ({@link FlowRouter}): no name is looked up. */
        @Override
        public gov.nist.javax.sip.stack.MessageChannel createMessageChannel(gov.nist.core.HostPort target) throws IOException {
            return createMessageChannel(target.getInetAddress(), target.getPort());
        }

        /**
         * The channel to a peer: the connection it opened to us, when there is one (JAIN-SIP caches an accepted channel
         * under its peer once a message came in on it), else a new connection of ours ({@link TlsClientChannel}).
         */
        @Override
        public gov.nist.javax.sip.stack.MessageChannel createMessageChannel(InetAddress host, int port) throws IOException {
            String key = gov.nist.javax.sip.stack.MessageChannel.getKey(host, port, "TLS");
            synchronized (messageChannels) {
                gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel existing = messageChannels.get(key);
                if (existing != null) {
                    return existing;
                }
                TlsClientChannel fresh = new TlsClientChannel(host, port, sipStack, this);
                messageChannels.put(key, fresh);
                selector.wakeup();
                return fresh;
            }
        }
    }

    /**
     * A TLS connection this stack opens. JAIN-SIP's own opens the connection, forgets it (its NIOHandler drops a socket
     * it just connected from its table), opens a second one to write the ClientHello and then replays the already
     * encrypted ClientHello through the new TLS engine as if it were the message: the peer sees garbage and the request
     * is lost. This one writes the TLS records on the connection it opened, which the selector already reads.
     *
     * <p>And JAIN-SIP's {@code SSLStateMachine.unwrap} stops at a buffer underflow even when the engine has something to
     * send: with TLS 1.3 the client's Finished, due right after the server's, was never written and the handshake hung
     * (the queued request with it). After each read this channel wraps what the engine wants to send. The state machine
     * and its engine are package-private fields, reached by reflection (JAIN-SIP is no named module).
     */
    private static final class TlsClientChannel extends NioTlsMessageChannel {
        private static final java.lang.reflect.Field STATE_MACHINE = field(NioTlsMessageChannel.class, "sslStateMachine");
        private static final java.lang.reflect.Field ENGINE = field(gov.nist.javax.sip.stack.SSLStateMachine.class, "sslEngine");

        TlsClientChannel(InetAddress host, int port, SIPTransactionStack stack, NioTcpMessageProcessor processor) throws IOException {
            super(host, port, stack, processor);
            isCached = true;
        }

        private static java.lang.reflect.Field field(Class<?> type, String name) {
            try {
                java.lang.reflect.Field f = type.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("JAIN-SIP changed: no " + type.getSimpleName() + "." + name, e);
            }
        }

        @Override
        protected void addBytes(byte[] bytes) throws Exception {
            super.addBytes(bytes);
            gov.nist.javax.sip.stack.SSLStateMachine machine = (gov.nist.javax.sip.stack.SSLStateMachine) STATE_MACHINE.get(this);
            javax.net.ssl.SSLEngine engine = (javax.net.ssl.SSLEngine) ENGINE.get(machine);
            if (engine.getHandshakeStatus() == javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                // an empty item: the engine writes its handshake message first, then the queued requests follow
                machine.wrap(java.nio.ByteBuffer.allocate(0), prepareEncryptedDataBuffer(), null);
            }
        }

        /** Every TLS record of this channel ends here, handshake and application data alike. */
        @Override
        public void sendTCPMessage(byte[] bytes, InetAddress receiver, int port, boolean retry) throws IOException {
            SocketChannel socket = getSocketChannel();
            if (socket != null && socket.isConnected() && socket.isOpen()) {
                lastActivityTimeStamp = System.currentTimeMillis();
                ((NioTcpMessageProcessor) messageProcessor).send(socket, bytes);
                return;
            }
            super.sendTCPMessage(bytes, receiver, port, retry);
        }
    }

    private final class WsProcessor extends NioWebSocketMessageProcessor {
        WsProcessor(InetAddress address, SIPTransactionStack stack, int port) {
            super(address, stack, port);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client) throws IOException {
            return accepted(nioHandler, client, () -> new WsChannel(sipStack, processor, client));
        }
    }

    private final class WssProcessor extends NioTlsWebSocketMessageProcessor {
        WssProcessor(InetAddress address, SIPTransactionStack stack, int port) {
            super(address, stack, port);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client) throws IOException {
            return accepted(nioHandler, client, () -> new WssChannel(sipStack, processor, client));
        }
    }

    private final class TcpChannel extends NioTcpMessageChannel implements ConnectionGuard.Connection, StreamIntake.Channel {
        private final Flow flow;
        private final AtomicBoolean closedReported = new AtomicBoolean();
        private final StreamIntake intake;

        TcpChannel(NioTcpMessageProcessor processor, SocketChannel socket) throws IOException {
            super(processor, socket);
            this.messageProcessor = processor;
            this.flow = flowOf("tcp", socket);
            this.intake = new StreamIntake(processor.getSIPStack(), flow, this);
        }

        /** Our framer instead of JAIN-SIP's ({@link StreamFramer}). */
        @Override
        protected void addBytes(byte[] bytes) throws Exception {
            guard.heard(this, System.nanoTime());
            intake.add(bytes);
        }

        @Override public InetAddress source() { return flow == null ? null : flow.remote().getAddress(); }

        @Override public void closeIdle() { close(); }

        @Override public void write(byte[] bytes) throws IOException { sendMessage(bytes, false); }

        /**
         * A double CRLF our framer found: reported, then answered. JAIN-SIP's own {@code sendSingleCLRF} is not reported:
         * on this channel only its parser calls it, fed a CRLF by JAIN-SIP when the peer closes the connection.
         */
        @Override
        public void answerKeepAlive() throws Exception {
            reportKeepAlive(flow);
            sendSingleCLRF();
        }

        @Override public void process(SIPMessage message) throws Exception { processMessage(message); }

        @Override
        protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
            super.close(removeSocket, stopKeepAliveTask);
            guard.release(this);
            reportClosed(flow, closedReported);
        }

        @Override
        public void processMessage(SIPMessage message) throws Exception {
            if (!intake.rejected(message)) {
                super.processMessage(message);
            }
        }
    }

    /** The TCP channel's reading over JAIN-SIP's TLS: bytes are decrypted first, then framed by us. */
    private final class TlsChannel extends NioTlsMessageChannel implements ConnectionGuard.Connection, StreamIntake.Channel {
        private final Flow flow;
        private final AtomicBoolean closedReported = new AtomicBoolean();
        private final StreamIntake intake;

        TlsChannel(NioTcpMessageProcessor processor, SocketChannel socket) throws IOException {
            super(processor, socket);
            this.flow = flowOf("tls", socket);
            this.intake = new StreamIntake(processor.getSIPStack(), flow, this);
        }

        /** Encrypted bytes: JAIN-SIP's SSL state machine hands the plain ones to {@link #addPlaintextBytes}. */
        @Override
        protected void addBytes(byte[] bytes) throws Exception {
            guard.heard(this, System.nanoTime());
            try {
                super.addBytes(bytes);
            } catch (javax.net.ssl.SSLException e) {
                refusedHandshake(flow, e);
                throw e;
            }
        }

        /** Our framer instead of JAIN-SIP's ({@link StreamFramer}). */
        @Override
        public void addPlaintextBytes(byte[] bytes) throws Exception {
            intake.add(bytes);
        }

        @Override public InetAddress source() { return flow == null ? null : flow.remote().getAddress(); }

        @Override public void closeIdle() { close(); }

        @Override public void write(byte[] bytes) throws IOException { sendMessage(bytes, false); }

        /**
         * A double CRLF our framer found: reported, then answered. JAIN-SIP's own {@code sendSingleCLRF} is not reported:
         * on this channel only its parser calls it, fed a CRLF by JAIN-SIP when the peer closes the connection.
         */
        @Override
        public void answerKeepAlive() throws Exception {
            reportKeepAlive(flow);
            sendSingleCLRF();
        }

        @Override public void process(SIPMessage message) throws Exception { processMessage(message); }

        @Override
        protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
            super.close(removeSocket, stopKeepAliveTask);
            guard.release(this);
            reportClosed(flow, closedReported);
        }

        @Override
        public void processMessage(SIPMessage message) throws Exception {
            if (!intake.rejected(message)) {
                super.processMessage(message);
            }
        }
    }

    private final class WsChannel extends NioWebSocketMessageChannel implements ConnectionGuard.Connection, WebSocketGate.Channel {
        private final Flow flow;
        private final AtomicBoolean closedReported = new AtomicBoolean();
        private final WebSocketGate gate;

        WsChannel(SIPTransactionStack stack, NioTcpMessageProcessor processor, SocketChannel socket) throws IOException {
            super(stack, processor, socket);
            this.flow = flowOf("ws", socket);
            this.gate = new WebSocketGate(guard, stack, flow, this);
        }

        @Override public InetAddress source() { return flow == null ? null : flow.remote().getAddress(); }

        @Override public void closeIdle() { close(); }

        @Override
        protected void addBytes(byte[] bytes) throws Exception {
            guard.heard(this, System.nanoTime());
            gate.add(bytes);
        }

        @Override public void pass(byte[] bytes) throws Exception { super.addBytes(bytes); }

        @Override public void answer(byte[] http) throws IOException { sendNonWebSocketMessage(http, false); }

        @Override
        protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
            super.close(removeSocket, stopKeepAliveTask);
            guard.release(this);
            reportClosed(flow, closedReported);
        }

        @Override
        public void processMessage(SIPMessage message) throws Exception {
            if (!Rejections.rejected(message, bytes -> sendMessage(bytes, false), this::close, flow)) {
                super.processMessage(message);
            }
        }

        @Override
        public void sendSingleCLRF() throws Exception {
            reportKeepAlive(flow);
            super.sendSingleCLRF();
        }
    }

    /** The WebSocket channel over JAIN-SIP's TLS: bytes are decrypted first, then the handshake is judged. */
    private final class WssChannel extends NioTlsWebSocketMessageChannel implements ConnectionGuard.Connection, WebSocketGate.Channel {
        private final Flow flow;
        private final AtomicBoolean closedReported = new AtomicBoolean();
        private final WebSocketGate gate;

        WssChannel(SIPTransactionStack stack, NioTcpMessageProcessor processor, SocketChannel socket) throws IOException {
            super(stack, processor, socket);
            this.flow = flowOf("wss", socket);
            this.gate = new WebSocketGate(guard, stack, flow, this);
        }

        @Override public InetAddress source() { return flow == null ? null : flow.remote().getAddress(); }

        @Override public void closeIdle() { close(); }

        /** Encrypted bytes: JAIN-SIP's SSL state machine hands the plain ones to {@link #addPlaintextBytes}. */
        @Override
        protected void addBytes(byte[] bytes) throws Exception {
            guard.heard(this, System.nanoTime());
            try {
                super.addBytes(bytes);
            } catch (javax.net.ssl.SSLException e) {
                refusedHandshake(flow, e);
                throw e;
            }
        }

        @Override
        public void addPlaintextBytes(byte[] bytes) throws Exception {
            gate.add(bytes);
        }

        @Override public void pass(byte[] bytes) throws Exception { super.addPlaintextBytes(bytes); }

        @Override public void answer(byte[] http) throws IOException { sendNonWebSocketMessage(http, false); }

        @Override
        protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
            super.close(removeSocket, stopKeepAliveTask);
            guard.release(this);
            reportClosed(flow, closedReported);
        }

        @Override
        public void processMessage(SIPMessage message) throws Exception {
            if (!Rejections.rejected(message, bytes -> sendMessage(bytes, false), this::close, flow)) {
                super.processMessage(message);
            }
        }

        @Override
        public void sendSingleCLRF() throws Exception {
            reportKeepAlive(flow);
            super.sendSingleCLRF();
        }
    }
}
