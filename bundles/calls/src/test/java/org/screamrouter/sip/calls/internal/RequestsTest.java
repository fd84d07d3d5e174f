package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sip.message.Request;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.testsupport.FakeExchange;

class RequestsTest {
    @Test
    void readsTheDialogFieldsOfARequest() {
        Request r = new FakeExchange(Harness.request("INFO", "sip:kitchen@127.0.0.1", "tcp", "z9hG4bKb1", "call-7", 42,
                "theirs", "ours", "application/trickle-ice-sdpfrag", "a=end-of-candidates\r\n")).request();
        assertThat(Requests.callId(r)).isEqualTo("call-7");
        assertThat(Requests.toTag(r)).isEqualTo("ours");
        assertThat(Requests.fromTag(r)).isEqualTo("theirs");
        assertThat(Requests.branch(r)).isEqualTo("z9hG4bKb1");
        assertThat(Requests.cseq(r)).isEqualTo(42);
        assertThat(Requests.hasBody(r)).isTrue();
        assertThat(Requests.contentType(r)).isEqualTo("application/trickle-ice-sdpfrag");
    }

    @Test
    void aRequestThatStartsADialogHasNoToTagAndMayHaveNoBody() {
        Request r = new FakeExchange(Harness.request("INVITE", "sip:kitchen@127.0.0.1", "udp", "z9hG4bKb2", "call-8", 1,
                "theirs", null, null, null)).request();
        assertThat(Requests.toTag(r)).isNull();
        assertThat(Requests.hasBody(r)).isFalse();
        assertThat(Requests.contentType(r)).isEmpty();
    }
}
