package org.screamrouter.sip.bench.audio;

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
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.screamrouter.sip.audio.AudioBridge;

/**
 * CPU of the audio bridge per WebRTC listener. Two processes in one network namespace (bench/audio-bench.sh makes it):
 * the bridge (this class with {@code bridge}), and the browsers (this class with {@code browsers N SECONDS}): N
 * libwebrtc peers that offer recvonly audio, get the bridge's answers over a pipe, connect and receive Opus. The bridge
 * process measures its own CPU time over the window, so the browsers' CPU is not counted.
 */
public final class AudioBench {
    private AudioBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("bridge")) {
            bridgeSide();
        } else {
            browserSide(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        }
    }

    // --- the bridge process: reads OFFER/MEASURE lines on stdin, answers on stdout ---------------------------------------

    private static void bridgeSide() throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // everything else (logs) away from the protocol
        Class<?> type = Class.forName("org.screamrouter.sip.audio.internal.AudioBridgeComponent");
        Class<?> configType = Class.forName("org.screamrouter.sip.audio.internal.AudioConfig");
        Object bridge = type.getDeclaredConstructor().newInstance();
        Map<String, Object> values = Map.of("test_tone", "on", "media_port_min", 0, "media_port_max", 0);
        Object config = Proxy.newProxyInstance(configType.getClassLoader(), new Class<?>[] {configType}, (p, m, a) -> {
            if (values.containsKey(m.getName())) return values.get(m.getName());
            if (m.getDefaultValue() != null) return m.getDefaultValue();
            if (m.getName().equals("annotationType")) return configType;
            if (m.getName().equals("hashCode")) return 0;
            if (m.getName().equals("equals")) return p == a[0];
            return "AudioConfig";
        });
        Method activate = type.getDeclaredMethod("activate", configType);
        activate.setAccessible(true);
        activate.invoke(bridge, config);
        AudioBridge api = (AudioBridge) bridge;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "OFFER" -> {
                    String offer = new String(Base64.getDecoder().decode(f[2]), StandardCharsets.UTF_8);
                    String answer = api.addWebRtcListener("bench", f[1], offer, a -> { }, (c, m) -> { }, "198.18.77.2")
                            .toCompletableFuture().get(30, TimeUnit.SECONDS);
                    out.println("ANSWER " + f[1] + " " + Base64.getEncoder().encodeToString(answer.getBytes(StandardCharsets.UTF_8)));
                }
                case "MEASURE" -> {
                    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                    long cpu0 = os.getProcessCpuTime();
                    long wall0 = System.nanoTime();
                    Thread.sleep(Long.parseLong(f[1]) * 1000);
                    long cpu = os.getProcessCpuTime() - cpu0;
                    long wall = System.nanoTime() - wall0;
                    long connected = api.listeners("bench").stream().filter(i -> i.state().name().equals("CONNECTED")).count();
                    out.println("CPU " + cpu + " " + wall + " " + connected);
                }
                default -> {
                    Method deactivate = type.getDeclaredMethod("deactivate");
                    deactivate.setAccessible(true);
                    deactivate.invoke(bridge);
                    out.println("BYE");
                    return;
                }
            }
        }
    }

    // --- the browsers process ----------------------------------------------------------------------------------------------

    /**
     * The bridge's next protocol line starting with {@code word}. libwebrtc's native threads write to the same stdout
     * ("VM attach current thread failed"), so other lines are skipped.
     */
    private static String reply(BufferedReader fromBridge, String word) throws java.io.IOException {
        String line;
        while ((line = fromBridge.readLine()) != null) {
            if (line.startsWith(word + " ") || line.equals(word)) return line;
        }
        throw new java.io.EOFException("the bridge process ended before its " + word + " line");
    }

    private static void browserSide(int listeners, int seconds) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process bridge = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", AudioBench.class.getName(), "bridge")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        PrintStream toBridge = new PrintStream(bridge.getOutputStream(), true, StandardCharsets.UTF_8);
        BufferedReader fromBridge = new BufferedReader(new InputStreamReader(bridge.getInputStream(), StandardCharsets.UTF_8));

        AudioDeviceModule adm = new AudioDeviceModule(AudioLayer.kDummyAudio);
        PeerConnectionFactory factory = new PeerConnectionFactory(adm);
        CustomAudioSource source = new CustomAudioSource();
        AudioTrack track = factory.createAudioTrack("browser", source);
        List<RTCPeerConnection> peers = new ArrayList<>();
        List<RTCPeerConnectionState[]> states = new ArrayList<>();
        try {
            for (int i = 0; i < listeners; i++) {
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
                peers.add(pc);
                states.add(state);
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
                set(pc, offer.get(10, TimeUnit.SECONDS), true);
                gathered.get(10, TimeUnit.SECONDS);
                toBridge.println("OFFER l" + i + " " + Base64.getEncoder().encodeToString(
                        pc.getLocalDescription().sdp.getBytes(StandardCharsets.UTF_8)));
                String[] answer = reply(fromBridge, "ANSWER").split(" ");
                set(pc, new RTCSessionDescription(RTCSdpType.ANSWER,
                        new String(Base64.getDecoder().decode(answer[2]), StandardCharsets.UTF_8)), false);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (states.stream().anyMatch(s -> s[0] != RTCPeerConnectionState.CONNECTED)) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("not every browser connected in 30 s");
                Thread.sleep(100);
            }
            Thread.sleep(2000); // past the start (DTLS, first packets)
            long received0 = received(peers);
            toBridge.println("MEASURE " + seconds);
            String[] cpu = reply(fromBridge, "CPU").split(" ");
            long received = received(peers) - received0;
            double cpuNanos = Long.parseLong(cpu[1]);
            double wallNanos = Long.parseLong(cpu[2]);
            double percentOfCore = 100 * cpuNanos / wallNanos;
            System.out.printf("RESULT listeners=%d connected=%s cpu_percent_of_one_core=%.2f per_listener=%.3f opus_packets_per_s_per_listener=%.1f%n",
                    listeners, cpu[3], percentOfCore, percentOfCore / listeners, received / (wallNanos / 1e9) / listeners);
            toBridge.println("QUIT");
            reply(fromBridge, "BYE");
        } finally {
            bridge.waitFor(20, TimeUnit.SECONDS);
            bridge.destroy();
            for (RTCPeerConnection pc : peers) {
                for (RTCRtpSender s : pc.getSenders()) pc.removeTrack(s);
                pc.close();
            }
            track.dispose();
            source.dispose();
            factory.dispose();
            adm.dispose();
        }
    }

    private static long received(List<RTCPeerConnection> peers) throws Exception {
        long sum = 0;
        for (RTCPeerConnection pc : peers) {
            CompletableFuture<Map<String, RTCStats>> report = new CompletableFuture<>();
            pc.getStats(r -> report.complete(r.getStats()));
            for (RTCStats s : report.get(10, TimeUnit.SECONDS).values()) {
                if (s.getType() == RTCStatsType.INBOUND_RTP && s.getAttributes().get("packetsReceived") instanceof Number n) {
                    sum += n.longValue();
                }
            }
        }
        return sum;
    }

    private static void set(RTCPeerConnection pc, RTCSessionDescription d, boolean local) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        SetSessionDescriptionObserver o = new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                done.complete(null);
            }

            @Override
            public void onFailure(String error) {
                done.completeExceptionally(new IllegalStateException(error));
            }
        };
        if (local) pc.setLocalDescription(d, o);
        else pc.setRemoteDescription(d, o);
        done.get(10, TimeUnit.SECONDS);
    }
}
