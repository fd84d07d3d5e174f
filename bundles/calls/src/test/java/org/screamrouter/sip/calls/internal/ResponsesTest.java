package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.screamrouter.sip.testsupport.TestMessages.header;

import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.testsupport.FakeExchange;
import org.screamrouter.sip.testsupport.TestMessages;

class ResponsesTest {
    private final Responses responses = new Responses(TestMessages.MESSAGES);
    private final FakeExchange invite = new FakeExchange(Harness.invite("c1", "z9hG4bK1", Harness.RTP_OFFER));

    @Test
    void notAcceptableHereCarriesTheWarningCodeAndText() {
        responses.notAcceptableHere(invite, 305, "no common codec");
        Response r = invite.last();
        assertThat(r.getStatusCode()).isEqualTo(488);
        assertThat(header(r, "Warning")).isEqualTo("305 screamrouter \"no common codec\"");
    }

    @Test
    void unsupportedMediaTypeNamesWhatIsAccepted() {
        responses.unsupportedMediaType(invite, "Unsupported Media Type (the offer must be application/sdp)", "application", "sdp");
        Response r = invite.last();
        assertThat(r.getStatusCode()).isEqualTo(415);
        assertThat(r.getReasonPhrase()).isEqualTo("Unsupported Media Type (the offer must be application/sdp)");
        assertThat(header(r, "Accept")).isEqualTo("application/sdp");
    }

    @Test
    void serviceUnavailableAsksToRetryInFiveSeconds() {
        responses.serviceUnavailable(invite, "Service Unavailable (2 calls in progress)");
        Response r = invite.last();
        assertThat(r.getStatusCode()).isEqualTo(503);
        assertThat(r.getReasonPhrase()).isEqualTo("Service Unavailable (2 calls in progress)");
        assertThat(header(r, "Retry-After")).isEqualTo("5");
    }

    @Test
    void aWarningTextLosesQuotesBackslashesAndLineBreaks() {
        Response r = responses.notAcceptableHereResponse(invite, 399, "a \"quoted\"\r\nline\\");
        assertThat(invite.responses).as("not sent: the caller sends it").isEmpty();
        assertThat(r.getStatusCode()).isEqualTo(488);
        assertThat(header(r, "Warning")).isEqualTo("399 screamrouter \"a  quoted   line \"");
    }

    @Test
    void sanitizeKeepsPrintableTextAndCutsAt200Characters() {
        assertThat(Responses.sanitize("media ended: CONNECTIVITY_TIMEOUT")).isEqualTo("media ended: CONNECTIVITY_TIMEOUT");
        assertThat(Responses.sanitize("x".repeat(500))).hasSize(200);
        assertThat(Responses.sanitize("tab\there")).isEqualTo("tab here");
    }
}
