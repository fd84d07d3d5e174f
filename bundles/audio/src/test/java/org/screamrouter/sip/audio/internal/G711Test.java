package org.screamrouter.sip.audio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Known code words of ITU-T G.711 (Tables 1a/2a: zero, the segment ends, the extremes) and round trips. */
class G711Test {

    @Test
    void muLawKnownValues() {
        assertThat(G711.ulaw(0)).isEqualTo((byte) 0xff);
        assertThat(G711.ulaw(-1)).isEqualTo((byte) 0x7f);
        assertThat(G711.ulaw(32767)).isEqualTo((byte) 0x80);
        assertThat(G711.ulaw(-32768)).isEqualTo((byte) 0x00);
        assertThat(G711.ulaw(1000)).isEqualTo((byte) 0xce);
        assertThat(G711.ulaw(-1000)).isEqualTo((byte) 0x4e);
        assertThat(G711.ulawToLinear((byte) 0xff)).isEqualTo(0);
        assertThat(G711.ulawToLinear((byte) 0x80)).isEqualTo(32124);
        assertThat(G711.ulawToLinear((byte) 0x00)).isEqualTo(-32124);
        assertThat(G711.ulawToLinear((byte) 0xce)).isEqualTo(988);
    }

    @Test
    void aLawKnownValues() {
        assertThat(G711.alaw(0)).isEqualTo((byte) 0xd5);
        assertThat(G711.alaw(-8)).isEqualTo((byte) 0x55);
        assertThat(G711.alaw(32767)).isEqualTo((byte) 0xaa);
        assertThat(G711.alaw(-32768)).isEqualTo((byte) 0x2a);
        assertThat(G711.alaw(1000)).isEqualTo((byte) 0xfa);
        assertThat(G711.alawToLinear((byte) 0xd5)).isEqualTo(8);
        assertThat(G711.alawToLinear((byte) 0xaa)).isEqualTo(32256);
        assertThat(G711.alawToLinear((byte) 0x2a)).isEqualTo(-32256);
        assertThat(G711.alawToLinear((byte) 0xfa)).isEqualTo(1008);
    }

    @Test
    void roundTripsStayWithinTheSegmentStep() {
        for (int s = -32768; s <= 32767; s += 7) {
            int u = G711.ulawToLinear(G711.ulaw(s));
            int a = G711.alawToLinear(G711.alaw(s));
            int step = Math.max(16, Math.abs(s) / 16);
            assertThat(Math.abs(u - Math.max(-32124, Math.min(32124, s)))).as("mu-law %d -> %d", s, u).isLessThanOrEqualTo(step * 2);
            assertThat(Math.abs(a - s)).as("A-law %d -> %d", s, a).isLessThanOrEqualTo(step * 2);
        }
    }

    @Test
    void encodingIsMonotonic() {
        int last = Integer.MIN_VALUE;
        for (int s = -32768; s <= 32767; s++) {
            int u = G711.ulawToLinear(G711.ulaw(s));
            assertThat(u).isGreaterThanOrEqualTo(last);
            last = u;
        }
    }
}
