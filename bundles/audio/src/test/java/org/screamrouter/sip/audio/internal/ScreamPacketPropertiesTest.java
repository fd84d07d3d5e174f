package org.screamrouter.sip.audio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing the Scream packet reader (issue 13): whatever a datagram on a sink's input port holds, the sink input never
 * throws, counts it as a packet or a bad packet, and the audio it makes stays finite and within [-1, 1]. Headers are
 * drawn mostly from the values the reader accepts, so the decoders and the resampler are reached too. Bounded to a few
 * seconds here; more tries: {@code -Djqwik.tries.default=100000}.
 */
class ScreamPacketPropertiesTest {

    @Property
    void anyDatagramIsCountedAndMakesBoundedAudio(@ForAll("datagrams") byte[] datagram, @ForAll @IntRange(min = 0, max = 1300) int cut) {
        SinkInput in = new SinkInput("fuzz", SinkInput.ToneMode.OFF, 440);
        int length = Math.min(datagram.length, cut);
        in.onScream(datagram, length, 1_000_000L);
        in.onScream(datagram, datagram.length, 2_000_000L);
        assertThat(in.packets() + in.badPackets()).isEqualTo(2);
        float[] block = new float[Mix.BLOCK_FRAMES * 2];
        for (int i = 0; i < 20; i++) {
            in.nextBlock(block, 3_000_000L + i * 10_000_000L);
            for (float f : block) {
                assertThat(Float.isFinite(f) && f >= -1.0001f && f <= 1.0001f).as("sample %s", f).isTrue();
            }
        }
    }

    @Property
    void randomBytesNeverThrow(@ForAll @Size(max = 1400) byte[] bytes) {
        SinkInput in = new SinkInput("fuzz", SinkInput.ToneMode.OFF, 440);
        in.onScream(bytes, bytes.length, 1L);
        assertThat(in.packets() + in.badPackets()).isEqualTo(1);
    }

    @Provide
    Arbitrary<byte[]> datagrams() {
        Arbitrary<Integer> rate = Arbitraries.oneOf(Arbitraries.integers().between(0, 255), Arbitraries.of(1, 2, 3, 4, 0x81, 0x82, 0x84));
        Arbitrary<Integer> bits = Arbitraries.oneOf(Arbitraries.integers().between(0, 255), Arbitraries.of(16, 24, 32));
        Arbitrary<Integer> channels = Arbitraries.oneOf(Arbitraries.integers().between(0, 255), Arbitraries.integers().between(1, 8));
        Arbitrary<byte[]> payload = Arbitraries.bytes().array(byte[].class).ofMaxSize(1300);
        return net.jqwik.api.Combinators.combine(rate, bits, channels, payload).as((r, b, c, p) -> {
            byte[] d = new byte[ScreamPacket.HEADER + p.length];
            d[0] = (byte) (int) r;
            d[1] = (byte) (int) b;
            d[2] = (byte) (int) c;
            d[3] = 3;
            System.arraycopy(p, 0, d, ScreamPacket.HEADER, p.length);
            return d;
        });
    }
}
