package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.screamrouter.sip.stack.Flow;

/**
 * The reading side of one TCP or TLS connection, in place of JAIN-SIP's: the plain bytes are framed by
 * {@link StreamFramer}, each message is parsed by {@link StrictMessageParser} and processed on the stack's pool, always
 * on the same thread for this connection (so its messages are handled in the order they came), a double CRLF is
 * answered, and a framing fault or a message {@link Rejections} refuses is answered before the connection closes.
 */
final class StreamIntake {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StreamIntake.class);

    /** The JAIN-SIP channel this reads for. */
    interface Channel {
        /** Writes bytes to the peer (encrypted on TLS). */
        void write(byte[] bytes) throws IOException;

        /** Answers a CRLF keep-alive (the channel reports it too). */
        void answerKeepAlive() throws Exception;

        /** Hands a parsed message to JAIN-SIP. */
        void process(SIPMessage message) throws Exception;

        void close();
    }

    private final SIPTransactionStack stack;
    private final Flow flow;
    private final Channel channel;
    private final StrictMessageParser parser = new StrictMessageParser();
    private final StreamFramer framer;

    StreamIntake(SIPTransactionStack stack, Flow flow, Channel channel) {
        this.stack = stack;
        this.flow = flow;
        this.channel = channel;
        this.framer = new StreamFramer(stack.getMaxMessageSize(), new StreamFramer.Sink() {
            @Override
            public void message(byte[] headers, byte[] body) {
                dispatch(headers, body);
            }

            @Override
            public void keepAlive() throws IOException {
                try {
                    channel.answerKeepAlive();
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
                        answer == null ? null : answer.getBytes(StandardCharsets.UTF_8), flow, channel::write);
                closeSoon();
            }
        });
    }

    /** Plain bytes read from the connection. */
    void add(byte[] bytes) throws IOException {
        framer.add(bytes);
    }

    /** Whether {@link Rejections} answered the message (then the channel does not process it). */
    boolean rejected(SIPMessage message) {
        return Rejections.rejected(message, channel::write, this::closeSoon, flow);
    }

    private void dispatch(byte[] headers, byte[] body) {
        stack.getSelfRoutingThreadpoolExecutor().execute(new gov.nist.javax.sip.ThreadAffinityTask() {
            @Override
            public void run() {
                try {
                    SIPMessage message = parser.parseSIPMessage(headers, false, false, null);
                    if (message == null) return;
                    if (body.length > 0) message.setMessageContent(body);
                    channel.process(message);
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
    void closeSoon() {
        stack.getSelfRoutingThreadpoolExecutor().schedule(channel::close, 200, TimeUnit.MILLISECONDS);
    }
}
