package org.screamrouter.sip.testsupport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.sip.ServerTransaction;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipHeaders;
import org.screamrouter.sip.stack.SipMessages;

/**
 * The stack's side of an exchange for unit tests: a request parsed from text as it arrived, the responses the handler
 * sent kept in order. Responses are made as the stack makes them: a To tag of its own on everything but 100 (RFC 3261
 * 8.2.6.2) unless the request had one.
 */
public final class FakeExchange implements SipExchange {
    /** {@link TestMessages#MESSAGES}, here too because the tests that make exchanges make messages as well. */
    public static final SipMessages MESSAGES = TestMessages.MESSAGES;
    /** The source port of an exchange made without one. */
    public static final int SOURCE_PORT = 5070;

    public final Request request;
    public final List<Response> responses = Collections.synchronizedList(new ArrayList<>());
    private final Flow flow;

    /** A request from 127.0.0.1:{@value #SOURCE_PORT} over the transport its Via names. */
    public FakeExchange(String raw) {
        this(raw, InetAddress.getLoopbackAddress());
    }

    /** A request from {@code source}:{@value #SOURCE_PORT} over the transport its Via names. */
    public FakeExchange(String raw, InetAddress source) {
        this.request = parse(raw);
        this.flow = new Flow(viaTransport(request), new InetSocketAddress(source, SOURCE_PORT));
    }

    /** A request from this IP literal and port over the transport its Via names. */
    public FakeExchange(String raw, String sourceIp, int sourcePort) {
        this.request = parse(raw);
        this.flow = new Flow(viaTransport(request), new InetSocketAddress(literal(sourceIp), sourcePort));
    }

    /** A request from this IP literal and port over {@code transport}, whatever its Via says. */
    public FakeExchange(String raw, String transport, String sourceIp, int sourcePort) {
        this.request = parse(raw);
        this.flow = new Flow(transport, new InetSocketAddress(literal(sourceIp), sourcePort));
    }

    private static Request parse(String raw) {
        try {
            return TestMessages.MESSAGES.messages().createRequest(raw.replace("\r\n", "\n").replace("\n", "\r\n"));
        } catch (ParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String viaTransport(Request request) {
        return ((ViaHeader) request.getHeader(ViaHeader.NAME)).getTransport().toLowerCase(Locale.ROOT);
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The last response sent. */
    public Response last() {
        synchronized (responses) {
            return responses.get(responses.size() - 1);
        }
    }

    /** The status codes sent, in order. */
    public List<Integer> statuses() {
        synchronized (responses) {
            return responses.stream().map(Response::getStatusCode).toList();
        }
    }

    @Override public Request request() { return request; }
    @Override public Flow flow() { return flow; }

    @Override
    public Response createResponse(int status) {
        try {
            Response r = TestMessages.MESSAGES.messages().createResponse(status, request);
            ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
            if (status > 100 && to.getTag() == null) to.setTag(SipHeaders.newTag());
            return r;
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Response createResponse(int status, String reason) {
        Response r = createResponse(status);
        if (reason != null) {
            try {
                r.setReasonPhrase(reason);
            } catch (ParseException e) {
                throw new IllegalStateException(e);
            }
        }
        return r;
    }

    @Override public void respond(Response response) { responses.add(response); }
    @Override public boolean answered() { return !responses.isEmpty(); }
    @Override public ServerTransaction serverTransaction() { throw new UnsupportedOperationException(); }
}
