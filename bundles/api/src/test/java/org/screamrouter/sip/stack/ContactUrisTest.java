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

    private static final Flow PEER = new Flow("udp", new java.net.InetSocketAddress("127.0.0.1", 5070));

    @Test
    void onAFlowTheContactIsTheListeningPointOfItsTransport() throws Exception {
        ListeningPoint tcp = new ListeningPoint("tcp", "192.0.2.10", 5061);
        Flow flow = new Flow("tcp", PEER.remote());
        assertThat(ContactUris.forFlow(addresses, flow, tcp, addresses.createURI("sip:kitchen@192.0.2.10:5060")).toString())
                .isEqualTo("sip:192.0.2.10:5061;transport=tcp");
        assertThat(ContactUris.forFlow(addresses, new Flow("tls", PEER.remote()), new ListeningPoint("tls", "192.0.2.10", 5062),
                addresses.createURI("sips:kitchen@192.0.2.10")).toString()).as("SIPS when the peer named us so").isEqualTo("sips:192.0.2.10:5062");
    }

    @Test
    void forAWildcardBindTheHostIsTheAddressThePeerReachesUsAtNeverTheOneItNamed() throws Exception {
        ListeningPoint any = new ListeningPoint("udp", "0.0.0.0", 5060);
        assertThat(ContactUris.forFlow(addresses, PEER, any, addresses.createURI("sip:kitchen@198.51.100.7:5999")).toString())
                .isEqualTo("sip:127.0.0.1:5060");
    }

    @Test
    void withoutAListeningPointThePortIsTheOneThatNamedUs() throws Exception {
        assertThat(ContactUris.forFlow(addresses, PEER, null, addresses.createURI("sip:kitchen@127.0.0.1:25060")).toString())
                .isEqualTo("sip:127.0.0.1:25060");
        assertThat(ContactUris.forFlow(addresses, PEER, null, addresses.createURI("tel:+1234")).toString()).isEqualTo("sip:127.0.0.1");
    }

    @Test
    void theLocalAddressTowardALoopbackPeerIsLoopback() {
        assertThat(ContactUris.localAddressFor(PEER)).isEqualTo("127.0.0.1");
    }
}
