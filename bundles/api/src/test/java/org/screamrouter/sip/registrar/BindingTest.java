package org.screamrouter.sip.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A binding's Contact value is kept only when it says more than its URI (issue 15, heap per binding): the usual
 * {@code <uri>} is made again when asked for, and the binding reads, compares and prints as before.
 */
class BindingTest {
    private static Binding binding(String uri, String header) {
        return new Binding("sip:dev1@example.invalid", uri, header, "udp", new InetSocketAddress("127.0.0.1", 5999),
                Instant.ofEpochSecond(1000), -1f, "call-1", 1, List.of(), Instant.ofEpochSecond(400));
    }

    private static Object kept(Binding b) throws Exception {
        java.lang.reflect.Field field = Binding.class.getDeclaredField("contactHeader");
        field.setAccessible(true);
        return field.get(b);
    }

    @Test
    void aContactThatIsItsUriInBracketsIsNotKeptTwice() throws Exception {
        Binding b = binding("sip:dev1@127.0.0.1:5999", "<sip:dev1@127.0.0.1:5999>");
        assertThat(b.contactHeader()).isEqualTo("<sip:dev1@127.0.0.1:5999>");
        assertThat(kept(b)).as("the text kept besides the URI").isNull();
        assertThat(b).isEqualTo(binding("sip:dev1@127.0.0.1:5999", "<sip:dev1@127.0.0.1:5999>"))
                .hasSameHashCodeAs(binding("sip:dev1@127.0.0.1:5999", "<sip:dev1@127.0.0.1:5999>"));
    }

    @Test
    void aContactWithParametersOrWrittenOtherwiseIsKeptAsItCame() throws Exception {
        String instance = "<sip:dev1@127.0.0.1:5999>;+sip.instance=\"<urn:uuid:5f7c1a2e-0000-4000-8000-0000000000aa>\";reg-id=1";
        assertThat(binding("sip:dev1@127.0.0.1:5999", instance).contactHeader()).isEqualTo(instance);
        assertThat(kept(binding("sip:dev1@127.0.0.1:5999", instance))).isEqualTo(instance);
        assertThat(binding("sip:dev1@127.0.0.1:5999", "\"Dev\" <sip:dev1@127.0.0.1:5999>").contactHeader())
                .isEqualTo("\"Dev\" <sip:dev1@127.0.0.1:5999>");
        assertThat(binding("sip:dev1@127.0.0.1:5999", "<sip:dev2@127.0.0.1:5999>").contactHeader()).isEqualTo("<sip:dev2@127.0.0.1:5999>");
        assertThat(binding("sip:dev1@127.0.0.1:5999", "<sip:dev1@127.0.0.1:5999>x").contactHeader()).isEqualTo("<sip:dev1@127.0.0.1:5999>x");
        assertThat(binding("sip:dev1@127.0.0.1:5999", "<sip:dev1@127.0.0.1:5998>")).isNotEqualTo(binding("sip:dev1@127.0.0.1:5999", "<sip:dev1@127.0.0.1:5999>"));
    }
}
