package org.screamrouter.sip.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import javax.sip.header.AllowEventsHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.testsupport.FakeExchange;

class ResponsesTest {
    private final Responses responses = new Responses(FakeExchange.MESSAGES);

    private static FakeExchange exchange() throws Exception {
        return new FakeExchange("PUBLISH sip:dev1@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx\n"
                + "Max-Forwards: 70\nFrom: <sip:dev1@127.0.0.1>;tag=a\nTo: <sip:dev1@127.0.0.1>\nCall-ID: x\nCSeq: 1 PUBLISH\n"
                + "Content-Length: 0\n\n");
    }

    @Test
    void badEventListsEveryPackageInItsOwnAllowEvents() throws Exception {
        FakeExchange x = exchange();
        responses.badEvent(x, "presence, reg");
        Response r = x.last();
        assertThat(r.getStatusCode()).isEqualTo(489);
        assertThat(r.getReasonPhrase()).isEqualTo("Bad Event");
        List<String> events = new ArrayList<>();
        for (var it = r.getHeaders(AllowEventsHeader.NAME); it.hasNext(); ) events.add(((AllowEventsHeader) it.next()).getEventType());
        assertThat(events).containsExactly("presence", "reg");
    }

    @Test
    void aRequestWithoutEventIsAnswered400() throws Exception {
        FakeExchange x = exchange();
        assertThat(responses.eventHeader(x)).isNull();
        assertThat(x.last().getStatusCode()).isEqualTo(400);
        assertThat(x.last().getReasonPhrase()).isEqualTo("Missing Event header");
    }

    @Test
    void intervalTooBriefNamesTheMinimum() throws Exception {
        FakeExchange x = exchange();
        responses.intervalTooBrief(x, 60);
        assertThat(x.last().getStatusCode()).isEqualTo(423);
        assertThat(x.last().getReasonPhrase()).isEqualTo("Interval Too Brief");
        assertThat(((MinExpiresHeader) x.last().getHeader(MinExpiresHeader.NAME)).getExpires()).isEqualTo(60);
    }
}
