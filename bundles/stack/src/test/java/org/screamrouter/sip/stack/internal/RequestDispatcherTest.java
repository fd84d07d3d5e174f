package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import gov.nist.javax.sip.message.MessageFactoryImpl;
import org.junit.jupiter.api.Test;

class RequestDispatcherTest {
    @Test
    void cseqMethodMismatchIsNamedAsTheFault() throws Exception {
        var request = new MessageFactoryImpl().createRequest("REGISTER sip:127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
                + "To: <sip:a@127.0.0.1>\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        assertThat(RequestDispatcher.malformation(request)).isEqualTo("CSeq method INVITE does not match request method REGISTER");
    }

    @Test
    void wellFormedRequestHasNoFault() throws Exception {
        var request = new MessageFactoryImpl().createRequest("OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
                + "To: <sip:a@127.0.0.1>\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
        assertThat(RequestDispatcher.malformation(request)).isNull();
    }
}
