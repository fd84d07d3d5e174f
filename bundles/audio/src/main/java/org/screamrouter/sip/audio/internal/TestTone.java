package org.screamrouter.sip.audio.internal;

/** A continuous sine at -12 dBFS on both channels of the 48 kHz stereo mix, so that a demo call always has audio. */
final class TestTone {
    static final float AMPLITUDE = 0.25f;
    private final double increment;
    private double phase;

    TestTone(double frequency) {
        if (!(frequency > 0 && frequency < Mix.RATE / 2.0)) throw new IllegalArgumentException("tone frequency " + frequency);
        this.increment = 2 * Math.PI * frequency / Mix.RATE;
    }

    /** Writes {@code frames} stereo frames of the tone into {@code out}, continuing where the last call ended. */
    void fill(float[] out, int frames) {
        for (int f = 0; f < frames; f++) {
            float v = (float) (Math.sin(phase) * AMPLITUDE);
            out[2 * f] = v;
            out[2 * f + 1] = v;
            phase += increment;
            if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
        }
    }
}
