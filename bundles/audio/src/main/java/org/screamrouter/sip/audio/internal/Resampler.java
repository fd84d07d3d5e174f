package org.screamrouter.sip.audio.internal;

import java.util.Arrays;

/**
 * Streaming sample-rate conversion of interleaved audio by linear interpolation, with a moving-average low-pass in
 * front when the rate goes down (so 48 kHz to 8 kHz does not fold everything above 4 kHz back into the band). State
 * carries across blocks, so a stream cut into any blocks gives the same output. Not for hi-fi; speech and tones to
 * G.711/L16 endpoints and Scream input at 44.1 kHz multiples into the 48 kHz mix are what it serves.
 */
final class Resampler {
    private final int inRate;
    private final int outRate;
    private final int channels;
    private final double step;
    /** Moving-average length (1: no filter). */
    private final int taps;
    private final float[][] history;
    private final float[] sums;
    private int historyPos;
    /** The last input frame of the previous block (position 0 of the virtual array). */
    private final float[] last;
    /** Next output position, in input frames, relative to {@link #last} at 0. */
    private double pos = 1;

    Resampler(int inRate, int outRate, int channels) {
        if (inRate <= 0 || outRate <= 0 || channels <= 0) throw new IllegalArgumentException(inRate + "->" + outRate);
        this.inRate = inRate;
        this.outRate = outRate;
        this.channels = channels;
        this.step = (double) inRate / outRate;
        this.taps = step > 1.5 ? (int) Math.floor(step) : 1;
        this.history = new float[channels][taps];
        this.sums = new float[channels];
        this.last = new float[channels];
    }

    int inRate() {
        return inRate;
    }

    int outRate() {
        return outRate;
    }

    /** Output frames a block of {@code frames} input frames gives at most. */
    int maxOut(int frames) {
        return (int) Math.ceil(frames / step) + 2;
    }

    /**
     * Converts {@code frames} interleaved input frames; returns the number of output frames written to {@code out}
     * (which must hold {@link #maxOut(int)} frames).
     */
    int process(float[] in, int frames, float[] out) {
        if (inRate == outRate) {
            System.arraycopy(in, 0, out, 0, frames * channels);
            return frames;
        }
        float[] x = taps > 1 ? lowPass(in, frames) : in;
        int produced = 0;
        while (true) {
            int i = (int) Math.floor(pos);
            if (i + 1 > frames) break;
            float frac = (float) (pos - i);
            for (int c = 0; c < channels; c++) {
                float a = i == 0 ? last[c] : x[(i - 1) * channels + c];
                float b = x[i * channels + c];
                out[produced * channels + c] = a + (b - a) * frac;
            }
            produced++;
            pos += step;
        }
        pos -= frames;
        if (frames > 0) System.arraycopy(x, (frames - 1) * channels, last, 0, channels);
        return produced;
    }

    private float[] lowPass(float[] in, int frames) {
        float[] out = new float[frames * channels];
        for (int f = 0; f < frames; f++) {
            for (int c = 0; c < channels; c++) {
                float v = in[f * channels + c];
                sums[c] += v - history[c][historyPos];
                history[c][historyPos] = v;
                out[f * channels + c] = sums[c] / taps;
            }
            historyPos = (historyPos + 1) % taps;
        }
        return out;
    }

    void reset() {
        pos = 1;
        Arrays.fill(last, 0);
        Arrays.fill(sums, 0);
        for (float[] h : history) Arrays.fill(h, 0);
    }
}
