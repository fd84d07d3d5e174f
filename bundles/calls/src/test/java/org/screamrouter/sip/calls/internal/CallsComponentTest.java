package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.screamrouter.sip.testsupport.TestMessages.header;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.event.Event;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.config.ConfigFileStatus;
import org.screamrouter.sip.config.ConfigurationManager;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.HandlerClosedException;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.testsupport.FakeExchange;
import org.screamrouter.sip.testsupport.RecordingSender;
import org.screamrouter.sip.testsupport.TestMessages;

/** The component's wiring: requests, events, flow ends and the Calls service reach the right collaborator. */
class CallsComponentTest {
    private final Harness.ManualScheduler scheduler = new Harness.ManualScheduler();
    private final RecordingSender sender = new RecordingSender();
    private final Harness.FakeBridge bridge = new Harness.FakeBridge();
    private final List<String> bridgeLog = new ArrayList<>();
    private final ComponentServiceObjects<AudioBridge> bridgeObjects = new ComponentServiceObjects<>() {
        @Override public AudioBridge getService() { bridgeLog.add("get"); return bridge; }
        @Override public void ungetService(AudioBridge service) { bridgeLog.add("unget"); }
        @Override public ServiceReference<AudioBridge> getServiceReference() { throw new UnsupportedOperationException(); }
    };
    private final CallsComponent component = new CallsComponent(TestMessages.MESSAGES, sender);

    private static final ConfigurationManager SINKS = new ConfigurationManager() {
        @Override public void handleSipRegistration(Device device) { }
        @Override public void handleSipDeviceOffline(String uuid) { }
        @Override public Optional<Map<String, Object>> getSipConfigForDevice(String uuid) { return Optional.empty(); }
        @Override public List<Map<String, Object>> sinks() { return List.of(Map.of("name", "kitchen", "enabled", true)); }
        @Override public ConfigFileStatus status() { throw new UnsupportedOperationException(); }
    };

    @BeforeEach
    void activate() {
        component.setBridge(bridgeObjects);
        component.setAuthenticator(Wired.OPEN);
        component.setConfiguration(SINKS);
        component.addListeningPoint(new ListeningPoint("udp", "192.0.2.10", 5060));
        component.activate(Harness.config(Map.of("shutdown_grace_ms", 50)), scheduler);
    }

    private FakeExchange handle(String raw) {
        FakeExchange x = new FakeExchange(raw);
        component.handle(x);
        return x;
    }

    /** The dialog as the peer knows it: its Call-ID and our To-tag from the 200. */
    private record Peer(String callId, String tag) {
        String request(String method, long cseq, String contentType, String body) {
            return Harness.inDialog(method, callId, tag, "udp", cseq, "z9hG4bK" + method + cseq, contentType, body);
        }
    }

    /** A plain RTP call answered and confirmed through the component. */
    private Peer established(String callId) {
        FakeExchange invite = handle(Harness.invite(callId, "z9hG4bK" + callId, Harness.RTP_OFFER));
        bridge.rtp.get(callId).local().complete(new InetSocketAddress("127.0.0.1", 40000));
        scheduler.runReady();
        assertThat(invite.statuses()).containsExactly(100, 200);
        assertThat(header(invite.last(), "Contact")).isEqualTo("<sip:192.0.2.10:5060>");
        Peer peer = new Peer(callId, ((javax.sip.header.ToHeader) invite.last().getHeader("To")).getTag());
        handle(peer.request("ACK", 1, null, null));
        return peer;
    }

    @Test
    void aCallGoesFromInviteToTheirByeThroughTheComponent() {
        Peer peer = established("c1");
        assertThat(bridgeLog).containsExactly("get");
        assertThat(bridge.started).containsExactly("kitchen/c1");
        assertThat(component.calls()).extracting(CallInfo::callId, CallInfo::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("c1", CallInfo.State.CONFIRMED));
        assertThat(component.call("c1").map(CallInfo::media)).contains("127.0.0.1:4000");

        FakeExchange reInvite = handle(peer.request("INVITE", 2, "application/sdp", Harness.RTP_OFFER));
        assertThat(reInvite.statuses()).containsExactly(200);

        FakeExchange bye = handle(peer.request("BYE", 3, null, null));
        assertThat(bye.statuses()).containsExactly(200);
        assertThat(component.calls()).isEmpty();
        assertThat(bridge.removed).containsExactly("kitchen/c1");
    }

