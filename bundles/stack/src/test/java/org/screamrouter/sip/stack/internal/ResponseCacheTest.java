package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import gov.nist.javax.sip.message.MessageFactoryImpl;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;

class ResponseCacheTest {
    private final MessageFactoryImpl factory = new MessageFactoryImpl();

    private Request register(String branch, int cseq) throws Exception {
        return factory.createRequest("REGISTER sip:127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=" + branch + "\r\n"
                + "Max-Forwards: 70\r\nTo: <sip:a@127.0.0.1>\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\n"
                + "Call-ID: c1\r\nCSeq: " + cseq + " REGISTER\r\nContent-Length: 0\r\n\r\n");
    }

    @Test
    void retransmissionWithinWindowGetsTheSameFinalResponse() throws Exception {
        ResponseCache cache = new ResponseCache(32_000_000_000L, 10);
        Request request = register("z9hG4bK-1", 1);
        Response ok = factory.createResponse(200, request);
        cache.remember(ResponseCache.key(request), ok, 0);

        assertThat(cache.lookup(ResponseCache.key(register("z9hG4bK-1", 1)), 31_000_000_000L)).isSameAs(ok);
        assertThat(cache.lookup(ResponseCache.key(register("z9hG4bK-2", 2)), 1)).isNull();
        assertThat(cache.lookup(ResponseCache.key(request), 33_000_000_000L)).isNull();
    }

    @Test
    void provisionalResponsesAreNotKept() throws Exception {
        ResponseCache cache = new ResponseCache(32_000_000_000L, 10);
        Request request = register("z9hG4bK-1", 1);
        cache.remember(ResponseCache.key(request), factory.createResponse(100, request), 0);
        assertThat(cache.size()).isZero();
    }

    @Test
    void expiryFreesRoomAndLimitIsNeverExceeded() throws Exception {
        ResponseCache cache = new ResponseCache(10, 2);
        for (int i = 0; i < 5; i++) {
            Request r = register("z9hG4bK-" + i, i);
            cache.remember(ResponseCache.key(r), factory.createResponse(200, r), 0);
        }
        assertThat(cache.size()).isEqualTo(2);
        cache.expire(100);
        assertThat(cache.size()).isZero();
    }

    @Test
    void rfc2543RequestsWithoutMagicCookieAreKeyedByCallIdAndCSeq() throws Exception {
        assertThat(ResponseCache.key(register("oldstyle", 7))).isEqualTo("c1|7|REGISTER");
    }
}
