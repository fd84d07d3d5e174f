package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.screamrouter.sip.testsupport.FakeExchange;

class AddressOfRecordTest {
    private static String canonical(String uri) throws Exception {
        return AddressOfRecord.canonical(FakeExchange.MESSAGES.addresses().createURI(uri));
    }

    @Test
    void dropsPortAndParametersLowersHostKeepsUserCase() throws Exception {
        assertThat(canonical("sip:Dev1@EXAMPLE.com:5070;transport=tcp")).isEqualTo("sip:Dev1@example.com");
    }

    @Test
    void unescapesTheUserPart() throws Exception {
        assertThat(canonical("sip:sips%3Auser%40example.com@example.net")).isEqualTo("sip:sips:user@example.com@example.net");
    }

    @Test
    void nonSipUriHasNoAor() throws Exception {
        assertThat(canonical("tel:+1-201-555-0123")).isNull();
    }
}
