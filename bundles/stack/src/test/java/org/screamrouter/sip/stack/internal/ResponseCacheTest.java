package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import gov.nist.javax.sip.message.MessageFactoryImpl;
import gov.nist.javax.sip.message.SIPResponse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.stack.Flow;

class ResponseCacheTest {
    private final MessageFactoryImpl factory = new MessageFactoryImpl();

    private Request register(String branch, int cseq) throws Exception {
        return factory.createRequest("REGISTER sip:127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=" + branch + "\r\n"
                + "Max-Forwards: 70\r\nTo: <sip:a@127.0.0.1>\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\n"
                + "Call-ID: c1\r\nCSeq: " + cseq + " REGISTER\r\nContent-Length: 0\r\n\r\n");
    }

    /** The datagram a 200 to this request was sent as. */
    private byte[] ok(Request request) throws Exception {
        return ((SIPResponse) factory.createResponse(200, request)).encodeAsBytes("UDP");
    }

    @Test
    void retransmissionWithinWindowGetsTheSameDatagram() throws Exception {
        ResponseCache cache = new ResponseCache(32_000_000_000L, 10);
        Request request = register("z9hG4bK-1", 1);
        byte[] sent = ok(request);
        cache.remember(ResponseCache.key(request, udp(5999)), sent, 200, 0);

        ResponseCache.Cached kept = cache.lookup(ResponseCache.key(register("z9hG4bK-1", 1), udp(5999)), 31_000_000_000L);
        assertThat(kept.datagram()).isEqualTo(sent);
        assertThat(kept.status()).isEqualTo(200);
        assertThat(cache.lookup(ResponseCache.key(register("z9hG4bK-2", 2), udp(5999)), 1)).isNull();
        assertThat(cache.lookup(ResponseCache.key(request, udp(5999)), 33_000_000_000L)).isNull();
    }

    private static Flow udp(int port) {
        return new Flow("udp", new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    @Test
    void twoSourcesWithTheSameBranchAndViaGetTheirOwnAnswers() throws Exception {
        // issue 13 item 8: a UA on a hostile LAN copies another's branch and Via; it must not get that UA's answer
        ResponseCache cache = new ResponseCache(32_000_000_000L, 10);
        Request request = register("z9hG4bK-same", 1);
        cache.remember(ResponseCache.key(request, udp(5001)), ok(request), 200, 0);

        assertThat(cache.lookup(ResponseCache.key(request, udp(5002)), 1)).as("another source port").isNull();
        assertThat(cache.lookup(ResponseCache.key(request, new Flow("tcp", udp(5001).remote())), 1)).as("another transport").isNull();
        assertThat(cache.lookup(ResponseCache.key(request, new Flow("udp", new InetSocketAddress("127.0.0.2", 5001))), 1))
                .as("another source address").isNull();
        assertThat(cache.lookup(ResponseCache.key(request, udp(5001)), 1).status()).as("the same flow").isEqualTo(200);
    }

    @Test
    void provisionalResponsesAreNotKept() throws Exception {
        ResponseCache cache = new ResponseCache(32_000_000_000L, 10);
        Request request = register("z9hG4bK-1", 1);
        cache.remember(ResponseCache.key(request, udp(5999)), ((SIPResponse) factory.createResponse(100, request)).encodeAsBytes("UDP"), 100, 0);
        assertThat(cache.size()).isZero();
    }

    @Test
    void expiryFreesRoomAndLimitIsNeverExceeded() throws Exception {
        ResponseCache cache = new ResponseCache(10, 2);
        for (int i = 0; i < 5; i++) {
            Request r = register("z9hG4bK-" + i, i);
            cache.remember(ResponseCache.key(r, udp(5999)), ok(r), 200, 0);
        }
        assertThat(cache.size()).isEqualTo(2);
        cache.expire(100);
        assertThat(cache.size()).isZero();
    }

    @Test
    void rfc2543RequestsWithoutMagicCookieAreKeyedByCallIdAndCSeq() throws Exception {
        assertThat(ResponseCache.key(register("oldstyle", 7), udp(5999))).isEqualTo("udp:127.0.0.1:5999|c1|7|REGISTER");
    }
}
