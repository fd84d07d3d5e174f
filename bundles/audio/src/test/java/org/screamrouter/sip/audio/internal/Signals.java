package org.screamrouter.sip.audio.internal;

/** Measuring a tone in test audio: the Goertzel power at one frequency against the total power. */
final class Signals {
    private Signals() {
    }

    /** The fraction of the signal's energy at {@code frequency} (1.0 for a pure sine there), by the Goertzel algorithm. */
    static double toneShare(double[] x, double rate, double frequency) {
        int n = x.length;
        double w = 2 * Math.PI * frequency / rate;
        double coeff = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (double v : x) {
            double s = v + coeff * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        double energy = 0;
        for (double v : x) energy += v * v;
        return energy == 0 ? 0 : 2 * power / (n * energy);
    }

    /**
     * The fraction of {@code frame}-sample windows whose energy is mostly ({@code > 0.9}) at {@code frequency}: robust to
     * the odd gap a starved test machine causes, which spreads energy over the whole of a long window.
     */
    static double cleanFrames(double[] x, int frame, double rate, double frequency) {
        int clean = 0;
        int n = x.length / frame;
        for (int i = 0; i < n; i++) {
            if (toneShare(java.util.Arrays.copyOfRange(x, i * frame, (i + 1) * frame), rate, frequency) > 0.9) clean++;
        }
        return (double) clean / n;
    }

    static double rms(double[] x) {
        double e = 0;
        for (double v : x) e += v * v;
        return Math.sqrt(e / x.length);
    }

    /** The frequency in [lo, hi] (step 1 Hz) with the largest share. */
    static double peak(double[] x, double rate, double lo, double hi) {
        double best = lo;
        double bestShare = -1;
        for (double f = lo; f <= hi; f += 1) {
            double s = toneShare(x, rate, f);
            if (s > bestShare) {
                bestShare = s;
                best = f;
            }
        }
        return best;
    }

    /** A Scream packet of a sine: {@code frames} frames, every channel the same. */
    static byte[] screamSine(ScreamPacket.Format format, int frames, double frequency, double amplitude, long startFrame) {
        int bytes = format.bitsPerSample() / 8;
        byte[] p = new byte[ScreamPacket.HEADER + frames * format.bytesPerFrame()];
        ScreamPacket.writeHeader(format, p);
        int o = ScreamPacket.HEADER;
        for (int f = 0; f < frames; f++) {
            double v = amplitude * Math.sin(2 * Math.PI * frequency * (startFrame + f) / format.sampleRate());
            long s = Math.round(v * ((1L << (format.bitsPerSample() - 1)) - 1));
            for (int c = 0; c < format.channels(); c++) {
                for (int b = 0; b < bytes; b++) p[o++] = (byte) (s >> (8 * b));
            }
        }
        return p;
    }
}
