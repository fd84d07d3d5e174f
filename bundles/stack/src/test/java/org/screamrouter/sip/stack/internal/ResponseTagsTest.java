package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.security.SecureRandom;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;

class ResponseTagsTest {
    private final MessageFactoryImpl factory = new MessageFactoryImpl();

    private Request options(String branch, int cseq, String callId) throws Exception {
        return factory.createRequest("OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=" + branch + "\r\n"
                + "Max-Forwards: 70\r\nTo: <sip:a@127.0.0.1>\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: " + cseq + " OPTIONS\r\nContent-Length: 0\r\n\r\n");
    }

    @Test
    void aRequestAndItsRetransmissionGetOneTagAndOtherRequestsOthers() throws Exception {
        ResponseTags tags = new ResponseTags(new SecureRandom());
        String tag = tags.tagFor(options("z9hG4bK-1", 1, "c1"));
        assertThat(tag).matches("[0-9a-f]{16}");
        assertThat(tags.tagFor(options("z9hG4bK-1", 1, "c1"))).as("a copy of the request, parsed again").isEqualTo(tag);
        assertThat(tags.tagFor(options("z9hG4bK-2", 1, "c1"))).as("another branch").isNotEqualTo(tag);
        assertThat(tags.tagFor(options("z9hG4bK-1", 2, "c1"))).as("another CSeq").isNotEqualTo(tag);
        assertThat(tags.tagFor(options("z9hG4bK-1", 1, "c2"))).as("another Call-ID").isNotEqualTo(tag);
    }

    @Test
    void anotherSecretGivesAnotherTag() throws Exception {
        Request request = options("z9hG4bK-1", 1, "c1");
        assertThat(new ResponseTags(new SecureRandom()).tagFor(request)).isNotEqualTo(new ResponseTags(new SecureRandom()).tagFor(request));
    }

    @Test
    void fieldsDoNotRunIntoEachOther() throws Exception {
        // Call-ID "c1" with CSeq 12 and Call-ID "c11" with CSeq 2 would feed the same characters without the lengths
        ResponseTags tags = new ResponseTags(new SecureRandom());
        assertThat(tags.tagFor(options("z9hG4bK-1", 12, "c1"))).isNotEqualTo(tags.tagFor(options("z9hG4bK-1", 2, "c11")));
    }
}
