package org.screamrouter.sip.audio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onvoid.webrtc.RTCPeerConnectionState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.audio.ListenerEndedListener;
import org.screamrouter.sip.audio.ListenerInfo;

/**
 * The bridge answers a real WebRTC offer from a second libwebrtc acting as the browser; ICE and DTLS connect over a veth
 * pair and Opus RTP arrives. Runs only inside the network namespace made by {@code src/test/netns/bin/java}
 * (Surefire execution {@code webrtc-netns}): libwebrtc does not use loopback, and the test must not use a real
 * interface.
 */
class WebRtcListenerNetnsTest {
    private AudioBridgeComponent bridge;
    private final List<String> ended = new CopyOnWriteArrayList<>();
    private Set<Thread> threadsBefore;

    @BeforeEach
    void start() {
        Assumptions.assumeTrue(System.getenv("AUDIO_TEST_NETNS") != null,
                "runs in the webrtc-netns execution only (a network namespace with a veth pair)");
        threadsBefore = Thread.getAllStackTraces().keySet();
        bridge = new AudioBridgeComponent();
        bridge.addEndedListener(EndedListeners.objects((info, reason) -> ended.add(info.listenerId() + ":" + reason + ":" + info.state())));
        bridge.activate(TestConfig.of(Map.of("test_tone", "on", "connectivity_timeout", 3, "media_port_min", 0,
                "media_port_max", 0)));
    }

