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
    private final Consumer<Flow> keepAlive;
    private final Consumer<Flow> closed;

    KeepAliveProcessorFactory(Consumer<Flow> keepAlive, Consumer<Flow> closed) {
        this.keepAlive = keepAlive;
        this.closed = closed;
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
            return new UdpIntake.Processor(address, stack, port);
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
                channel = new TcpChannel(processor, client);
                nioHandler.putMessageChannel(client, channel);
            }
            return channel;
        }
    }

    private final class TcpChannel extends NioTcpMessageChannel {
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
            framer.add(bytes);
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
                channel = new WsChannel(sipStack, processor, client);
                nioHandler.putMessageChannel(client, channel);
            }
            return channel;
        }
    }

    private final class WsChannel extends NioWebSocketMessageChannel {
        private final SocketChannel socket;
        private final Flow flow;
        private final java.util.concurrent.atomic.AtomicBoolean closedReported = new java.util.concurrent.atomic.AtomicBoolean();

        WsChannel(SIPTransactionStack stack, NioTcpMessageProcessor processor, SocketChannel socket) throws IOException {
            super(stack, processor, socket);
            this.socket = socket;
            this.flow = flowOf("ws", socket);
        }

        @Override
        protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
            super.close(removeSocket, stopKeepAliveTask);
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
}
