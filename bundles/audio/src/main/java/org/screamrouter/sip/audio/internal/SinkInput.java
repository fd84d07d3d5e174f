package org.screamrouter.sip.audio.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One sink's audio: Scream packets from its receiver go through a jitter buffer (40 ms before playing, at most 200 ms,
 * the oldest dropped beyond) into the 48 kHz stereo mix; every 10 ms the clock takes one block out, replaces it with the test tone when the
 * tone is on (or, in {@code auto}, when no packet came for {@link #SILENT_AFTER_NANOS}), and hands it to every consumer:
 * the sink's WebRTC track and its RTP listeners. Any number of listeners share this one input.
 */
final class SinkInput {
    /** No packet for this long and the input counts as silent. */
    static final long SILENT_AFTER_NANOS = 500_000_000L;
    private static final int CAPACITY_FRAMES = Mix.RATE / 5;
    /**
     * Playing starts (and restarts after running dry) once this much is buffered: 40 ms, four clock ticks, so that a
     * late sender or a late tick (the clock catches up in a burst) does not run the buffer dry on a loaded machine.
     */
    private static final int PREFILL_FRAMES = Mix.RATE / 25;

    enum ToneMode { OFF, AUTO, ON }

    final String sinkId;
    private final List<BlockConsumer> consumers = new CopyOnWriteArrayList<>();
    private final AtomicLong packets = new AtomicLong();
    private final AtomicLong badPackets = new AtomicLong();

    // written by the receiver thread, read by the clock: guarded by this
    private final float[] ring = new float[CAPACITY_FRAMES * 2];
    private int readFrame;
    private int buffered;
    private boolean playing;
    private ScreamPacket.Format format;
    private Resampler resampler;
    private float[] decoded = new float[0];
    private float[] stereo = new float[0];
    private float[] resampled = new float[0];

    private volatile long lastPacketNanos = Long.MIN_VALUE;
    private volatile ToneMode toneMode;
    private volatile TestTone tone;
    private volatile boolean toneActive;
    private volatile int port;

    // clock thread only
    private final float[] block = new float[Mix.BLOCK_FRAMES * 2];

    SinkInput(String sinkId, ToneMode toneMode, double toneFrequency) {
        this.sinkId = sinkId;
        tone(toneMode, toneFrequency);
    }

    void tone(ToneMode mode, double frequency) {
        this.toneMode = mode;
        this.tone = new TestTone(frequency);
    }

    void port(int port) {
        this.port = port;
    }

    int port() {
        return port;
    }

    void addConsumer(BlockConsumer consumer) {
        consumers.add(consumer);
    }

    void removeConsumer(BlockConsumer consumer) {
        consumers.remove(consumer);
    }

    boolean hasConsumers() {
        return !consumers.isEmpty();
    }

    long packets() {
        return packets.get();
    }

    long badPackets() {
        return badPackets.get();
    }

    synchronized String format() {
        return format == null ? "" : format.toString();
    }

    boolean toneActive() {
        return toneActive;
    }

    /** A Scream datagram arrived (receiver thread). Bad packets are counted and dropped. */
    void onScream(byte[] data, int length, long nowNanos) {
        ScreamPacket.Format f;
        try {
            f = ScreamPacket.format(data, length);
        } catch (IllegalArgumentException e) {
            badPackets.incrementAndGet();
            return;
        }
        packets.incrementAndGet();
        lastPacketNanos = nowNanos;
        synchronized (this) {
            if (!f.equals(format)) {
                format = f;
                resampler = new Resampler(f.sampleRate(), Mix.RATE, Mix.CHANNELS);
            }
            int frames = ScreamPacket.frames(f, length);
            if (decoded.length < frames * f.channels()) decoded = new float[frames * f.channels()];
            if (stereo.length < frames * 2) stereo = new float[frames * 2];
            ScreamPacket.decode(f, data, length, decoded);
            Downmix.toStereo(decoded, frames, f.channels(), stereo);
            int max = resampler.maxOut(frames);
            if (resampled.length < max * 2) resampled = new float[max * 2];
            int out = resampler.process(stereo, frames, resampled);
            write(resampled, out);
        }
    }

    private void write(float[] frames, int count) {
        for (int i = 0; i < count; i++) {
            if (buffered == CAPACITY_FRAMES) { // full: the oldest frame goes
                readFrame = (readFrame + 1) % CAPACITY_FRAMES;
                buffered--;
            }
            int w = (readFrame + buffered) % CAPACITY_FRAMES;
            ring[2 * w] = frames[2 * i];
            ring[2 * w + 1] = frames[2 * i + 1];
            buffered++;
        }
    }

    /** Makes the next 10 ms block into {@code out}; returns whether it holds input (not the tone or silence). */
    boolean nextBlock(float[] out, long nowNanos) {
        boolean input = false;
        synchronized (this) {
            if (!playing && buffered >= PREFILL_FRAMES) playing = true;
            if (playing) {
                int n = Math.min(buffered, Mix.BLOCK_FRAMES);
                for (int i = 0; i < n; i++) {
                    out[2 * i] = ring[2 * readFrame];
                    out[2 * i + 1] = ring[2 * readFrame + 1];
                    readFrame = (readFrame + 1) % CAPACITY_FRAMES;
                }
                buffered -= n;
                for (int i = 2 * n; i < out.length; i++) out[i] = 0;
                if (buffered == 0) playing = false;
                input = n > 0;
            } else {
                java.util.Arrays.fill(out, 0);
            }
        }
        ToneMode mode = toneMode;
        boolean silent = lastPacketNanos == Long.MIN_VALUE || nowNanos - lastPacketNanos > SILENT_AFTER_NANOS;
        boolean useTone = mode == ToneMode.ON || (mode == ToneMode.AUTO && silent);
        toneActive = useTone;
        if (useTone) {
            tone.fill(out, Mix.BLOCK_FRAMES);
            return false;
        }
        return input;
    }

    /** One clock tick: the next block to every consumer. Does nothing without consumers. */
    void tick(long nowNanos) {
        if (consumers.isEmpty()) {
            // keep the buffer from holding stale audio for the first listener
            synchronized (this) {
                if (buffered > PREFILL_FRAMES) {
                    readFrame = (readFrame + buffered - PREFILL_FRAMES) % CAPACITY_FRAMES;
                    buffered = PREFILL_FRAMES;
                }
            }
            return;
        }
        nextBlock(block, nowNanos);
        for (BlockConsumer c : consumers) {
            c.accept(block);
        }
    }
}
