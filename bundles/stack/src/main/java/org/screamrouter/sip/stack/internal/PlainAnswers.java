package org.screamrouter.sip.stack.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import javax.sip.message.Request;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.HandlerClosedException;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a plain OPTIONS ({@link PlainOptions}) on the UDP thread that received it, before JAIN-SIP parses it, when
 * the OPTIONS handler answers from the request's fields ({@link SipRequestHandler#okHeaders}). Everything the usual
 * path ({@link RequestDispatcher}) would do first must come out the same here, or the datagram goes that way: the
 * source within its rate ({@link SourceRates#tryAdmit}: a throttled or dropped request is the usual path's), a
 * handler present and not away (held requests are the usual path's), a handler that takes the request (one that is
 * closing, fails or gives null leaves it to the usual path, which holds it or answers its fault). Nothing is kept for
 * a retransmission: an OPTIONS is answered again, with the same To tag ({@link ResponseTags}), on either path.
 */
final class PlainAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(PlainAnswers.class);

    private final HandlerRegistry handlers;
    private final HeldRequests held;
    private final SourceRates rates;
    private final Counters counters;
    private final MessageSupport messages;
    /** One WARN line every 10 s at most for requests the plain path failed on, with how many there were. */
    private final OccasionalWarning failures = new OccasionalWarning(LOG, java.time.Duration.ofSeconds(10),
            "a plain OPTIONS from {}:{} left to the usual path: {} ({} such since the last line)");

    PlainAnswers(HandlerRegistry handlers, HeldRequests held, SourceRates rates, Counters counters, MessageSupport messages) {
        this.handlers = handlers;
        this.held = held;
        this.rates = rates;
        this.counters = counters;
        this.messages = messages;
    }

    /**
     * Whether the datagram was a plain OPTIONS and is answered; false leaves it to JAIN-SIP and the usual path, also
     * when something here failed (the receiving thread must never end for it).
     */
    boolean answered(DatagramPacket packet, DatagramSocket socket) {
        try {
            return answer(packet, socket);
        } catch (RuntimeException | LinkageError e) {
            counters.increment("errors.plain");
            failures.log(packet.getAddress().getHostAddress(), packet.getPort(), e.toString());
            return false;
        }
    }

    private boolean answer(DatagramPacket packet, DatagramSocket socket) {
        if (!PlainOptions.starts(packet.getData(), packet.getOffset(), packet.getLength())
                || !(packet.getAddress() instanceof Inet4Address)) {
            return false;
        }
        Flow flow = new Flow("udp", new InetSocketAddress(packet.getAddress(), packet.getPort()));
        PlainOptions.Fields fields = PlainOptions.read(packet.getData(), packet.getOffset(), packet.getLength(), flow);
        if (fields == null) return false;
        LazyService<SipRequestHandler> handle = handlers.handlerFor(Request.OPTIONS);
        if (handle == null || held.away(Request.OPTIONS) || !rates.tryAdmit(packet.getAddress(), System.nanoTime())) {
            return false;
        }
        byte[] lines;
        handle.enter();
        try {
            SipRequestHandler handler = handlers.handlerFor(Request.OPTIONS) == handle ? handle.get() : null;
            lines = handler == null ? null : handler.okHeaders(fields);
        } catch (HandlerClosedException closing) {
            return false; // its component is deactivating: the usual path holds the request for the successor
        } catch (Exception | LinkageError e) {
            LOG.debug("OPTIONS from {} left to the usual path: its handler failed on the plain request ({})", flow, e.toString());
            return false;
        } finally {
            handle.leave();
        }
        if (lines == null) return false;
        counters.request(Request.OPTIONS);
        counters.increment("plain");
        String tag = messages.tagFor(fields.callId, fields.fromTag, fields.cseqNumber, Request.OPTIONS, fields.branch,
                fields.viaHost, fields.viaPort);
        byte[] answer = PlainOptions.ok(fields, tag, lines, messages.serverLine());
        counters.response(200); // before it goes out, so that whoever has the answer sees it counted
        try {
            socket.send(new DatagramPacket(answer, answer.length, packet.getAddress(), packet.getPort()));
        } catch (IOException e) {
            counters.increment("errors.send");
            LOG.debug("could not send 200 to OPTIONS to {} (counted as errors.send): {}", flow, e.toString());
        }
        return true;
    }
}
