package org.screamrouter.sip.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import javax.sip.SipFactory;
import javax.sip.header.HeaderFactory;
import org.junit.jupiter.api.Test;

class SipHeadersTest {
    @Test
    void theValueIsWhatFollowsTheName() throws Exception {
        HeaderFactory headers = SipFactory.getInstance().createHeaderFactory();
        assertThat(SipHeaders.value(headers.createHeader("Path", "<sip:proxy.example.com;lr>"))).isEqualTo("<sip:proxy.example.com;lr>");
        assertThat(SipHeaders.value(headers.createRetryAfterHeader(5))).isEqualTo("5");
    }

    @Test
    void tagsAreSixteenHexDigitsAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String tag = SipHeaders.newTag();
            assertThat(tag).matches("[0-9a-f]{16}");
            assertThat(seen.add(tag)).as("tag %s seen before", tag).isTrue();
        }
    }
}
