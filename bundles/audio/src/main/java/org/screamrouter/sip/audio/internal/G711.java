package org.screamrouter.sip.audio.internal;

/** ITU-T G.711 mu-law and A-law (the classic segment encoders, as in the ITU reference code). */
final class G711 {
    private static final int BIAS = 0x84;
    private static final int CLIP = 32635;

    private G711() {
    }

    static byte ulaw(int pcm) {
        int sign = (pcm >> 8) & 0x80;
        if (sign != 0) pcm = -pcm;
        if (pcm > CLIP) pcm = CLIP;
        pcm += BIAS;
        int exponent = 7;
        for (int mask = 0x4000; (pcm & mask) == 0 && exponent > 0; mask >>= 1) exponent--;
        int mantissa = (pcm >> (exponent + 3)) & 0x0f;
        return (byte) ~(sign | exponent << 4 | mantissa);
    }

    static int ulawToLinear(byte code) {
        int u = ~code & 0xff;
        int t = ((u & 0x0f) << 3) + BIAS;
        t <<= (u & 0x70) >> 4;
        return (u & 0x80) != 0 ? BIAS - t : t - BIAS;
    }

    private static final int[] A_SEGMENT_END = {0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff};

    static byte alaw(int pcm) {
        int v = pcm >> 3;
        int mask;
        if (v >= 0) {
            mask = 0xd5;
        } else {
            mask = 0x55;
            v = -v - 1;
        }
        int segment = 0;
        while (segment < 8 && v > A_SEGMENT_END[segment]) segment++;
        if (segment == 8) return (byte) (0x7f ^ mask);
        int code = segment << 4 | (segment < 2 ? (v >> 1) : (v >> segment)) & 0x0f;
        return (byte) (code ^ mask);
    }

    static int alawToLinear(byte code) {
        int a = (code & 0xff) ^ 0x55;
        int t = (a & 0x0f) << 4;
        int seg = (a & 0x70) >> 4;
        if (seg == 0) t += 8;
        else t = (t + 0x108) << (seg - 1);
        return (a & 0x80) != 0 ? t : -t;
    }

    static int toPcm16(float v) {
        int s = Math.round(v * 32768f);
        return s > 32767 ? 32767 : Math.max(s, -32768);
    }
}
