package org.screamrouter.sip.audio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.audio.RtpCodec;

class RtpPacketizerTest {

    @Test
    void headerFieldsFollowRfc3550() {
        RtpPacketizer p = new RtpPacketizer(0, 0xdeadbeef, 0xfffe, 0xfffffff0, 160);
        byte[] pkt = new byte[12];
        int[] seq = new int[4];
        long[] ts = new long[4];
        for (int i = 0; i < 4; i++) {
            p.nextHeader(pkt);
            ByteBuffer b = ByteBuffer.wrap(pkt);
            assertThat(pkt[0] & 0xff).as("V=2, P=0, X=0, CC=0").isEqualTo(0x80);
            assertThat(pkt[1] & 0x7f).as("payload type").isEqualTo(0);
            assertThat((pkt[1] & 0x80) != 0).as("marker on the first packet only").isEqualTo(i == 0);
            seq[i] = b.getShort(2) & 0xffff;
            ts[i] = b.getInt(4) & 0xffffffffL;
            assertThat(b.getInt(8)).as("SSRC constant").isEqualTo(0xdeadbeef);
        }
        assertThat(seq).containsExactly(0xfffe, 0xffff, 0, 1); // wraps
        assertThat(ts).containsExactly(0xfffffff0L, 0x90L, 0x130L, 0x1d0L); // step 160, wraps mod 2^32
    }

    @Test
    void randomStartsDiffer() {
        Random r = new Random(42);
        RtpPacketizer a = new RtpPacketizer(8, 160, r);
        RtpPacketizer b = new RtpPacketizer(8, 160, r);
        assertThat(a.ssrc()).isNotEqualTo(b.ssrc());
    }

    @Test
    void codecFramesAndTimestampSteps() {
        assertThat(RtpCodec.PCMU_8000.samplesPerFrame()).isEqualTo(160);
        assertThat(RtpCodec.PCMU_8000.rtpmap()).isEqualTo("PCMU/8000");
        assertThat(new RtpCodec(RtpCodec.Encoding.L16, 96, 8000, 1).samplesPerFrame()).isEqualTo(160);
        assertThat(new RtpCodec(RtpCodec.Encoding.L16, 96, 16000, 1).frameMillis()).isEqualTo(20);
        assertThat(RtpCodec.L16_48000_STEREO.frameMillis()).isEqualTo(5);
        assertThat(RtpCodec.L16_48000_STEREO.samplesPerFrame()).isEqualTo(240);
        assertThat(RtpCodec.L16_48000_STEREO.rtpmap()).isEqualTo("L16/48000/2");
        assertThatThrownBy(() -> new RtpCodec(RtpCodec.Encoding.PCMU, 0, 16000, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RtpCodec(RtpCodec.Encoding.L16, 128, 48000, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void l16IsBigEndianAndG711IsOneBytePerSample() {
        float[] stereo = {0.5f, 0.5f, -0.5f, -0.5f};
        byte[] out = new byte[16];
        int n = RtpListener.encode(new RtpCodec(RtpCodec.Encoding.L16, 96, 8000, 1), stereo, 2, new float[4], out, 0);
        assertThat(n).isEqualTo(4);
        assertThat(ByteBuffer.wrap(out).getShort(0)).isEqualTo((short) 16384);
        assertThat(ByteBuffer.wrap(out).getShort(2)).isEqualTo((short) -16384);
        n = RtpListener.encode(RtpCodec.PCMA_8000, stereo, 2, new float[4], out, 0);
        assertThat(n).isEqualTo(2);
        assertThat(G711.alawToLinear(out[0])).isBetween(15800, 16900);
    }
}
