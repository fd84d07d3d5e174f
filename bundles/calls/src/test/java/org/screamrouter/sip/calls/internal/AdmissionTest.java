package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.testsupport.FakeExchange;
import org.screamrouter.sip.testsupport.TestMessages;

class AdmissionTest {
    private final DialogMessages dialogs = new DialogMessages(TestMessages.MESSAGES, t -> null);
    private final CallTable table = new CallTable();
    private final Admission admission = new Admission(table);

    private void callFrom(String address, String callId) throws Exception {
        String raw = Harness.invite(callId, "z9hG4bK" + callId, Harness.RTP_OFFER);
        table.add(dialogs.newCall(new FakeExchange(raw, InetAddress.getByName(address)), Harness.KITCHEN, CallInfo.Kind.RTP, null));
    }

    @Test
    void aCallIsAdmittedBelowBothLimits() throws Exception {
        callFrom("127.0.0.1", "a");
        assertThat(admission.refusal(InetAddress.getByName("127.0.0.1"), 2, 2)).isEmpty();
    }

    @Test
    void theTotalLimitCountsCallsFromEverySource() throws Exception {
        callFrom("127.0.0.1", "a");
        callFrom("127.0.0.2", "b");
        assertThat(admission.refusal(InetAddress.getByName("127.0.0.3"), 2, 8))
                .contains("Service Unavailable (2 calls in progress)");
    }

    @Test
    void thePerSourceLimitCountsOnlyThatAddress() throws Exception {
        callFrom("127.0.0.1", "a");
        callFrom("127.0.0.1", "b");
        callFrom("127.0.0.2", "c");
        assertThat(admission.refusal(InetAddress.getByName("127.0.0.1"), 200, 2))
                .contains("Service Unavailable (2 calls from 127.0.0.1)");
        assertThat(admission.refusal(InetAddress.getByName("127.0.0.2"), 200, 2)).isEmpty();
    }

    @Test
    void aCallGoneFromTheTableNoLongerCounts() throws Exception {
        callFrom("127.0.0.1", "a");
        assertThat(admission.refusal(InetAddress.getByName("127.0.0.1"), 200, 1)).isPresent();
        table.remove(table.get("a"));
        assertThat(admission.refusal(new InetSocketAddress("127.0.0.1", 1).getAddress(), 200, 1)).isEmpty();
    }
}
