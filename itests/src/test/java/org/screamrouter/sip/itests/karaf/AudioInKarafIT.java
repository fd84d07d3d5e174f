package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.audio.ListenerInfo;
import org.screamrouter.sip.audio.RtpCodec;
import org.screamrouter.sip.audio.SinkInfo;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.Ports;
import org.screamrouter.sip.itests.support.FelixRun;
import org.screamrouter.sip.itests.support.KarafRun;

/**
 * The audio bridge in the built distribution: feature {@code screamrouter-sip-audio} (part of {@code screamrouter-sip})
 * starts the webrtc-java library bundle and the bridge, the sink of {@code etc/org.screamrouter.sip.audio.cfg} listens
 * for Scream on 127.0.0.1, an RTP listener gets PCMU of the test tone, and a {@code bundle:update} of the bridge comes
 * back with its native WebRTC engine (the JNI library stays loaded by the library bundle).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AudioInKarafIT {
    private static final String CFG = "etc/org.screamrouter.sip.audio.cfg";
    private static final int SCREAM_PORT = Ports.free();

    /**
     * Karaf's boot provisioning has ended (docs/architecture.md, "Boot"): while the features service still deploys,
     * Felix can refuse a bundle update ("Unable to acquire global lock for resolve").
     */
    @Inject
    @Filter(timeout = 120_000)
    private BootFinished bootFinished;

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return KarafRun.options(
                editConfigurationFilePut(CFG, "sinks", "living-room:" + SCREAM_PORT),
                editConfigurationFilePut(CFG, "input.address", "127.0.0.1"),
                editConfigurationFilePut(CFG, "test.tone", "auto"),
                editConfigurationFilePut(CFG, "media.port.min", "0"),
                editConfigurationFilePut(CFG, "media.port.max", "0"),
                org.ops4j.pax.exam.CoreOptions.systemProperty("itest.scream.port").value(Integer.toString(SCREAM_PORT)),
                org.ops4j.pax.exam.CoreOptions.systemProperty("itest.audio.jar").value(new File(System.getProperty("itest.bundles"),
                        "audio/target/org.screamrouter.sip.audio-" + System.getProperty("itest.projectVersion") + ".jar").getAbsolutePath()));
    }

    @Test
    public void rtpListenerGetsTheToneAndAnUpdatedBridgeStillHasItsWebRtcEngine() throws Exception {
        Bundle webrtc = Await.until("webrtc library bundle active", Duration.ofSeconds(60),
                () -> bundle("org.screamrouter.sip.webrtc"), b -> b != null && b.getState() == Bundle.ACTIVE);
        Bundle audio = Await.until("audio bundle active", Duration.ofSeconds(60),
                () -> bundle("org.screamrouter.sip.audio"), b -> b != null && b.getState() == Bundle.ACTIVE);
        AudioBridge bridge = FelixRun.service(context, AudioBridge.class);
        int screamPort = Integer.getInteger("itest.scream.port");
        SinkInfo sink = Await.until("sink living-room configured", Duration.ofSeconds(20), () -> bridge.sinks(),
                s -> s.stream().anyMatch(i -> i.sinkId().equals("living-room"))).get(0);
        assertEquals(screamPort, sink.screamPort());
        assertWebRtcEngine(bridge);

        try (DatagramSocket rx = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            rx.setSoTimeout(3000);
            bridge.addRtpListener("living-room", "karaf-1", RtpCodec.PCMU_8000, (InetSocketAddress) rx.getLocalSocketAddress())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            byte[] buf = new byte[2048];
            double energy = 0;
            int ssrc = 0;
            for (int i = 0; i < 60; i++) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                rx.receive(p);
                assertEquals(172, p.getLength());
                assertEquals(0, buf[1] & 0x7f);
                int s = ByteBuffer.wrap(buf).getInt(8);
                if (i == 0) ssrc = s;
                assertEquals(ssrc, s);
                if (i >= 10) energy += buf[12] != (byte) 0xff ? 1 : 0;
            }
            assertTrue("the tone (not silence) in the PCMU packets", energy > 40);
            // the count goes up after the packet left: the 60th may be here before it is counted
            ListenerInfo info = Await.until("60 packets counted", Duration.ofSeconds(5),
                    () -> bridge.listener("living-room", "karaf-1").orElseThrow(), l -> l.packetsSent() >= 60);
            assertTrue(info.toString(), info.packetsSent() >= 60);
            assertTrue(bridge.removeListener("living-room", "karaf-1").toCompletableFuture().get(10, TimeUnit.SECONDS));
        }

        // hot swap: a new revision of the bridge from its jar; the library bundle (and its JNI library) stays
        long webrtcId = webrtc.getBundleId();
        audio.update(new java.io.FileInputStream(System.getProperty("itest.audio.jar")));
        Await.until("audio bundle active after update", Duration.ofSeconds(30), audio::getState, s -> s == Bundle.ACTIVE);
        assertEquals(Bundle.ACTIVE, context.getBundle(webrtcId).getState());
        assertWebRtcEngine(FelixRun.service(context, AudioBridge.class));
    }

    /** The engine is there when an offer without Opus is refused for that, not for a missing engine. */
    private static void assertWebRtcEngine(AudioBridge bridge) throws Exception {
        String offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        try {
            bridge.addWebRtcListener("living-room", "probe", offer, a -> { }, (c, m) -> { }, "127.0.0.1")
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            throw new AssertionError("an offer without Opus was answered");
        } catch (ExecutionException | CompletionException e) {
            assertTrue(String.valueOf(e.getCause()), String.valueOf(e.getCause().getMessage()).contains("opus"));
        }
        try {
            bridge.addWebRtcListener("living-room", "probe2", offer.replace("m=audio 9 RTP/AVP 0", "m=audio 9 RTP/AVP 111")
                    .replace("a=rtpmap:0 PCMU/8000", "a=rtpmap:111 opus/48000/2"), a -> { }, (c, m) -> { }, "127.0.0.1")
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            // libwebrtc refuses this bare offer (no ICE, no DTLS): what matters is that the engine, not its absence, says so
            assertTrue(String.valueOf(e.getCause()), !String.valueOf(e.getCause().getMessage()).contains("no WebRTC engine"));
        } finally {
            bridge.removeListener("living-room", "probe2").toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private Bundle bundle(String bsn) {
        for (Bundle b : context.getBundles()) if (bsn.equals(b.getSymbolicName())) return b;
        return null;
    }
}
