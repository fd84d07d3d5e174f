package org.screamrouter.sip.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrickleFragmentTest {

    /** The example of RFC 8840 section 9 (INFO body). */
    private static final String RFC8840_FRAGMENT = "a=ice-options:trickle\r\n"
            + "a=ice-ufrag:8hhY\r\n"
            + "a=ice-pwd:asd88fgpdd777uzjYhagZg\r\n"
            + "m=audio 9 RTP/AVP 0\r\n"
            + "a=mid:1\r\n"
            + "a=candidate:1 1 UDP 2130706431 10.0.1.1 5000 typ host\r\n"
            + "a=candidate:1 2 UDP 2130706431 10.0.1.1 5001 typ host\r\n"
            + "a=end-of-candidates\r\n";

    @Test
    void fragmentIsParsedWithCredentialsAndCandidatesPerMid() throws SdpParseException {
        SdpFragment f = SdpFragment.parse(RFC8840_FRAGMENT);
        assertThat(f.iceUfrag()).contains("8hhY");
        assertThat(f.icePwd()).contains("asd88fgpdd777uzjYhagZg");
        assertThat(f.iceOptions()).containsExactly("trickle");
        assertThat(f.candidates("1")).extracting(Candidate::port).containsExactly(5000, 5001);
        assertThat(f.media().get(0).endOfCandidates()).isTrue();
        assertThat(f.candidates("2")).isEmpty();
    }

    @Test
    void fragmentIsWrittenBackByteForByte() throws SdpParseException {
        assertThat(SdpFragment.parse(RFC8840_FRAGMENT).toSdpFrag()).isEqualTo(RFC8840_FRAGMENT);
        assertThat(SdpFragment.parse(RFC8840_FRAGMENT.replace("\r\n", "\n")).toSdpFrag()).isEqualTo(RFC8840_FRAGMENT);
    }

    @Test
    void fragmentBuiltFromCandidatesReadsBackTheSame() throws SdpParseException {
        Candidate c = Candidate.parse("candidate:1 1 UDP 2130706431 10.0.1.1 5000 typ host").orElseThrow();
        Candidate c2 = Candidate.parse("candidate:1 2 UDP 2130706431 10.0.1.1 5001 typ host").orElseThrow();
        SdpFragment built = SdpFragment.of("8hhY", "asd88fgpdd777uzjYhagZg", "audio", "1", List.of(c, c2), true);
        assertThat(built.toSdpFrag()).isEqualTo(RFC8840_FRAGMENT);
        assertThat(SdpFragment.parse(built.toSdpFrag())).isEqualTo(built);
    }

    @Test
    void brokenCandidateInAFragmentIsADiagnostic() {
        SdpFragment.Lenient r = SdpFragment.parseLenient("a=mid:0\r\na=candidate:1 1 UDP x 10.0.1.1 5000 typ host\r\n");
        assertThat(r.diagnostics()).extracting(Diagnostic::toString)
                .containsExactly("line 2 `a=candidate:1 1 UDP x 10.0.1.1 5000 typ host`: invalid priority x");
    }
}
