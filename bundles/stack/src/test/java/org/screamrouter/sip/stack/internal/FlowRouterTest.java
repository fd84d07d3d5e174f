package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gov.nist.javax.sip.message.MessageFactoryImpl;
import gov.nist.javax.sip.stack.HopImpl;
import javax.sip.SipException;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;

class FlowRouterTest {
    private final FlowRouter router = new FlowRouter();

    private static Request options(String uri) throws Exception {
        return new MessageFactoryImpl().createRequest("OPTIONS " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
                + "To: <" + uri + ">\r\nFrom: <sip:s@127.0.0.1>;tag=1\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
    }

    @Test
    void theFlowChosenBySenderWinsOverTheRequestUri() throws Exception {
        router.route(new HopImpl("127.0.0.5", 25999, "udp"));
        try {
            assertThat(router.getNextHop(options("sip:dev@gw1.example.net")).getHost()).isEqualTo("127.0.0.5");
        } finally {
            router.clear();
        }
    }

    @Test
    void hostNamesAreNeverResolved() {
        assertThatThrownBy(() -> router.getNextHop(options("sip:dev@gw1.example.net")))
                .isInstanceOf(SipException.class).hasMessageContaining("not resolved");
    }

    @Test
    void ipLiteralRequestUriIsUsedWhenNoFlowWasGiven() throws Exception {
        assertThat(router.getNextHop(options("sip:dev@127.0.0.9:5070")).getPort()).isEqualTo(5070);
    }

    @Test
    void recognisesIpLiterals() {
        assertThat(FlowRouter.isIpLiteral("192.0.2.1")).isTrue();
        assertThat(FlowRouter.isIpLiteral("[2001:db8::1]")).isTrue();
        assertThat(FlowRouter.isIpLiteral("256.1.1.1")).isFalse();
        assertThat(FlowRouter.isIpLiteral("example.com")).isFalse();
        assertThat(FlowRouter.isIpLiteral("1.2.3")).isFalse();
        assertThat(FlowRouter.isIpLiteral("")).isFalse();
    }
}
