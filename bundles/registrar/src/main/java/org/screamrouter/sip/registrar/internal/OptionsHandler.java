package org.screamrouter.sip.registrar.internal;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.util.Optional;
import java.util.SortedSet;
import javax.sip.header.AcceptHeader;
import javax.sip.header.AllowHeader;
import javax.sip.header.SupportedHeader;
import javax.sip.message.Response;
import org.screamrouter.sip.registrar.AddressOfRecord;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.RequestFields;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipStackStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** OPTIONS to the server (RFC 3261 11.2): our capabilities, and a device's sign of life on the flow of its binding. */
final class OptionsHandler {
    private static final Logger LOG = LoggerFactory.getLogger(OptionsHandler.class);

    private final SipMessages messages;
    private final SipStackStatus stack;
    private final DeviceBook book;
    private final Clock clock;
    /**
     * The Allow header of the served methods last seen: the stack makes a new set only when its handlers change. It
     * and the Accept and Supported headers are made once and put in every answer: a header put in a message is only
     * read (encoded), never changed, as the stack's Server header is shared by every response. {@code lines} are the
     * three as the header lines of an answer made without a message ({@link #okHeaders}).
     */
    private volatile Allowed allowed = new Allowed(null, null, null);
    private final AcceptHeader accept;
    private final SupportedHeader supported;

    private record Allowed(SortedSet<String> methods, AllowHeader header, byte[] lines) { }

    OptionsHandler(SipMessages messages, SipStackStatus stack, DeviceBook book, Clock clock) {
        this.messages = messages;
        this.stack = stack;
        this.book = book;
        this.clock = clock;
        try {
            this.accept = messages.headers().createAcceptHeader("application", "sdp");
            this.supported = messages.headers().createSupportedHeader(String.join(", ", RegisterHandler.SUPPORTED));
        } catch (ParseException e) {
            throw new IllegalStateException("the OPTIONS answer's own headers: " + e.getMessage(), e);
        }
    }

    /**
     * OPTIONS to the server (RFC 3261 11.2), also a device's keep-alive, but only on the flow of the device's
     * binding: the device it names, else the one registered on that flow. Anyone may ask for our capabilities;
     * an OPTIONS from another socket that names a device is answered and keeps nobody online.
     */
    void options(SipExchange exchange) throws ParseException {
        signOfLife(RegisterHandler.identify(exchange.request()), exchange.flow());
        Allowed now = allowed();
        Response response = exchange.createResponse(Response.OK);
        response.setHeader(now.header());
        response.setHeader(accept);
        response.setHeader(supported);
        exchange.respond(response);
    }

    /**
     * The same for an OPTIONS the stack read without a parse ({@link org.screamrouter.sip.stack.SipRequestHandler#okHeaders}):
     * such a request has neither an X-UUID header nor a body, so the device it names is its From URI's user part, as
     * {@link RegisterHandler#identify} reads it. The 200's Allow, Accept and Supported lines.
     */
    byte[] okHeaders(RequestFields request) throws ParseException {
        String user = request.fromUser();
        signOfLife(user == null || user.isBlank() ? Optional.empty() : Optional.of(AddressOfRecord.unescape(user)), request.flow());
        return allowed().lines();
    }

    private void signOfLife(Optional<String> named, Flow flow) {
        Optional<String> alive = named.isPresent() && book.knows(named.get())
                ? named.filter(uuid -> book.isFlowOf(uuid, flow)) : book.uuidOfFlow(flow);
        alive.ifPresent(uuid -> book.seen(uuid, clock.instant()));
        if (named.isPresent() && alive.isEmpty() && book.knows(named.get())) {
            LOG.debug("OPTIONS naming device {} from {}, not its flow: no sign of life", RegisterHandler.printable(named.get()), flow);
        }
    }

    private Allowed allowed() throws ParseException {
        SortedSet<String> methods = stack.servedMethods();
        Allowed last = allowed;
        if (last.methods() != methods) {
            AllowHeader header = messages.headers().createAllowHeader(String.join(", ", methods));
            byte[] lines = (header.toString() + accept.toString() + supported.toString()).getBytes(StandardCharsets.US_ASCII);
            last = new Allowed(methods, header, lines);
            allowed = last;
        }
        return last;
    }
}
