package org.screamrouter.sip.audio.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.screamrouter.sip.audio.ListenerInfo;
import org.screamrouter.sip.audio.RtpCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink's audio as plain RTP to one remote address: each 10 ms block of the mix is resampled to the codec's rate, and
 * every {@link RtpCodec#frameMillis()} a packet is encoded (G.711 mu/A-law, or L16 in network byte order) and sent.
 * Symmetric RTP: when the peer's own RTP (or RTCP) arrives on this socket from the remote's IP address but another
 * port, as behind a NAT, the listener sends to that port from then on ("latching"). Packets from any other address
 * are read and dropped: the IP address media goes to never changes, so the listener cannot be made a reflector.
 */
final class RtpListener implements BlockConsumer, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RtpListener.class);
    final String sinkId;
    final String listenerId;
    final RtpCodec codec;
    final InetSocketAddress remote;
    final Instant created;
    private final DatagramChannel channel;
    private final InetSocketAddress local;
    /** Where packets go: the remote, or the port the peer's own packets came from (same IP). */
    private volatile InetSocketAddress target;
    private final ByteBuffer inbound = ByteBuffer.allocate(2048);
    private final RtpPacketizer packetizer;
    private final Resampler resampler;
    private final int samplesPerPacket;
    private final float[] resampled;
    /** Resampled stereo frames at the codec's rate not yet sent. */
    private float[] pending;
    private int pendingFrames;
    private final float[] frame;
    private final float[] channels;
    private final byte[] packet;
    private final AtomicLong packetsSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private volatile boolean closed;
    /** Media flow only once started (the caller saw the peer prove its address); nanoTime of the last sign of life. */
    private volatile boolean started;
    private volatile long lastHeard;
    private long sendErrors;

    /**
     * @param channel a bound, unconnected, non-blocking socket
     * @param local   the address packets leave from toward the remote
     */
    RtpListener(String sinkId, String listenerId, RtpCodec codec, DatagramChannel channel, InetSocketAddress remote,
            InetSocketAddress local, RandomGenerator random, Instant created) {
        this.sinkId = sinkId;
        this.listenerId = listenerId;
        this.codec = codec;
        this.channel = channel;
        this.remote = remote;
        this.local = local;
        this.target = remote;
        this.created = created;
        this.samplesPerPacket = codec.samplesPerFrame();
        this.packetizer = new RtpPacketizer(codec.payloadType(), samplesPerPacket, random);
        this.resampler = new Resampler(Mix.RATE, codec.clockRate(), Mix.CHANNELS);
        this.resampled = new float[resampler.maxOut(Mix.BLOCK_FRAMES) * 2];
        this.pending = new float[(samplesPerPacket + resampler.maxOut(Mix.BLOCK_FRAMES)) * 2];
        this.frame = new float[samplesPerPacket * 2];
        this.channels = new float[samplesPerPacket * codec.channels()];
        int payload = codec.encoding() == RtpCodec.Encoding.L16 ? samplesPerPacket * codec.channels() * 2 : samplesPerPacket;
        this.packet = new byte[RtpPacketizer.HEADER + payload];
    }

    int ssrc() {
        return packetizer.ssrc();
    }

    InetSocketAddress local() {
        return local;
    }

    InetSocketAddress target() {
        return target;
    }

    /** Media start now; the peer's signs of life are counted from now. */
    void start(long now) {
        lastHeard = now;
        started = true;
    }

    /** How long the peer has been silent since the start (0 before it). */
    long silentFor(long now) {
        return started ? now - lastHeard : 0;
    }

    @Override
    public void accept(float[] block) {
        if (closed) return;
        latch();
        if (!started) return;
        int n = resampler.process(block, Mix.BLOCK_FRAMES, resampled);
        System.arraycopy(resampled, 0, pending, pendingFrames * 2, n * 2);
        pendingFrames += n;
        while (pendingFrames >= samplesPerPacket) {
            System.arraycopy(pending, 0, frame, 0, samplesPerPacket * 2);
            System.arraycopy(pending, samplesPerPacket * 2, pending, 0, (pendingFrames - samplesPerPacket) * 2);
            pendingFrames -= samplesPerPacket;
            send();
        }
    }

    /** Reads what the peer sent since the last block (non-blocking, bounded) and latches onto its port. */
    private void latch() {
        try {
            for (int i = 0; i < 32; i++) {
                inbound.clear();
                if (!(channel.receive(inbound) instanceof InetSocketAddress from)) return;
                if (!from.getAddress().equals(remote.getAddress())) continue; // only the peer's own packets are signs of life
                lastHeard = System.nanoTime();
                InetSocketAddress now = target;
                if (from.getPort() != now.getPort()) {
                    target = from;
                    LOG.info("RTP listener {}/{}: the peer sends from {}, media follows (was {})", sinkId, listenerId, from, now);
                }
            }
        } catch (java.nio.channels.ClosedChannelException e) {
            // removed meanwhile
        } catch (IOException e) {
            LOG.debug("RTP listener {}/{}: reading: {}", sinkId, listenerId, e.toString());
        }
    }

    private void send() {
        if (closed) return;
        int payload = encode(codec, frame, samplesPerPacket, channels, packet, RtpPacketizer.HEADER);
        packetizer.nextHeader(packet);
        try {
            channel.send(ByteBuffer.wrap(packet, 0, RtpPacketizer.HEADER + payload), target);
            packetsSent.incrementAndGet();
            bytesSent.addAndGet(payload);
        } catch (java.nio.channels.ClosedChannelException e) {
            // removed while the clock was sending its last block
        } catch (PortUnreachableException e) {
            // the peer's port is not open (yet): ICMP said so for an earlier packet; keep sending as RTP does
            if (sendErrors++ == 0) LOG.debug("RTP listener {}/{}: {} unreachable", sinkId, listenerId, target);
        } catch (IOException e) {
            if (sendErrors++ == 0) LOG.warn("RTP listener {}/{}: sending to {}: {}", sinkId, listenerId, target, e.toString());
        }
    }

    /** Encodes {@code frames} stereo frames into {@code out} at {@code offset}; returns the payload length. */
    static int encode(RtpCodec codec, float[] stereo, int frames, float[] scratch, byte[] out, int offset) {
        Downmix.fromStereo(stereo, frames, codec.channels(), scratch);
        int samples = frames * codec.channels();
        switch (codec.encoding()) {
            case PCMU -> {
                for (int i = 0; i < samples; i++) out[offset + i] = G711.ulaw(G711.toPcm16(scratch[i]));
                return samples;
            }
            case PCMA -> {
                for (int i = 0; i < samples; i++) out[offset + i] = G711.alaw(G711.toPcm16(scratch[i]));
                return samples;
            }
            default -> {
                for (int i = 0; i < samples; i++) {
                    int s = G711.toPcm16(scratch[i]);
                    out[offset + 2 * i] = (byte) (s >> 8);
                    out[offset + 2 * i + 1] = (byte) s;
                }
                return samples * 2;
            }
        }
    }

    ListenerInfo info() {
        InetSocketAddress to = target;
        return new ListenerInfo(sinkId, listenerId, ListenerInfo.Kind.RTP, to.getAddress().getHostAddress() + ":" + to.getPort(),
                closed ? ListenerInfo.State.CLOSED : started ? ListenerInfo.State.CONNECTED : ListenerInfo.State.CONNECTING, codec.rtpmap(), packetsSent.get(),
                bytesSent.get(), created);
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing RTP socket", e);
        }
    }
}
