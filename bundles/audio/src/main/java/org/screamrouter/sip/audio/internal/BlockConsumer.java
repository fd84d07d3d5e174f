package org.screamrouter.sip.audio.internal;

/** Takes each 10 ms block of a sink's mix (48 kHz stereo, interleaved), on the clock thread; must not block or keep it. */
interface BlockConsumer {
    void accept(float[] block);
}
