package org.screamrouter.sip.audio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ResamplerTest {

    @ParameterizedTest(name = "{0} -> {1} Hz")
    @CsvSource({"44100,48000", "88200,48000", "96000,48000", "192000,48000", "176400,48000", "48000,8000", "48000,16000",
            "48000,44100", "48000,48000", "48000,96000"})
    void aToneKeepsItsFrequencyAndLevelAndTheRateIsExact(int in, int out) {
        Resampler r = new Resampler(in, out, 2);
        double freq = 1000;
        int block = in / 100;
        int blocks = 100; // one second
        double[] left = new double[out + 10];
        int produced = 0;
        float[] buf = new float[block * 2];
        float[] res = new float[r.maxOut(block) * 2];
        for (int b = 0; b < blocks; b++) {
            for (int i = 0; i < block; i++) {
                float v = (float) (0.5 * Math.sin(2 * Math.PI * freq * (b * block + i) / in));
                buf[2 * i] = v;
                buf[2 * i + 1] = -v;
            }
            int n = r.process(buf, block, res);
            for (int i = 0; i < n; i++) {
                left[produced + i] = res[2 * i];
                assertThat(res[2 * i + 1]).isEqualTo(-res[2 * i]);
            }
            produced += n;
        }
        // the output lags the input by at most one input frame (interpolation waits for the next sample)
        assertThat(produced).as("frames out of one second").isBetween(out - 1 - (int) Math.ceil((double) out / in), out + 1);
        double[] tail = java.util.Arrays.copyOfRange(left, out / 10, out - 1);
        assertThat(Signals.toneShare(tail, out, freq)).as("share of the tone").isGreaterThan(0.95);
        assertThat(Signals.rms(tail)).as("rms").isBetween(0.5 / Math.sqrt(2) * 0.85, 0.5 / Math.sqrt(2) * 1.02);
    }

    @Test
    void downsamplingDampsWhatWouldFoldIntoTheBand() {
        // 7 kHz at 48 kHz folds to 1 kHz at 8 kHz without a low-pass
        Resampler r = new Resampler(48000, 8000, 1);
        float[] in = new float[48000];
        for (int i = 0; i < in.length; i++) in[i] = (float) (0.5 * Math.sin(2 * Math.PI * 7000 * i / 48000.0));
        float[] out = new float[r.maxOut(in.length)];
        int n = r.process(in, in.length, out);
        double[] x = new double[n - 100];
        for (int i = 0; i < x.length; i++) x[i] = out[i + 100];
        assertThat(Signals.rms(x)).isLessThan(0.5 / Math.sqrt(2) * 0.35);
    }

    @Test
    void blockSizeDoesNotChangeTheOutput() {
        float[] in = new float[4410];
        for (int i = 0; i < in.length; i++) in[i] = (float) Math.sin(i * 0.01);
        Resampler whole = new Resampler(44100, 48000, 1);
        float[] a = new float[whole.maxOut(in.length)];
        int na = whole.process(in, in.length, a);
        Resampler pieces = new Resampler(44100, 48000, 1);
        float[] b = new float[a.length + 10];
        int nb = 0;
        for (int off = 0; off < in.length; off += 441) {
            float[] chunk = java.util.Arrays.copyOfRange(in, off, off + 441);
            float[] o = new float[pieces.maxOut(441)];
            int n = pieces.process(chunk, 441, o);
            System.arraycopy(o, 0, b, nb, n);
            nb += n;
        }
        assertThat(nb).isEqualTo(na);
        for (int i = 0; i < na; i++) assertThat(b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-5f));
    }
}
