package org.screamrouter.sip.audio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.audio.ListenerInfo;
import org.screamrouter.sip.audio.RtpCodec;

/**
 * The bridge on real loopback sockets: a Scream sender streams a tone into a sink's UDP port in real time, an RTP
 * listener sends to a socket of the test, which decodes what arrives and checks the tone and the RTP header fields.
 */
class RtpListenerLoopbackTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private AudioBridgeComponent bridge;
    private DatagramSocket receiver;
    private ScheduledExecutorService sender;
    private int screamPort;

    @BeforeEach
    void start() throws Exception {
        try (DatagramSocket probe = new DatagramSocket(0, LOOPBACK)) {
            screamPort = probe.getLocalPort();
        }
        bridge = new AudioBridgeComponent();
        bridge.activate(TestConfig.of(Map.of("sinks", new String[] {"living-room:" + screamPort}, "input_address", "127.0.0.1",
                "test_tone", "auto", "media_port_min", 0, "media_port_max", 0, "webrtc_enabled", false)));
        receiver = new DatagramSocket(0, LOOPBACK);
        receiver.setSoTimeout(2000);
        sender = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stop() throws InterruptedException {
        sender.shutdownNow();
        sender.awaitTermination(5, TimeUnit.SECONDS);
        bridge.deactivate();
        receiver.close();
    }

    /** Streams a 24-bit 44.1 kHz stereo Scream tone at real-time pace (one 192-frame packet every ~4.35 ms). */
    private void streamScream(double frequency) {
        ScreamPacket.Format f = new ScreamPacket.Format(44100, 24, 2, 3);
        int frames = ScreamPacket.MAX_PAYLOAD / f.bytesPerFrame();
        long start = System.nanoTime();
        long[] sent = {0};
        sender.scheduleAtFixedRate(() -> {
            long due = (System.nanoTime() - start) * 44100 / 1_000_000_000L + frames * 8L; // keep ~8 packets (35 ms) ahead
            try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
                while (sent[0] < due) {
                    byte[] p = Signals.screamSine(f, frames, frequency, 0.5, sent[0]);
                    s.send(new DatagramPacket(p, p.length, new InetSocketAddress(LOOPBACK, screamPort)));
                    sent[0] += frames;
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, 0, 2, TimeUnit.MILLISECONDS);
    }

    private record Received(List<byte[]> packets) {
        int seq(int i) {
            return ByteBuffer.wrap(packets.get(i)).getShort(2) & 0xffff;
        }

        long ts(int i) {
            return ByteBuffer.wrap(packets.get(i)).getInt(4) & 0xffffffffL;
        }

        int ssrc(int i) {
            return ByteBuffer.wrap(packets.get(i)).getInt(8);
        }
    }

    private Received receive(int count) throws IOException {
        List<byte[]> packets = new ArrayList<>();
        byte[] buf = new byte[2048];
        while (packets.size() < count) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            receiver.receive(p);
            packets.add(java.util.Arrays.copyOf(buf, p.getLength()));
        }
        return new Received(packets);
    }

    private static void assertHeaders(Received r, int payloadType, int step, int payloadBytes) {
        for (int i = 0; i < r.packets().size(); i++) {
            byte[] p = r.packets().get(i);
            assertThat(p.length).as("packet %d length", i).isEqualTo(12 + payloadBytes);
            assertThat(p[0] & 0xff).as("version 2, no padding/extension/CSRC").isEqualTo(0x80);
            assertThat(p[1] & 0x7f).as("payload type").isEqualTo(payloadType);
            if (i > 0) {
                assertThat(r.seq(i)).as("sequence of packet %d", i).isEqualTo((r.seq(i - 1) + 1) & 0xffff);
                assertThat((r.ts(i) - r.ts(i - 1)) & 0xffffffffL).as("timestamp step of packet %d", i).isEqualTo(step);
                assertThat(r.ssrc(i)).as("SSRC").isEqualTo(r.ssrc(0));
                assertThat(p[1] & 0x80).as("marker after the first packet").isZero();
            }
        }
    }

    /** Symmetric RTP: the peer's own packets from a new port of its address move the media there; another address never. */
    @Test
    void mediaFollowsThePeersPortOnItsAddressButNeverAnotherAddress() throws Exception {
        InetSocketAddress local = bridge.addRtpListener("living-room", "nat-1", RtpCodec.PCMU_8000,
                (InetSocketAddress) receiver.getLocalSocketAddress()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        receive(5); // the tone flows to the offered port
        byte[] rtp = new byte[12 + 160];
        rtp[0] = (byte) 0x80;
        try (DatagramSocket stranger = new DatagramSocket(0, InetAddress.getByName("127.0.0.2"));
             DatagramSocket natted = new DatagramSocket(0, LOOPBACK)) {
            natted.setSoTimeout(2000);
            stranger.send(new DatagramPacket(rtp, rtp.length, local));
            receive(20); // 400 ms of packets, still to the offered port: the stranger's packet was read and dropped
            assertThat(bridge.listener("living-room", "nat-1").orElseThrow().peer()).isEqualTo("127.0.0.1:" + receiver.getLocalPort());

            natted.send(new DatagramPacket(rtp, rtp.length, local)); // the peer, behind a NAT that changed its port
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            natted.receive(p);
            assertThat(p.getLength()).isEqualTo(12 + 160);
            assertThat(p.getSocketAddress()).isEqualTo(local);
            assertThat(bridge.listener("living-room", "nat-1").orElseThrow().peer()).isEqualTo("127.0.0.1:" + natted.getLocalPort());
        }
    }

    @Test
    void pcmuListenerCarriesTheScreamToneWithCorrectHeadersAndStopsWhenRemoved() throws Exception {
        streamScream(1000);
        InetSocketAddress local = bridge.addRtpListener("living-room", "call-1", RtpCodec.PCMU_8000,
                (InetSocketAddress) receiver.getLocalSocketAddress()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(local.getAddress().isLoopbackAddress()).as("sent from " + local).isTrue();
        assertThat(local.getPort()).isPositive();

        receive(25); // let the jitter buffer fill and the input take over from the tone
        Received r = receive(100);
        assertHeaders(r, 0, 160, 160);
        double[] pcm = new double[100 * 160];
        for (int i = 0; i < 100; i++) {
            for (int s = 0; s < 160; s++) pcm[i * 160 + s] = G711.ulawToLinear(r.packets().get(i)[12 + s]) / 32768.0;
        }
        assertThat(Signals.peak(pcm, 8000, 300, 3000)).as("strongest frequency").isBetween(995.0, 1005.0);
        assertThat(Signals.cleanFrames(pcm, 160, 8000, 1000)).as("packets carrying a clean 1 kHz tone").isGreaterThan(0.7);
        assertThat(Signals.rms(pcm)).as("rms of a 0.5 sine").isBetween(0.25, 0.39);

        // the count goes up after a packet left: the last one received may not be counted yet
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        ListenerInfo info = bridge.listener("living-room", "call-1").orElseThrow();
        while (info.packetsSent() < 125 && System.nanoTime() < deadline) {
            Thread.sleep(5);
            info = bridge.listener("living-room", "call-1").orElseThrow();
        }
        assertThat(info.kind()).isEqualTo(ListenerInfo.Kind.RTP);
        assertThat(info.codec()).isEqualTo("PCMU/8000");
        assertThat(info.packetsSent()).isGreaterThanOrEqualTo(125);
        assertThat(info.peer()).isEqualTo("127.0.0.1:" + receiver.getLocalPort());
        assertThat(bridge.sinks()).singleElement().satisfies(s -> {
            assertThat(s.screamPort()).isEqualTo(screamPort);
            assertThat(s.format()).isEqualTo("44100 Hz 24 bit 2 ch");
            assertThat(s.toneActive()).isFalse();
            assertThat(s.listeners()).isEqualTo(1);
        });

        assertThat(bridge.removeRtpListener("living-room", "call-1").toCompletableFuture().get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(bridge.listeners("living-room")).isEmpty();
        // what was in flight may still arrive; then nothing
        receiver.setSoTimeout(100);
        long drainUntil = System.nanoTime() + 1_000_000_000L;
        boolean quiet = false;
        while (System.nanoTime() < drainUntil) {
            try {
                receiver.receive(new DatagramPacket(new byte[2048], 2048));
            } catch (SocketTimeoutException e) {
                quiet = true;
                break;
            }
        }
        assertThat(quiet).as("no packets 100 ms after the removal").isTrue();
        receiver.setSoTimeout(700);
        assertThatThrownBy(() -> receiver.receive(new DatagramPacket(new byte[2048], 2048))).isInstanceOf(SocketTimeoutException.class);
        assertThat(bridge.removeListener("living-room", "call-1").toCompletableFuture().get()).isFalse();
    }

    @Test
    void l16StereoListenerIsBigEndianAtTheNegotiatedRate() throws Exception {
        streamScream(1000);
        RtpCodec l16 = new RtpCodec(RtpCodec.Encoding.L16, 96, 16000, 2);
        bridge.addRtpListener("living-room", "l16", l16, (InetSocketAddress) receiver.getLocalSocketAddress())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        receive(25);
        Received r = receive(100);
        int spf = l16.samplesPerFrame();
        assertThat(spf).isEqualTo(160); // 10 ms: 20 ms of 16 kHz stereo would not fit 1200 bytes
        assertHeaders(r, 96, spf, spf * 4);
        double[] left = new double[100 * spf];
        for (int i = 0; i < 100; i++) {
            ByteBuffer b = ByteBuffer.wrap(r.packets().get(i), 12, spf * 4);
            for (int s = 0; s < spf; s++) {
                left[i * spf + s] = b.getShort() / 32768.0;
                assertThat(b.getShort() / 32768.0).as("right = left").isEqualTo(left[i * spf + s]);
            }
        }
        assertThat(Signals.peak(left, 16000, 300, 3000)).isBetween(995.0, 1005.0);
        assertThat(Signals.cleanFrames(left, spf, 16000, 1000)).as("packets carrying a clean 1 kHz tone").isGreaterThan(0.7);
    }

    @Test
    void aSinkWithoutInputPlaysTheTestToneAndListenerIdsAreUnique() throws Exception {
        bridge.addRtpListener("no-such-sink", "a", RtpCodec.PCMA_8000, (InetSocketAddress) receiver.getLocalSocketAddress())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(bridge.addRtpListener("no-such-sink", "a", RtpCodec.PCMA_8000, (InetSocketAddress) receiver.getLocalSocketAddress())
                .toCompletableFuture()).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().withMessageContaining("exists");
        assertThat(bridge.addRtpListener("no-such-sink", "b", RtpCodec.PCMA_8000, InetSocketAddress.createUnresolved("example.net", 5004))
                .toCompletableFuture()).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().withMessageContaining("IP address");
        Received r = receive(60);
        assertHeaders(r, 8, 160, 160);
        double[] pcm = new double[50 * 160];
        for (int i = 0; i < 50; i++) {
            for (int s = 0; s < 160; s++) pcm[i * 160 + s] = G711.alawToLinear(r.packets().get(i + 10)[12 + s]) / 32768.0;
        }
        assertThat(Signals.peak(pcm, 8000, 200, 1000)).isBetween(437.0, 443.0);
        assertThat(Signals.rms(pcm)).isBetween(0.15, 0.2);
        assertThat(bridge.sinks()).extracting(s -> s.sinkId()).contains("no-such-sink", "living-room");
    }

    @Test
    void aConfigurationChangeMovesTheInputLiveAndKeepsTheListeners() throws Exception {
        bridge.addRtpListener("living-room", "stays", RtpCodec.PCMU_8000, (InetSocketAddress) receiver.getLocalSocketAddress())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        int newPort;
        try (DatagramSocket probe = new DatagramSocket(0, LOOPBACK)) {
            newPort = probe.getLocalPort();
        }
        bridge.modified(TestConfig.of(Map.of("sinks", new String[] {"living-room:" + newPort + ":880, kitchen:0"},
                "input_address", "127.0.0.1", "test_tone", "auto", "media_port_min", 0, "media_port_max", 0, "webrtc_enabled", false)));
        assertThat(bridge.sinks()).extracting(s -> s.sinkId() + "@" + s.screamPort())
                .containsExactly("kitchen@0", "living-room@" + newPort);
        try (DatagramSocket old = new DatagramSocket(screamPort, LOOPBACK)) {
            assertThat(old.getLocalPort()).as("the old Scream port is free again").isEqualTo(screamPort);
        }
        assertThat(bridge.listeners("living-room")).extracting(ListenerInfo::listenerId).containsExactly("stays");
        receive(30); // the new tone frequency reaches the listener
        Received r = receive(50);
        double[] pcm = new double[50 * 160];
        for (int i = 0; i < 50; i++) {
            for (int s = 0; s < 160; s++) pcm[i * 160 + s] = G711.ulawToLinear(r.packets().get(i)[12 + s]) / 32768.0;
        }
        assertThat(Signals.peak(pcm, 8000, 300, 1500)).isBetween(877.0, 883.0);
    }

    @Test
    void aPreparedListenerSendsNothingUntilStarted() throws Exception {
        InetSocketAddress local = bridge.prepareRtpListener("living-room", "held", RtpCodec.PCMU_8000,
                (InetSocketAddress) receiver.getLocalSocketAddress()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(local.getPort()).isPositive();
        assertThat(bridge.listener("living-room", "held")).get().extracting(ListenerInfo::state).isEqualTo(ListenerInfo.State.CONNECTING);
        receiver.setSoTimeout(1000);
        assertThatThrownBy(() -> receiver.receive(new DatagramPacket(new byte[2048], 2048)))
                .as("nothing within 1 s of preparing").isInstanceOf(SocketTimeoutException.class);
        bridge.startRtpListener("living-room", "held").toCompletableFuture().get(5, TimeUnit.SECONDS);
        receiver.setSoTimeout(2000);
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        receiver.receive(p);
        assertThat(p.getLength()).isEqualTo(12 + 160);
        assertThat(bridge.listener("living-room", "held")).get().extracting(ListenerInfo::state).isEqualTo(ListenerInfo.State.CONNECTED);
        assertThat(bridge.startRtpListener("living-room", "none").toCompletableFuture()).isCompletedExceptionally();
    }

    @Test
    void aStartedListenerWhosePeerIsSilentIsDroppedAndOneThatAnswersStays() throws Exception {
        bridge.deactivate();
        bridge = new AudioBridgeComponent();
        List<String> ended = new java.util.concurrent.CopyOnWriteArrayList<>();
        bridge.addEndedListener(EndedListeners.objects((info, reason) -> ended.add(info.listenerId() + " " + reason + " " + info.state())));
        bridge.activate(TestConfig.of(Map.of("sinks", new String[] {"living-room:" + screamPort}, "input_address", "127.0.0.1",
                "test_tone", "auto", "media_port_min", 0, "media_port_max", 0, "webrtc_enabled", false, "rtp_liveness_timeout_ms", 1500)));
        try (DatagramSocket talking = new DatagramSocket(0, LOOPBACK)) {
            bridge.addRtpListener("living-room", "silent", RtpCodec.PCMU_8000, (InetSocketAddress) receiver.getLocalSocketAddress())
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            InetSocketAddress answering = bridge.addRtpListener("living-room", "talking", RtpCodec.PCMU_8000,
                    (InetSocketAddress) talking.getLocalSocketAddress()).toCompletableFuture().get(5, TimeUnit.SECONDS);
            byte[] rr = new byte[] {(byte) 0x80, (byte) 201, 0, 1, 0, 0, 0, 1}; // an empty RTCP RR (rtcp-mux)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (!ended.contains("silent CONNECTIVITY_TIMEOUT CLOSED") && System.nanoTime() < deadline) {
                talking.send(new DatagramPacket(rr, rr.length, new InetSocketAddress(LOOPBACK, answering.getPort())));
                Thread.sleep(200); // the peer's pace: one report every 200 ms
            }
            assertThat(ended).containsExactly("silent CONNECTIVITY_TIMEOUT CLOSED");
            assertThat(bridge.listeners("living-room")).extracting(ListenerInfo::listenerId).containsExactly("talking");
        }
    }
}
