package org.screamrouter.sip.audio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

class ScreamPacketTest {

    static Stream<Arguments> formats() {
        List<Arguments> all = new ArrayList<>();
        for (int rate : new int[] {44100, 48000, 88200, 96000, 176400, 192000}) {
            for (int bits : new int[] {16, 24, 32}) {
                for (int ch = 1; ch <= 8; ch++) all.add(Arguments.of(rate, bits, ch));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} Hz {1} bit {2} ch")
    @MethodSource("formats")
    void headerAndSamplesOfEveryFormatDecode(int rate, int bits, int channels) {
        ScreamPacket.Format f = new ScreamPacket.Format(rate, bits, channels, channels == 2 ? 0x3 : 0);
        int frames = ScreamPacket.MAX_PAYLOAD / f.bytesPerFrame();
        byte[] p = Signals.screamSine(f, frames, 1000, 0.5, 0);
        ScreamPacket.Format read = ScreamPacket.format(p, p.length);
        assertThat(read).isEqualTo(f);
        assertThat(ScreamPacket.frames(read, p.length)).isEqualTo(frames);
        float[] out = new float[frames * channels];
        ScreamPacket.decode(read, p, p.length, out);
        double tolerance = bits == 16 ? 1.0 / 16384 : 1e-6;
        for (int i = 0; i < frames; i++) {
            double expected = 0.5 * Math.sin(2 * Math.PI * 1000 * i / rate);
            for (int c = 0; c < channels; c++) {
                assertThat((double) out[i * channels + c]).as("frame %d channel %d", i, c).isCloseTo(expected,
                        org.assertj.core.data.Offset.offset(tolerance));
            }
        }
    }

    @Test
    void rateByteCarriesFamilyAndMultiplier() {
        byte[] p = {(byte) 0x81, 16, 2, 3, 0, 0, 0, 0, 0};
        assertThat(ScreamPacket.format(p, p.length)).isEqualTo(new ScreamPacket.Format(44100, 16, 2, 3));
        p[0] = 2;
        assertThat(ScreamPacket.format(p, p.length).sampleRate()).isEqualTo(96000);
        p[0] = (byte) 0x84;
        assertThat(ScreamPacket.format(p, p.length).sampleRate()).isEqualTo(176400);
    }

    @Test
    void extremeSamplesOfEachDepth() {
        byte[] p16 = {1, 16, 1, 0, 0, (byte) 0x00, (byte) 0x80, (byte) 0xff, (byte) 0x7f};
        float[] out = new float[2];
        ScreamPacket.decode(ScreamPacket.format(p16, p16.length), p16, p16.length, out);
        assertThat(out[0]).isEqualTo(-1f);
        assertThat(out[1]).isEqualTo(32767 / 32768f);
        byte[] p24 = {1, 24, 1, 0, 0, 0, 0, (byte) 0x80, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        ScreamPacket.decode(ScreamPacket.format(p24, p24.length), p24, p24.length, out);
        assertThat(out[0]).isEqualTo(-1f);
        assertThat(out[1]).isEqualTo(-1 / 8388608f);
        byte[] p32 = {1, 32, 1, 0, 0, 0, 0, 0, (byte) 0x80, 0, 0, 0, (byte) 0x40};
        ScreamPacket.decode(ScreamPacket.format(p32, p32.length), p32, p32.length, out);
        assertThat(out[0]).isEqualTo(-1f);
        assertThat(out[1]).isEqualTo(0.5f);
    }

    @Test
    void badPacketsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> ScreamPacket.format(new byte[] {1, 16, 2}, 3)).hasMessageContaining("header");
        assertThatThrownBy(() -> ScreamPacket.format(new byte[] {0, 16, 2, 0, 0}, 5)).hasMessageContaining("multiplier");
        assertThatThrownBy(() -> ScreamPacket.format(new byte[] {1, 20, 2, 0, 0}, 5)).hasMessageContaining("bits");
        assertThatThrownBy(() -> ScreamPacket.format(new byte[] {1, 16, 9, 0, 0}, 5)).hasMessageContaining("channels");
        assertThatThrownBy(() -> ScreamPacket.format(new byte[] {1, 16, 2, 0, 0, 1, 2, 3}, 8)).hasMessageContaining("whole number");
        assertThatThrownBy(() -> ScreamPacket.format(new byte[2000], 1160)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void downmixOfEveryChannelCountKeepsLeftAndRightApart() {
        for (int ch = 1; ch <= 8; ch++) {
            float[] in = new float[ch];
            in[0] = 0.5f;
            float[] out = new float[2];
            Downmix.toStereo(in, 1, ch, out);
            assertThat(out[0]).as("%d ch left", ch).isEqualTo(0.5f);
            assertThat(out[1]).as("%d ch right", ch).isEqualTo(ch == 1 ? 0.5f : 0f);
        }
        float[] surround = {0, 0, 1, 0.9f, 0, 0}; // 5.1: centre to both sides at -3 dB, LFE dropped
        float[] out = new float[2];
        Downmix.toStereo(surround, 1, 6, out);
        assertThat(out[0]).isCloseTo(0.7071f, org.assertj.core.data.Offset.offset(1e-4f));
        assertThat(out[1]).isCloseTo(0.7071f, org.assertj.core.data.Offset.offset(1e-4f));
        float[] loud = {1, 1, 1, 0, 1, 1};
        Downmix.toStereo(loud, 1, 6, out);
        assertThat(out[0]).isEqualTo(1f);
    }
}
