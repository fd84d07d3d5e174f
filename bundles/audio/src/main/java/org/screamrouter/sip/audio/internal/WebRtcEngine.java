package org.screamrouter.sip.audio.internal;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libwebrtc through webrtc-java: one peer-connection factory with a dummy audio device (no sound card; the headless
 * device module crashed when audio was pushed), and per sink one {@link CustomAudioSource} and {@link AudioTrack} that
 * every WebRTC listener of the sink sends (libwebrtc encodes Opus once per peer connection). {@link #close()} disposes
 * everything; after it no libwebrtc thread is left.
 */
final class WebRtcEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebRtcEngine.class);

    /** A sink's track and the consumer that pushes its mix into it. */
    static final class SinkTrack implements BlockConsumer {
        final CustomAudioSource source;
        final AudioTrack track;
        private final byte[] pcm = new byte[Mix.BLOCK_FRAMES * Mix.CHANNELS * 2];
        private volatile boolean disposed;

        SinkTrack(CustomAudioSource source, AudioTrack track) {
            this.source = source;
            this.track = track;
        }

        @Override
        public void accept(float[] block) {
            if (disposed) return;
            Mix.toPcm16Le(block, pcm);
            source.pushAudio(pcm, 16, Mix.RATE, Mix.CHANNELS, Mix.BLOCK_FRAMES);
        }
    }

    private final AudioDeviceModule audioDevice;
    private final PeerConnectionFactory factory;
    private final Map<String, SinkTrack> tracks = new ConcurrentHashMap<>();

    WebRtcEngine() {
        audioDevice = new AudioDeviceModule(AudioLayer.kDummyAudio);
        factory = new PeerConnectionFactory(audioDevice);
        LOG.info("WebRTC engine started (libwebrtc through webrtc-java)");
    }

    /** The sink's track, made on first use; {@code consumerAdded} is told once when a new one was made. */
    SinkTrack track(String sinkId, java.util.function.Consumer<SinkTrack> consumerAdded) {
        return tracks.computeIfAbsent(sinkId, id -> {
            CustomAudioSource source = new CustomAudioSource();
            AudioTrack track = factory.createAudioTrack("screamrouter-" + id, source);
            SinkTrack t = new SinkTrack(source, track);
            consumerAdded.accept(t);
            return t;
        });
    }

    RTCPeerConnection peerConnection(List<String> iceServers, int minPort, int maxPort, PeerConnectionObserver observer) {
        RTCConfiguration config = new RTCConfiguration();
        config.iceServers = new ArrayList<>();
        for (String s : iceServers) {
            // url or url|username|password
            String[] parts = s.split("\\|", 3);
            RTCIceServer server = new RTCIceServer();
            server.urls = List.of(parts[0].trim());
            if (parts.length == 3) {
                server.username = parts[1];
                server.password = parts[2];
            }
            config.iceServers.add(server);
        }
        if (minPort > 0 && maxPort >= minPort) {
            config.portAllocatorConfig = new PortAllocatorConfig(minPort, maxPort, 0);
        }
        return factory.createPeerConnection(config, observer);
    }

    /** Disposes the sink tracks (after every peer connection is closed), the factory and the audio device. */
    @Override
    public void close() {
        for (SinkTrack t : tracks.values()) {
            t.disposed = true;
        }
        // libwebrtc throws java.lang.Error when an object still has references: one such leak must not keep the
        // factory (and its threads) alive
        for (SinkTrack t : tracks.values()) {
            dispose("track of a sink", t.track::dispose);
            dispose("source of a sink", t.source::dispose);
        }
        tracks.clear();
        dispose("peer-connection factory", factory::dispose);
        dispose("audio device", audioDevice::dispose);
        LOG.info("WebRTC engine stopped");
    }

    private static void dispose(String what, Runnable dispose) {
        try {
            dispose.run();
        } catch (Throwable e) { // java.lang.Error from webrtc-java's reference check
            LOG.warn("WebRTC engine: disposing the {}: {}", what, e.toString());
        }
    }
}
