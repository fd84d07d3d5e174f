package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.testsupport.TestMessages;

class CallTableTest {
    private final DialogMessages dialogs = new DialogMessages(TestMessages.MESSAGES, t -> null);
    private final Harness.FakeBridge bridge = new Harness.FakeBridge();
    private final CallTable table = new CallTable();

    private Call call(String callId, CallInfo.Kind kind) {
        return Harness.call(dialogs, callId, "udp", kind, bridge);
    }

    @Test
    void aCallIdIsInOneCallAtATime() {
        Call first = call("c1", CallInfo.Kind.RTP);
        assertThat(table.add(first)).isTrue();
        assertThat(table.add(call("c1", CallInfo.Kind.RTP))).isFalse();
        assertThat(table.get("c1")).isSameAs(first);
    }

    @Test
    void removingAnEarlierCallLeavesALaterOneOfTheSameCallId() {
        Call first = call("c1", CallInfo.Kind.RTP);
        table.add(first);
        table.remove(first);
        Call second = call("c1", CallInfo.Kind.RTP);
        table.add(second);
        table.remove(first);
        assertThat(table.get("c1")).isSameAs(second);
    }

    @Test
    void callsOverAreNotListedAndTheOthersAreOldestFirst() throws Exception {
        Call older = call("older", CallInfo.Kind.RTP);
        Thread.sleep(2);
        Call newer = call("newer", CallInfo.Kind.RTP);
        Thread.sleep(2);
        Call rejected = call("rejected", CallInfo.Kind.RTP);
        rejected.phase = Call.Phase.REJECTED;
        table.add(newer);
        table.add(rejected);
        table.add(older);
        older.phase = Call.Phase.CONFIRMED;

        List<CallInfo> listed = table.list();
        assertThat(listed).extracting(CallInfo::callId).containsExactly("older", "newer");
        assertThat(listed).extracting(CallInfo::state).containsExactly(CallInfo.State.CONFIRMED, CallInfo.State.PROCEEDING);
        assertThat(table.info("rejected")).isEmpty();
        assertThat(table.info("nobody")).isEmpty();
        assertThat(table.size()).isEqualTo(3);
    }

    @Test
    void aListedCallHasItsBridgesPacketCountAndForWebRtcItsPeer() {
        Call webRtc = call("w", CallInfo.Kind.WEBRTC);
        webRtc.media = "webrtc:127.0.0.1";
        Call rtp = call("r", CallInfo.Kind.RTP);
        rtp.media = "127.0.0.1:4000";
        table.add(webRtc);
        table.add(rtp);
        bridge.listeners.put("kitchen/w", Harness.FakeBridge.listener("kitchen", "w", "198.51.100.7:50000", 120));
        bridge.listeners.put("kitchen/r", Harness.FakeBridge.listener("kitchen", "r", "192.0.2.1:9", 7));

        CallInfo w = table.info("w").orElseThrow();
        assertThat(w.packetsSent()).isEqualTo(120);
        assertThat(w.media()).isEqualTo("198.51.100.7:50000");
        assertThat(w.peer()).isEqualTo("udp:127.0.0.1:5070");
        assertThat(w.sink()).isEqualTo("kitchen");
        CallInfo r = table.info("r").orElseThrow();
        assertThat(r.packetsSent()).isEqualTo(7);
        assertThat(r.media()).isEqualTo("127.0.0.1:4000");
    }
}
