package org.screamrouter.sip.itests.felix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.audio.ListenerInfo;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.support.FelixRun;

/**
 * The audio bridge in a plain Felix: the webrtc-java library bundle loads its JNI library inside OSGi, the bridge
 * answers a WebRTC offer from a second libwebrtc (in the test) and Opus arrives; stopping the bridge bundle frees every
 * native resource (no thread of it left, no non-daemon thread more than before), and an updated bridge bundle answers
 * again without reloading the native library (it belongs to the library bundle).
 *
 * <p>Runs in the failsafe execution {@code felix-netns}: the JVM sits in a network namespace of its own with a veth
 * pair (libwebrtc does not use loopback; no real interface is touched).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AudioInFelixIT {
    private static final String PID = "org.screamrouter.sip.audio";
    private static final String AUDIO_BSN = "org.screamrouter.sip.audio";

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return FelixRun.options(
                FelixRun.reactor("webrtc", "org.screamrouter.sip.webrtc"),
                FelixRun.reactor("audio-api", "org.screamrouter.sip.audio.api"), // AudioBridge; the audio bundle exports nothing
                FelixRun.reactor("audio", AUDIO_BSN).start(false));
    }

    @Test
    public void bridgeAnswersInFelixStopsCleanAndAnUpdatedBundleAnswersAgain() throws Exception {
        Assume.assumeTrue("runs in the felix-netns execution only", System.getenv("AUDIO_TEST_NETNS") != null);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("test.tone", "on");
        props.put("media.port.min", 0);
        props.put("media.port.max", 0);
        configAdmin.getConfiguration(PID, "?").update(props);
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());

        Bundle audio = FelixRun.installed(context, AUDIO_BSN);
        audio.start();
        long opus = callAndCountOpus("call-1");
        System.out.printf("AudioInFelixIT: %d Opus packets received through the bridge bundle%n", opus);

        audio.stop();
        assertEquals(Bundle.RESOLVED, audio.getState());
        Set<String> left = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t) && (!t.isDaemon() || t.getName().startsWith("audio-")))
                .map(t -> t.getName() + (t.isDaemon() ? " (daemon)" : "")).collect(Collectors.toSet());
        assertTrue("threads left after the bridge bundle stopped: " + left, left.isEmpty());

        // a hot swap of the bridge: a new revision (new class loader) uses the library bundle's native code as loaded
        audio.update();
        audio.start();
        long again = callAndCountOpus("call-2");
        System.out.printf("AudioInFelixIT: after bundle update, %d Opus packets%n", again);
    }

    /** A browser stand-in offers recvonly audio; the bridge answers; returns the Opus packets it received. */
    private long callAndCountOpus(String callId) throws Exception {
        AudioBridge bridge = FelixRun.service(context, AudioBridge.class);
        AudioDeviceModule adm = new AudioDeviceModule(AudioLayer.kDummyAudio);
        PeerConnectionFactory factory = new PeerConnectionFactory(adm);
        CustomAudioSource source = new CustomAudioSource();
        AudioTrack track = factory.createAudioTrack("browser", source);
        CompletableFuture<Void> gathered = new CompletableFuture<>();
        RTCPeerConnectionState[] state = {RTCPeerConnectionState.NEW};
        RTCPeerConnection pc = factory.createPeerConnection(new RTCConfiguration(), new PeerConnectionObserver() {
            @Override
            public void onIceCandidate(RTCIceCandidate candidate) {
            }

            @Override
            public void onIceGatheringChange(RTCIceGatheringState s) {
                if (s == RTCIceGatheringState.COMPLETE) gathered.complete(null);
            }

            @Override
            public void onConnectionChange(RTCPeerConnectionState s) {
                state[0] = s;
            }
        });
        try {
            RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
            init.direction = RTCRtpTransceiverDirection.RECV_ONLY;
            pc.addTransceiver(track, init);
            CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
            pc.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
                @Override
                public void onSuccess(RTCSessionDescription d) {
                    offer.complete(d);
                }

                @Override
                public void onFailure(String error) {
                    offer.completeExceptionally(new IllegalStateException(error));
                }
            });
            CompletableFuture<Void> localSet = new CompletableFuture<>();
            pc.setLocalDescription(offer.get(10, TimeUnit.SECONDS), observer(localSet));
            localSet.get(10, TimeUnit.SECONDS);
            gathered.get(10, TimeUnit.SECONDS);

            String answer = bridge.addWebRtcListener("living-room", callId, pc.getLocalDescription().sdp, a -> { }, (c, m) -> { },
                    "198.18.77.2").toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertTrue(answer, answer.contains("a=fingerprint:sha-256 ") && answer.matches("(?s).*a=candidate:[^\r\n]* typ host.*")
                    && answer.contains("a=ice-pwd:") && answer.contains("opus/48000/2"));
            CompletableFuture<Void> remoteSet = new CompletableFuture<>();
            pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, answer), observer(remoteSet));
            remoteSet.get(10, TimeUnit.SECONDS);

            Await.until("browser connected", Duration.ofSeconds(20), () -> state[0], s -> s == RTCPeerConnectionState.CONNECTED);
            long packets = Await.until("100 Opus packets", Duration.ofSeconds(20), () -> opusPackets(pc), n -> n >= 100);
            Await.until("the bridge lists " + callId + " connected", Duration.ofSeconds(10),
                    () -> bridge.listener("living-room", callId).map(ListenerInfo::state).orElse(null),
                    s -> s == ListenerInfo.State.CONNECTED);
            assertTrue(bridge.removeListener("living-room", callId).toCompletableFuture().get(10, TimeUnit.SECONDS));
            return packets;
        } finally {
            for (RTCRtpSender s : pc.getSenders()) pc.removeTrack(s);
            pc.close();
            track.dispose();
            source.dispose();
            factory.dispose();
            adm.dispose();
        }
    }

    private static long opusPackets(RTCPeerConnection pc) throws Exception {
        CompletableFuture<Map<String, RTCStats>> report = new CompletableFuture<>();
        pc.getStats(r -> report.complete(r.getStats()));
        Map<String, RTCStats> stats = report.get(10, TimeUnit.SECONDS);
        for (RTCStats s : stats.values()) {
            if (s.getType() != RTCStatsType.INBOUND_RTP) continue;
            RTCStats codec = stats.get(String.valueOf(s.getAttributes().get("codecId")));
            if (codec == null || !"audio/opus".equalsIgnoreCase(String.valueOf(codec.getAttributes().get("mimeType")))) continue;
            Object n = s.getAttributes().get("packetsReceived");
            if (n instanceof Number number) return number.longValue();
        }
        return 0;
    }

    private static SetSessionDescriptionObserver observer(CompletableFuture<Void> done) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                done.complete(null);
            }

            @Override
            public void onFailure(String error) {
                done.completeExceptionally(new IllegalStateException(error));
            }
        };
    }
}