    @Test
    void anInviteToASinkNobodyHasReadsNeitherEveryEntryNorEveryDevice() {
        // anyone may send these (auth.mode = none by default): each read every config.yaml sink (parsing its text) and
        // listed every device before: 0.2 s of CPU per INVITE with 20,000 ScreamRouter devices (bench/lookup-bench.sh)
        java.util.concurrent.atomic.AtomicInteger listings = new java.util.concurrent.atomic.AtomicInteger();
        component.setConfiguration(new ConfigurationManager() {
            @Override public void handleSipRegistration(Device device) { }
            @Override public void handleSipDeviceOffline(String uuid) { }
            @Override public Optional<Map<String, Object>> getSipConfigForDevice(String uuid) { return Optional.empty(); }
            @Override public List<Map<String, Object>> sinks() {
                listings.incrementAndGet();
                return SINKS.sinks();
            }
            @Override public Optional<org.screamrouter.sip.config.SinkEntry> sinkEntry(String target) {
                return "kitchen".equals(target) ? Optional.of(new org.screamrouter.sip.config.SinkEntry("kitchen", null, null, true))
                        : Optional.empty();
            }
            @Override public ConfigFileStatus status() { throw new UnsupportedOperationException(); }
        });
        component.setRegistry(new org.screamrouter.sip.registrar.DeviceRegistry() {
            @Override public List<org.screamrouter.sip.registrar.Binding> bindings() { throw new UnsupportedOperationException(); }
            @Override public List<org.screamrouter.sip.registrar.Binding> bindings(String aor) { throw new UnsupportedOperationException(); }
            @Override public List<Device> devices() {
                listings.incrementAndGet();
                return List.of();
            }
            @Override public Optional<Device> device(String uuid) { return Optional.empty(); }
            @Override public java.util.concurrent.CompletionStage<org.screamrouter.sip.registrar.PingResult> ping(String uuid) {
                throw new UnsupportedOperationException();
            }
            @Override public boolean unregister(String uuid) { throw new UnsupportedOperationException(); }
        });
        FakeExchange nobody = handle(Harness.request("INVITE", "sip:nobody-1@127.0.0.1:5060", "udp", "z9hG4bKn1", "n1", 1, "peer1",
                null, "application/sdp", Harness.RTP_OFFER, "Contact: <sip:peer@127.0.0.1:5070>"));
        assertThat(nobody.statuses()).containsExactly(404);
        assertThat(nobody.last().getReasonPhrase()).isEqualTo("Not Found (no sink nobody-1)");
        assertThat(listings).as("sinks or devices listed").hasValue(0);
        assertThat(bridgeLog).as("the audio bridge is not asked for").isEmpty();
        established("c1"); // the sink that is there is still found
        assertThat(listings).hasValue(0);
    }

    @Test
    void aCancelAndAnInfoReachTheirDialog() {
        FakeExchange invite = handle(Harness.invite("w1", "z9hG4bKw1", Harness.WEBRTC_OFFER));
        FakeExchange cancel = handle(Harness.request("CANCEL", "sip:kitchen@127.0.0.1:5060", "udp", "z9hG4bKw1", "w1", 1, "peer1",
                null, null, null));
        assertThat(cancel.statuses()).containsExactly(200);
        assertThat(invite.statuses()).containsExactly(100, 487);
        FakeExchange info = handle(Harness.request("INFO", "sip:kitchen@127.0.0.1:5060", "udp", "z9hG4bKi", "w1", 2, "peer1",
                "sometag", null, null));
        assertThat(info.statuses()).containsExactly(481);
    }

    @Test
    void aMethodNotServedGets405() {
        FakeExchange x = handle(Harness.request("OPTIONS", "sip:kitchen@127.0.0.1", "udp", "z9hG4bKo", "o1", 1, "peer1", null, null, null));
        assertThat(x.statuses()).containsExactly(405);
    }

    @Test
    void theCallsServiceHangsUp() {
        established("c1");
        assertThat(component.hangup("c1")).isTrue();
        assertThat(component.hangup("nobody")).isFalse();
        assertThat(sender.of("BYE")).hasSize(1);
        assertThat(component.call("c1").map(CallInfo::state)).contains(CallInfo.State.ENDING);
        sender.of("BYE").get(0).answer(200);
        assertThat(component.calls()).isEmpty();
    }

    @Test
    void theBridgeGoingEndsItsCallsBeforeItIsReleased() {
        established("c1");
        component.unsetBridge(bridgeObjects);
        assertThat(sender.of("BYE")).extracting(s -> s.header("Reason"))
                .containsExactly("SIP;cause=200;text=\"the audio engine stopped\"");
        assertThat(bridgeLog).containsExactly("get", "unget");
        assertThat(handle(Harness.invite("c2", "z9hG4bKc2", Harness.RTP_OFFER)).last().getStatusCode()).isEqualTo(503);
    }

    @Test
    void theBridgesEventAndAClosedConnectionEndTheirCalls() {
        established("c1");
        component.handleEvent(new Event(ListenerEndedRelay.TOPIC, Map.of(ListenerEndedRelay.SINK, "kitchen",
                ListenerEndedRelay.LISTENER, "c1", ListenerEndedRelay.REASON, "CONNECTIVITY_TIMEOUT")));
        scheduler.runReady();
        assertThat(sender.of("BYE")).extracting(s -> s.header("Reason"))
                .containsExactly("SIP;cause=200;text=\"media ended: CONNECTIVITY_TIMEOUT\"");

        established("c2");
        component.closed(new Flow("udp", new InetSocketAddress("127.0.0.1", 5070)));
        assertThat(component.call("c2")).isEmpty();
    }

    @Test
    void deactivationEndsEveryCallStopsTheTimersAndRefusesLaterRequests() {
        established("c1");
        FakeExchange proceeding = handle(Harness.invite("c2", "z9hG4bKc2", Harness.RTP_OFFER));
        component.deactivate();

        assertThat(sender.of("BYE")).extracting(s -> s.header("Reason"))
                .containsExactly("SIP;cause=200;text=\"the calls service is stopping\"");
        assertThat(proceeding.statuses()).containsExactly(100, 503);
        assertThat(scheduler.isShutdown()).isTrue();
        assertThat(component.calls()).isEmpty();
        assertThat(bridgeLog).containsExactly("get", "unget");
        assertThatThrownBy(() -> handle(Harness.invite("c3", "z9hG4bKc3", Harness.RTP_OFFER)))
                .isInstanceOf(HandlerClosedException.class);
    }
}
