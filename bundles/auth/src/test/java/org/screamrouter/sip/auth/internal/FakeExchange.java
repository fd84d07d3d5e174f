package org.screamrouter.sip.auth.internal;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import javax.sip.ServerTransaction;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;

/** The stack's side of an exchange for unit tests: real JAIN-SIP messages, responses collected in a list. */
final class FakeExchange implements SipExchange {
    static final SipMessages MESSAGES = new SipMessages() {
        private final MessageFactory m = new MessageFactoryImpl();
        private final HeaderFactory h = new HeaderFactoryImpl();
        private final AddressFactory a = new AddressFactoryImpl();
        @Override public MessageFactory messages() { return m; }
        @Override public HeaderFactory headers() { return h; }
        @Override public AddressFactory addresses() { return a; }
    };

    final Request request;
    final List<Response> responses = new ArrayList<>();
    private final Flow flow;

    FakeExchange(String rawRequest, String sourceIp, int sourcePort) throws Exception {
        this(rawRequest, "udp", sourceIp, sourcePort);
    }

    FakeExchange(String rawRequest, String transport, String sourceIp, int sourcePort) throws Exception {
        this.request = MESSAGES.messages().createRequest(rawRequest.replace("\n", "\r\n"));
        this.flow = new Flow(transport, new InetSocketAddress(java.net.InetAddress.getByName(sourceIp), sourcePort));
    }

    Response last() {
        return responses.get(responses.size() - 1);
    }

    @Override public Request request() { return request; }
    @Override public Flow flow() { return flow; }

    @Override public Response createResponse(int status) {
        try {
            return MESSAGES.messages().createResponse(status, request);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override public Response createResponse(int status, String reason) {
        Response r = createResponse(status);
        try {
            r.setReasonPhrase(reason);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
        return r;
    }

    @Override public void respond(Response response) { responses.add(response); }
    @Override public boolean answered() { return !responses.isEmpty(); }
    @Override public ServerTransaction serverTransaction() { throw new UnsupportedOperationException(); }
}
