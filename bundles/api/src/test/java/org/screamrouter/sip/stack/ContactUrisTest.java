package org.screamrouter.sip.stack;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sip.SipFactory;
import javax.sip.address.AddressFactory;
import org.junit.jupiter.api.Test;

class ContactUrisTest {
    private final AddressFactory addresses;

    ContactUrisTest() throws Exception {
        addresses = SipFactory.getInstance().createAddressFactory();
    }

    private String of(String transport, boolean sips) throws Exception {
        return ContactUris.of(addresses, transport, "192.0.2.1", 5061, sips).toString();
    }

    @Test
    void eachTransportIsWrittenAsItsRfcSays() throws Exception {
        assertThat(of("udp", false)).isEqualTo("sip:192.0.2.1:5061");
        assertThat(of("tcp", false)).isEqualTo("sip:192.0.2.1:5061;transport=tcp");
        assertThat(of("tls", false)).isEqualTo("sip:192.0.2.1:5061;transport=tls");
        assertThat(of("tls", true)).isEqualTo("sips:192.0.2.1:5061");
        assertThat(of("ws", false)).isEqualTo("sip:192.0.2.1:5061;transport=ws");
        assertThat(of("wss", false)).isEqualTo("sips:192.0.2.1:5061;transport=ws");
        assertThat(ContactUris.of(addresses, "udp", "::1", -1, false).toString()).isEqualTo("sip:[::1]");
    }

    @Test
    void onlyTlsAndSecureWebSocketAreSecure() {
        assertThat(ContactUris.secure("TLS")).isTrue();
        assertThat(ContactUris.secure("wss")).isTrue();
        assertThat(ContactUris.secure("udp")).isFalse();
        assertThat(ContactUris.secure("ws")).isFalse();
        assertThat(ContactUris.secure("tcp")).isFalse();
    }
}
