package org.screamrouter.sip.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.client.NextHop;
import org.screamrouter.sip.client.SipReply;
import org.screamrouter.sip.testsupport.TestMessages;

class SipReplyTest {
    @Test
    void everyHeaderIsKeptInOrderAndFoundWhateverItsCase() throws Exception {
        Response response = TestMessages.MESSAGES.messages().createResponse("SIP/2.0 200 Fine Thanks\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5;branch=z9hG4bK1\r\nCall-ID: a\r\nCSeq: 2 REGISTER\r\n"
                + "From: <sip:u@127.0.0.1>;tag=1\r\nTo: <sip:u@127.0.0.1>;tag=2\r\n"
                + "Contact: <sip:u@127.0.0.1:5999>;expires=60, <sip:u@10.0.0.1:5999>;expires=30\r\n"
                + "m: <sip:u@127.0.0.2>;expires=5\r\n"
                + "X-Custom: one\r\nX-Custom: two\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
        SipReply reply = SipReply.of(response);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.reason()).isEqualTo("Fine Thanks");
        assertThat(reply.headers("contact")).containsExactly("<sip:u@127.0.0.1:5999>;expires=60",
                "<sip:u@10.0.0.1:5999>;expires=30", "<sip:u@127.0.0.2>;expires=5");
        assertThat(reply.headers("X-CUSTOM")).containsExactly("one", "two");
        assertThat(reply.header("Call-ID")).contains("a");
        assertThat(reply.header("Missing")).isEmpty();
        assertThat(reply.bodyText()).isEqualTo("hello");
        assertThat(reply.isSuccess()).isTrue();
        assertThatThrownBy(() -> reply.headers().put("x", java.util.List.of())).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aListHeaderBuiltInThisJvmIsSplitAsIfItCameFromTheWire() throws Exception {
        Response response = ManagedRegistrationImplTest.reply(200).response();
        var headers = TestMessages.MESSAGES.headers();
        response.setHeader(headers.createAllowHeader("NOTIFY, OPTIONS, REGISTER"));
        response.setHeader(headers.createHeader("Contact", "\"Doe, John\" <sip:j@127.0.0.1>;expires=5"));
        SipReply reply = SipReply.of(response);
        assertThat(reply.headers("Allow")).containsExactly("NOTIFY", "OPTIONS", "REGISTER");
        assertThat(reply.headers("Contact")).hasSize(1);
    }

    @Test
    void nextHopsAreIpLiteralsNeverNames() {
        assertThat(NextHop.of("UDP", "127.0.0.1", 5060).toString()).isEqualTo("udp:127.0.0.1:5060");
        assertThat(NextHop.parse("tcp:[::1]:5070").port()).isEqualTo(5070);
        assertThatThrownBy(() -> NextHop.of("udp", "localhost", 5060)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NextHop.of("udp", "example.com", 5060)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NextHop.of("udp", "1.2.3", 5060)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NextHop.of("sctp", "127.0.0.1", 5060)).isInstanceOf(IllegalArgumentException.class);
    }
}
