package org.screamrouter.sip.audio.internal;

/**
 * Turns interleaved audio of 1..8 channels into stereo, and stereo into 1..8 channels. Channel order is WAVE's (front
 * left, front right, centre, LFE, back/side left, back/side right, side left, side right); centre goes to both sides at
 * -3 dB, the LFE is dropped, surround channels are folded in at -3 dB. The sum is clipped to [-1, 1].
 */
final class Downmix {
    private static final float MINUS_3_DB = 0.7071f;

    private Downmix() {
    }

    static void toStereo(float[] in, int frames, int channels, float[] out) {
        for (int f = 0; f < frames; f++) {
            int i = f * channels;
            float l;
            float r;
            switch (channels) {
                case 1 -> l = r = in[i];
                case 2 -> {
                    l = in[i];
                    r = in[i + 1];
                }
                default -> {
                    float c = channels >= 3 ? in[i + 2] * MINUS_3_DB : 0;
                    l = in[i] + c;
                    r = in[i + 1] + c;
                    // 4.0/quad: FL FR BL BR has no centre: treat channels 2 and 3 as the back pair
                    if (channels == 4) {
                        l = in[i] + in[i + 2] * MINUS_3_DB;
                        r = in[i + 1] + in[i + 3] * MINUS_3_DB;
                    } else {
                        for (int s = 4; s + 1 < channels; s += 2) {
                            l += in[i + s] * MINUS_3_DB;
                            r += in[i + s + 1] * MINUS_3_DB;
                        }
                    }
                }
            }
            out[2 * f] = clip(l);
            out[2 * f + 1] = clip(r);
        }
    }

    /** Stereo to {@code channels}: mono is the mean, stereo stays, more channels get left/right and silence. */
    static void fromStereo(float[] in, int frames, int channels, float[] out) {
        for (int f = 0; f < frames; f++) {
            float l = in[2 * f];
            float r = in[2 * f + 1];
            int o = f * channels;
            if (channels == 1) {
                out[o] = (l + r) * 0.5f;
            } else {
                out[o] = l;
                out[o + 1] = r;
                for (int c = 2; c < channels; c++) out[o + c] = 0;
            }
        }
    }

    static float clip(float v) {
        return v > 1f ? 1f : Math.max(v, -1f);
    }
}
