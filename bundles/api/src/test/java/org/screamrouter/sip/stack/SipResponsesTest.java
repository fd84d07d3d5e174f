package org.screamrouter.sip.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;

/** The API bundle cannot use the shared test-support module (it is built on this bundle): its own small exchange. */
class SipResponsesTest {
    private final MessageFactory messages;
    private final HeaderFactory headers;
    private final Request request;
    private final List<Response> sent = new ArrayList<>();
    private final SipExchange exchange;

    SipResponsesTest() throws Exception {
        messages = SipFactory.getInstance().createMessageFactory();
        headers = SipFactory.getInstance().createHeaderFactory();
        request = messages.createRequest("SUBSCRIBE sip:dev1@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\nMax-Forwards: 70\r\n"
                + "From: <sip:w@127.0.0.1>;tag=w1\r\nTo: <sip:dev1@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 SUBSCRIBE\r\n"
                + "Event: presence\r\nContent-Length: 0\r\n\r\n");
        exchange = new SipExchange() {
            @Override public Request request() { return request; }
            @Override public Flow flow() { return new Flow("udp", new InetSocketAddress("127.0.0.1", 5070)); }
            @Override public Response createResponse(int status) { return createResponse(status, null); }
            @Override public Response createResponse(int status, String reason) {
                try {
                    Response r = messages.createResponse(status, request);
                    if (reason != null) r.setReasonPhrase(reason);
                    return r;
                } catch (java.text.ParseException e) {
                    throw new IllegalStateException(e);
                }
            }
            @Override public void respond(Response response) { sent.add(response); }
            @Override public boolean answered() { return !sent.isEmpty(); }
            @Override public ServerTransaction serverTransaction() { throw new UnsupportedOperationException(); }
        };
    }

    private static String header(Response r, String name) {
        String s = r.getHeader(name).toString().trim();
        return s.substring(s.indexOf(':') + 1).trim();
    }

    @Test
    void unsupportedMediaTypeNamesWhatIsAccepted() {
        Response r = SipResponses.unsupportedMediaType(exchange, headers, "Only application/sdp bodies are read", "application", "sdp");
        assertThat(r.getStatusCode()).isEqualTo(415);
        assertThat(r.getReasonPhrase()).isEqualTo("Only application/sdp bodies are read");
        assertThat(header(r, "Accept")).isEqualTo("application/sdp");
        assertThat(sent).as("made, not sent: the caller sends it").isEmpty();
    }

    @Test
    void notAcceptableNamesTheTypeTheAnswerWouldHave() {
        Response r = SipResponses.notAcceptable(exchange, headers, "Not Acceptable: presence is sent as application/pidf+xml",
                "application", "pidf+xml");
        assertThat(r.getStatusCode()).isEqualTo(406);
        assertThat(r.getReasonPhrase()).isEqualTo("Not Acceptable: presence is sent as application/pidf+xml");
        assertThat(header(r, "Accept")).isEqualTo("application/pidf+xml");
    }

    @Test
    void intervalTooBriefCarriesMinExpires() {
        Response r = SipResponses.intervalTooBrief(exchange, headers, 60);
        assertThat(r.getStatusCode()).isEqualTo(423);
        assertThat(r.getReasonPhrase()).isEqualTo("Interval Too Brief");
        assertThat(header(r, "Min-Expires")).isEqualTo("60");
    }

    @Test
    void serviceUnavailableCarriesRetryAfter() {
        Response r = SipResponses.serviceUnavailable(exchange, headers, "Service Unavailable (2 calls in progress)", 5);
        assertThat(r.getStatusCode()).isEqualTo(503);
        assertThat(r.getReasonPhrase()).isEqualTo("Service Unavailable (2 calls in progress)");
        assertThat(header(r, "Retry-After")).isEqualTo("5");
    }

    @Test
    void notAcceptableHereCarriesTheWarningCodeAndText() {
        Response r = SipResponses.notAcceptableHere(exchange, headers, 305, "no common codec");
        assertThat(r.getStatusCode()).isEqualTo(488);
        assertThat(header(r, "Warning")).isEqualTo("305 screamrouter \"no common codec\"");
    }

    @Test
    void aWarningTextLosesQuotesBackslashesAndLineBreaks() {
        Response r = SipResponses.notAcceptableHere(exchange, headers, 399, "a \"quoted\"\r\nline\\");
        assertThat(header(r, "Warning")).isEqualTo("399 screamrouter \"a  quoted   line \"");
    }

    @Test
    void retryAfterGoesOnAnyResponse() {
        Response r = exchange.createResponse(Response.SERVER_INTERNAL_ERROR);
        SipResponses.retryAfter(r, headers, 1);
        assertThat(header(r, "Retry-After")).isEqualTo("1");
    }

    @Test
    void sanitizeKeepsPrintableTextAndCutsAt200Characters() {
        assertThat(SipResponses.sanitize("media ended: CONNECTIVITY_TIMEOUT")).isEqualTo("media ended: CONNECTIVITY_TIMEOUT");
        assertThat(SipResponses.sanitize("x".repeat(500))).hasSize(200);
        assertThat(SipResponses.sanitize("tab\there")).isEqualTo("tab here");
    }
}
