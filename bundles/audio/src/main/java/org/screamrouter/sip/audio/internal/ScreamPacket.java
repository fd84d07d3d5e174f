package org.screamrouter.sip.audio.internal;

/**
 * A Scream audio datagram: a 5-byte header (rate family and multiplier, bits per sample, channels, channel mask), then
 * interleaved little-endian signed PCM. Decoding turns the samples into floats in [-1, 1), still interleaved with the
 * packet's own channel count and rate.
 */
final class ScreamPacket {
    static final int HEADER = 5;
    /** Scream's largest payload. */
    static final int MAX_PAYLOAD = 1152;

    /** The format a packet announces. */
    record Format(int sampleRate, int bitsPerSample, int channels, int channelMask) {
        int bytesPerFrame() {
            return bitsPerSample / 8 * channels;
        }

        @Override
        public String toString() {
            return sampleRate + " Hz " + bitsPerSample + " bit " + channels + " ch";
        }
    }

    private ScreamPacket() {
    }

    /**
     * Reads the header of {@code length} bytes at the start of {@code data}.
     *
     * @throws IllegalArgumentException naming what is wrong with the packet
     */
    static Format format(byte[] data, int length) {
        if (length < HEADER) throw new IllegalArgumentException("shorter than the 5-byte header: " + length);
        int rateByte = data[0] & 0xff;
        int base = (rateByte & 0x80) != 0 ? 44100 : 48000;
        int multiplier = rateByte & 0x7f;
        if (multiplier < 1 || multiplier > 4) throw new IllegalArgumentException("rate multiplier " + multiplier);
        int bits = data[1] & 0xff;
        if (bits != 16 && bits != 24 && bits != 32) throw new IllegalArgumentException("bits per sample " + bits);
        int channels = data[2] & 0xff;
        if (channels < 1 || channels > 8) throw new IllegalArgumentException("channels " + channels);
        int mask = (data[3] & 0xff) | (data[4] & 0xff) << 8;
        Format format = new Format(base * multiplier, bits, channels, mask);
        int payload = length - HEADER;
        if (payload > MAX_PAYLOAD) throw new IllegalArgumentException("payload of " + payload + " bytes");
        if (payload % format.bytesPerFrame() != 0) {
            throw new IllegalArgumentException("payload of " + payload + " bytes is no whole number of " + format + " frames");
        }
        return format;
    }

    /** How many frames (one sample per channel) the packet holds. */
    static int frames(Format format, int length) {
        return (length - HEADER) / format.bytesPerFrame();
    }

    /** Decodes the samples into {@code out} (interleaved, {@code frames * channels} floats). */
    static void decode(Format format, byte[] data, int length, float[] out) {
        int samples = frames(format, length) * format.channels();
        int p = HEADER;
        switch (format.bitsPerSample()) {
            case 16 -> {
                for (int i = 0; i < samples; i++, p += 2) {
                    out[i] = (short) ((data[p] & 0xff) | data[p + 1] << 8) / 32768f;
                }
            }
            case 24 -> {
                for (int i = 0; i < samples; i++, p += 3) {
                    out[i] = ((data[p] & 0xff) | (data[p + 1] & 0xff) << 8 | data[p + 2] << 16) / 8388608f;
                }
            }
            default -> {
                for (int i = 0; i < samples; i++, p += 4) {
                    out[i] = ((data[p] & 0xff) | (data[p + 1] & 0xff) << 8 | (data[p + 2] & 0xff) << 16 | data[p + 3] << 24)
                            / 2147483648f;
                }
            }
        }
    }

    /** Writes a header for {@code format} (used by tests and by the demo sender). */
    static void writeHeader(Format format, byte[] data) {
        boolean family44 = format.sampleRate() % 44100 == 0;
        int multiplier = format.sampleRate() / (family44 ? 44100 : 48000);
        data[0] = (byte) ((family44 ? 0x80 : 0) | multiplier);
        data[1] = (byte) format.bitsPerSample();
        data[2] = (byte) format.channels();
        data[3] = (byte) format.channelMask();
        data[4] = (byte) (format.channelMask() >> 8);
    }
}
