package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.sdp.SdpParser;
import org.screamrouter.sip.sdp.SessionDescription;
import org.screamrouter.sip.stack.Flow;

class MediaTargetTest {
    private static final Flow FROM_198 = new Flow("udp", new InetSocketAddress("198.18.0.2", 5062));

    private static InetSocketAddress target(String connection) throws Exception {
        SessionDescription offer = SdpParser.parse("v=0\r\no=- 1 1 IN IP4 198.18.0.2\r\ns=-\r\nc=IN IP4 " + connection
                + "\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n");
        return MediaTarget.choose(offer, offer.media().get(0), FROM_198);
    }

    @Test
    void offeredAddressIsUsedWhenItIsTheSignallingSource() throws Exception {
        assertThat(target("198.18.0.2")).isEqualTo(new InetSocketAddress("198.18.0.2", 40000));
    }

    @Test
    void anotherHostInTheOfferGetsNoMediaTheSourceDoesAtTheOfferedPort() throws Exception {
        assertThat(target("10.1.2.3")).isEqualTo(new InetSocketAddress("198.18.0.2", 40000));
        assertThat(target("0.0.0.0")).isEqualTo(new InetSocketAddress("198.18.0.2", 40000));
    }

    @Test
    void aHostNameIsNeverResolved() throws Exception {
        assertThat(MediaTarget.literal("victim.example.com")).isEmpty();
        assertThat(target("victim.example.com")).isEqualTo(new InetSocketAddress("198.18.0.2", 40000));
        assertThat(MediaTarget.literal("::1")).isPresent();
        assertThat(MediaTarget.literal("256.1.1.1")).isEmpty();
    }
}
