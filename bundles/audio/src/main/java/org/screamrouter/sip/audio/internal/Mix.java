package org.screamrouter.sip.audio.internal;

/** The bridge's internal format: 48 kHz stereo float, in blocks of 10 ms (what libwebrtc takes per push). */
final class Mix {
    static final int RATE = 48000;
    static final int CHANNELS = 2;
    static final int BLOCK_FRAMES = RATE / 100;
    static final int BLOCK_MILLIS = 10;

    private Mix() {
    }

    /** Little-endian 16-bit PCM of a block, as CustomAudioSource.pushAudio wants it. */
    static void toPcm16Le(float[] block, byte[] out) {
        for (int i = 0; i < block.length; i++) {
            int s = G711.toPcm16(block[i]);
            out[2 * i] = (byte) s;
            out[2 * i + 1] = (byte) (s >> 8);
        }
    }
}