    @AfterEach
    void stop() {
        if (bridge != null) bridge.deactivate();
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("not within " + limit + ": " + what);
            Thread.sleep(50);
        }
    }

    @Test
    void answersABrowserOfferAndOpusArrivesUntilTheListenerIsRemoved() throws Exception {
        try (BrowserPeer browser = new BrowserPeer()) {
            String offer = browser.offer();
            assertThat(offer).contains("a=recvonly").contains("198.18.77.");
            List<String> candidates = new CopyOnWriteArrayList<>();
            List<String> described = new CopyOnWriteArrayList<>();
            String answer = bridge.addWebRtcListener("living-room", "call-1", offer, described::add,
                    (c, mid) -> candidates.add(c + " mid=" + mid), "198.18.77.2").toCompletableFuture().get(20, TimeUnit.SECONDS);
            System.out.println("WebRtcListenerNetnsTest: answer\n" + answer);
            assertThat(described).containsExactly(answer);
            assertThat(answer).containsPattern("a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}")
                    .containsPattern("a=ice-ufrag:\\S{4,}").containsPattern("a=ice-pwd:\\S{22,}")
                    .containsPattern("a=candidate:\\S+ 1 udp \\d+ 198\\.18\\.77\\.\\d \\d+ typ host")
                    .containsPattern("a=rtpmap:\\d+ opus/48000/2").contains("a=sendonly").contains("a=setup:")
                    .containsPattern("a=fmtp:\\d+ [^\r\n]*sprop-stereo=1").containsPattern("a=fmtp:\\d+ [^\r\n]*;stereo=1")
                    .containsPattern("a=fmtp:\\d+ [^\r\n]*maxaveragebitrate=512000").containsPattern("a=fmtp:\\d+ [^\r\n]*useinbandfec=0")
                    .contains("a=ptime:10");
            assertThat(candidates).isNotEmpty();

            browser.answer(answer);
            await("browser connected", Duration.ofSeconds(20), () -> browser.state == RTCPeerConnectionState.CONNECTED);
            await("200 Opus packets at the browser", Duration.ofSeconds(20), () -> {
                try {
                    return browser.packetsReceived() >= 200;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Map<String, Object> inbound = browser.inbound();
            System.out.println("WebRtcListenerNetnsTest: browser inbound-rtp " + inbound);
            assertThat(String.valueOf(inbound.get("mimeType"))).isEqualToIgnoringCase("audio/opus");
            assertThat(((Number) inbound.get("bytesReceived")).longValue()).isGreaterThan(200 * 20);

            await("the bridge lists the listener connected with packets sent", Duration.ofSeconds(10), () -> bridge
                    .listener("living-room", "call-1").map(i -> i.state() == ListenerInfo.State.CONNECTED && i.packetsSent() > 0)
                    .orElse(false));
            ListenerInfo info = bridge.listeners("living-room").get(0);
            assertThat(info.kind()).isEqualTo(ListenerInfo.Kind.WEBRTC);
            assertThat(info.peer()).startsWith("198.18.77.");

            assertThat(bridge.removeWebRtcListener("living-room", "call-1").toCompletableFuture().get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(bridge.listeners()).isEmpty();
            Thread.sleep(500);
            long after = browser.packetsReceived();
            Thread.sleep(1000);
            assertThat(browser.packetsReceived()).as("packets after removal").isEqualTo(after);
            assertThat(ended).as("no ended callback for a removal asked for").isEmpty();
        }
    }

    /**
     * Issue 15: by default the answer goes out {@code ice.answer.after.first.candidate.ms} after the first local
     * candidate, with it, not after the whole gathering (libwebrtc's later steps: 200 ms on a host with several
     * interfaces; {@code bench/calls-bench.sh}); with {@code -1} it waits for the end of gathering, as before. Either
     * way it carries the UDP host candidate, and the end of gathering is told by trickle.
     */
    @Test
    void theAnswerCarriesTheHostCandidateAndWithMinusOneWaitsForTheEndOfGathering() throws Exception {
        for (int afterFirst : new int[] {10, -1}) {
            bridge.deactivate();
            bridge = new AudioBridgeComponent();
            bridge.activate(TestConfig.of(Map.of("test_tone", "on", "media_port_min", 0, "media_port_max", 0,
                    "ice_answer_after_first_candidate_ms", afterFirst)));
            try (BrowserPeer browser = new BrowserPeer()) {
                List<String> events = new CopyOnWriteArrayList<>();
                String offer = browser.offer();
                String answer = bridge.addWebRtcListener("s", "early" + afterFirst, offer, a -> events.add("answer"),
                        (c, mid) -> events.add(c == null ? "end" : "candidate"), "198.18.77.2").toCompletableFuture().get(20, TimeUnit.SECONDS);
                await("the end of gathering", Duration.ofSeconds(10), () -> events.contains("end"));
                assertThat(answer).containsPattern("a=candidate:\\S+ 1 udp \\d+ 198\\.18\\.77\\.\\d \\d+ typ host");
                assertThat(events.indexOf("candidate")).as("a candidate before the answer").isLessThan(events.indexOf("answer"));
                if (afterFirst < 0) {
                    assertThat(events.indexOf("answer")).as("the answer after the end of gathering").isGreaterThan(events.indexOf("end"));
                }
            }
        }
    }

    @Test
    void trickledRemoteCandidatesConnectAnOfferThatHadNone() throws Exception {
        try (BrowserPeer browser = new BrowserPeer()) {
            String offer = browser.offerWithoutCandidates();
            assertThat(offer).doesNotContain("a=candidate:");
            String answer = bridge.addWebRtcListener("living-room", "trickle", offer, a -> { }, (c, m) -> { }, "198.18.77.2")
                    .toCompletableFuture().get(20, TimeUnit.SECONDS);
            browser.answer(answer);
            browser.awaitGathering();
            assertThat(browser.candidates).isNotEmpty();
            for (String[] c : browser.candidates) {
                bridge.addRemoteIceCandidate("living-room", "trickle", "a=" + c[0], c[1]).toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            bridge.addRemoteIceCandidate("living-room", "trickle", "", "0").toCompletableFuture().get(10, TimeUnit.SECONDS);
            await("browser connected through trickled candidates", Duration.ofSeconds(20),
                    () -> browser.state == RTCPeerConnectionState.CONNECTED);
            await("Opus at the browser", Duration.ofSeconds(20), () -> {
                try {
                    return browser.packetsReceived() >= 50;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(bridge.addRemoteIceCandidate("living-room", "nobody", "candidate:1 1 udp 1 198.18.77.2 9 typ host", "0")
                    .toCompletableFuture()).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().withMessageContaining("no WebRTC listener");
        }
    }

    @Test
    void aListenerThatNeverConnectsIsDroppedAfterTheConnectivityTimeoutAndTheCallsSideIsTold() throws Exception {
        try (BrowserPeer browser = new BrowserPeer()) {
            // the answer never reaches the browser: no ICE checks from its side, no connectivity
            bridge.addWebRtcListener("kitchen", "lost", browser.offer(), a -> { }, (c, m) -> { }, "198.18.77.2")
                    .toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertThat(bridge.listener("kitchen", "lost")).isPresent();
            await("dropped after 3 s", Duration.ofSeconds(15), () -> !ended.isEmpty());
            assertThat(ended).containsExactly("lost:CONNECTIVITY_TIMEOUT:CLOSED");
            assertThat(bridge.listener("kitchen", "lost")).isEmpty();
        }
    }

    @Test
    void anOfferWithoutOpusIsRefused() throws Exception {
        String offer = "v=0\r\no=- 1 1 IN IP4 198.18.77.2\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        assertThat(bridge.addWebRtcListener("s", "x", offer, a -> { }, (c, m) -> { }, "198.18.77.2").toCompletableFuture())
                .failsWithin(5, TimeUnit.SECONDS).withThrowableThat().withMessageContaining("opus");
        assertThat(bridge.listeners()).isEmpty();
    }

    @Test
    void deactivationLeavesNoNonDaemonThread() throws Exception {
        try (BrowserPeer browser = new BrowserPeer()) {
            bridge.addWebRtcListener("s", "t", browser.offer(), a -> { }, (c, m) -> { }, "198.18.77.2")
                    .toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
        bridge.deactivate();
        bridge = null;
        Set<String> left = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.isDaemon() && !threadsBefore.contains(t))
                .map(Thread::getName).collect(Collectors.toSet());
        assertThat(left).as("non-daemon threads started since the bridge was activated").isEmpty();
        Set<String> ours = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("audio-")).collect(Collectors.toSet());
        assertThat(ours).isEmpty();
    }
}
