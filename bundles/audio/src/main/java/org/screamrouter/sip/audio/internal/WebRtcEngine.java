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

    /**
     * One listener's track and the consumer that pushes the sink's mix into it. A track per listener, pushed only
     * while {@linkplain #start() started}: libwebrtc adds and removes its senders' sinks on the source from its own
     * threads while a description is applied or a connection closes, and webrtc-java's source crashed the JVM when
     * that met a push (SIGSEGV in CustomAudioSource::PushAudioData, seen with 10 and 50 listeners on one sink). The
     * listener's source is started once its answer is applied and stopped before its connection is closed; the
     * lock keeps a push from running across either.
     */
    static final class ListenerTrack implements BlockConsumer {
        final CustomAudioSource source;
        final AudioTrack track;
        private final byte[] pcm = new byte[Mix.BLOCK_FRAMES * Mix.CHANNELS * 2];
        private boolean pushing; // guarded by this
        private boolean finished; // guarded by this

        ListenerTrack(CustomAudioSource source, AudioTrack track) {
            this.source = source;
            this.track = track;
        }

        /** Pushes from now on, unless already finished (a listener removed while its answer was being made). */
        synchronized void start() {
            pushing = !finished;
        }

        /** For good: after this returns no push runs or starts. */
        synchronized void finish() {
            pushing = false;
            finished = true;
        }

        @Override
        public synchronized void accept(float[] block) {
            if (!pushing) return;
            Mix.toPcm16Le(block, pcm);
            source.pushAudio(pcm, 16, Mix.RATE, Mix.CHANNELS, Mix.BLOCK_FRAMES);
        }

        void dispose() {
            finish();
            WebRtcEngine.dispose("track of a listener", track::dispose);
            WebRtcEngine.dispose("source of a listener", source::dispose);
        }
    }

    private final AudioDeviceModule audioDevice;
    private final PeerConnectionFactory factory;
    private final java.util.Set<ListenerTrack> tracks = ConcurrentHashMap.newKeySet();

    WebRtcEngine() {
        audioDevice = new AudioDeviceModule(AudioLayer.kDummyAudio);
        factory = new PeerConnectionFactory(audioDevice);
        LOG.info("WebRTC engine started (libwebrtc through webrtc-java)");
    }

    /** A new track for one listener of {@code sinkId}; disposed by {@link ListenerTrack#dispose()} or {@link #close()}. */
    ListenerTrack track(String sinkId) {
        CustomAudioSource source = new CustomAudioSource();
        ListenerTrack t = new ListenerTrack(source, factory.createAudioTrack("screamrouter-" + sinkId, source));
        tracks.add(t);
        return t;
    }

    void dispose(ListenerTrack t) {
        if (tracks.remove(t)) t.dispose();
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

    /** Disposes the listeners' tracks left (after every peer connection is closed), the factory and the audio device. */
    @Override
    public void close() {
        tracks.forEach(ListenerTrack::finish);
        // libwebrtc throws java.lang.Error when an object still has references: one such leak must not keep the
        // factory (and its threads) alive
        tracks.forEach(ListenerTrack::dispose);
        tracks.clear();
        dispose("peer-connection factory", factory::dispose);
        dispose("audio device", audioDevice::dispose);
        LOG.info("WebRTC engine stopped");
    }

    static void dispose(String what, Runnable dispose) {
        try {
            dispose.run();
        } catch (Throwable e) { // java.lang.Error from webrtc-java's reference check
            LOG.warn("WebRTC engine: disposing the {}: {}", what, e.toString());
        }
    }
}
