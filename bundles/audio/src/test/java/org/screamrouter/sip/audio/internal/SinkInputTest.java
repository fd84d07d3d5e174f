package org.screamrouter.sip.audio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SinkInputTest {

    private static double[] left(float[] block) {
        double[] x = new double[block.length / 2];
        for (int i = 0; i < x.length; i++) x[i] = block[2 * i];
        return x;
    }

    @Test
    void silentInputPlaysTheToneInAutoMode() {
        SinkInput in = new SinkInput("s", SinkInput.ToneMode.AUTO, 440);
        float[] block = new float[Mix.BLOCK_FRAMES * 2];
        double[] all = new double[Mix.RATE / 10];
        for (int b = 0; b < 10; b++) {
            assertThat(in.nextBlock(block, b * 10_000_000L)).isFalse();
            System.arraycopy(left(block), 0, all, b * Mix.BLOCK_FRAMES, Mix.BLOCK_FRAMES);
            for (int i = 0; i < Mix.BLOCK_FRAMES; i++) assertThat(block[2 * i + 1]).isEqualTo(block[2 * i]);
        }
        assertThat(in.toneActive()).isTrue();
        assertThat(Signals.toneShare(all, Mix.RATE, 440)).isGreaterThan(0.99);
        assertThat(Signals.rms(all)).isCloseTo(TestTone.AMPLITUDE / Math.sqrt(2), org.assertj.core.data.Offset.offset(0.005));
        assertThat(Signals.peak(all, Mix.RATE, 300, 600)).isBetween(438.0, 442.0);
    }

    @Test
    void screamInputReplacesTheToneAndOffMeansSilence() {
        SinkInput in = new SinkInput("s", SinkInput.ToneMode.AUTO, 440);
        ScreamPacket.Format f = new ScreamPacket.Format(44100, 16, 2, 3);
        long frame = 0;
        long now = 0;
        for (int i = 0; i < 20; i++) {
            byte[] p = Signals.screamSine(f, 288, 1000, 0.5, frame);
            frame += 288;
            in.onScream(p, p.length, now);
        }
        float[] block = new float[Mix.BLOCK_FRAMES * 2];
        double[] all = new double[Mix.BLOCK_FRAMES * 8];
        for (int b = 0; b < 8; b++) {
            assertThat(in.nextBlock(block, now)).isTrue();
            System.arraycopy(left(block), 0, all, b * Mix.BLOCK_FRAMES, Mix.BLOCK_FRAMES);
        }
        assertThat(in.toneActive()).isFalse();
        assertThat(in.format()).isEqualTo("44100 Hz 16 bit 2 ch");
        assertThat(Signals.toneShare(java.util.Arrays.copyOfRange(all, 100, all.length), Mix.RATE, 1000)).isGreaterThan(0.95);

        in.tone(SinkInput.ToneMode.ON, 880);
        in.nextBlock(block, now);
        assertThat(Signals.toneShare(left(block), Mix.RATE, 880)).isGreaterThan(0.9);

        in.tone(SinkInput.ToneMode.OFF, 880);
        int drained = 0;
        while (in.nextBlock(block, now + 2_000_000_000L)) drained++; // what is left of the input plays out first
        assertThat(drained).isLessThan(20);
        in.nextBlock(block, now + 2_000_000_000L);
        for (float v : block) assertThat(v).isEqualTo(0f);
        assertThat(in.badPackets()).isZero();
        assertThat(in.packets()).isEqualTo(20);
    }

    @Test
    void sinkSpecsParseAndBadOnesAreNamed() {
        var specs = SinkSpec.parse(new String[] {"living-room:4010", "kitchen:4011:523", "tone-only:0"}, 440);
        assertThat(specs.get("living-room")).isEqualTo(new SinkSpec("living-room", 4010, 440));
        assertThat(specs.get("kitchen")).isEqualTo(new SinkSpec("kitchen", 4011, 523));
        assertThat(specs.get("tone-only").port()).isZero();
        assertThat(SinkSpec.parse(new String[] {"a:4010, b:4011:880"}, 440).keySet()).containsExactly("a", "b");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SinkSpec.parse(new String[] {"nope"}, 440))
                .hasMessageContaining("'nope'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SinkSpec.parse(new String[] {"a:70000"}, 440))
                .hasMessageContaining("port");
    }

    @Test
    void opusOfferGetsScreamRoutersSenderParameters() {
        String offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n"
                + "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=20;useinbandfec=1\r\na=rtpmap:0 PCMU/8000\r\na=recvonly\r\n";
        String out = OpusOffer.withSenderParameters(offer, 512000, 10);
        assertThat(out).contains("a=fmtp:111 minptime=10;useinbandfec=0;maxaveragebitrate=512000;stereo=1;sprop-stereo=1\r\n");
        assertThat(out).contains("a=ptime:10\r\n").contains("a=rtpmap:0 PCMU/8000\r\n");
        String noFmtp = offer.replace("a=fmtp:111 minptime=20;useinbandfec=1\r\n", "");
        assertThat(OpusOffer.withSenderParameters(noFmtp, 64000, 20)).contains(
                "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=20;maxaveragebitrate=64000;useinbandfec=0;stereo=1;sprop-stereo=1\r\n");
        assertThat(OpusOffer.hasOpus(offer)).isTrue();
        assertThat(OpusOffer.hasOpus(offer.replace("opus", "G722"))).isFalse();
    }
}
