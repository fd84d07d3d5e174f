package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.screamrouter.sip.audio.RtpCodec;
import org.screamrouter.sip.sdp.LocalCapabilities;
import org.screamrouter.sip.sdp.OfferAnswer;
import org.screamrouter.sip.sdp.OfferRejectedException;
import org.screamrouter.sip.sdp.SdpParser;
import org.screamrouter.sip.sdp.SessionDescription;

class RtpNegotiationTest {
    private static SessionDescription answer(String mLine, String... attributes) throws Exception {
        StringBuilder sdp = new StringBuilder("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n")
                .append(mLine).append("\r\n");
        for (String a : attributes) sdp.append("a=").append(a).append("\r\n");
        LocalCapabilities local = RtpNegotiation.local("127.0.0.1", 30000, "42");
        return OfferAnswer.answer(SdpParser.parse(sdp.toString()), local, RtpNegotiation.origin(local));
    }

    @Test
    void baresipsOfferGetsTheFirstCodecTheBridgeSendsSendOnly() throws Exception {
        SessionDescription a = answer("m=audio 10000 RTP/AVP 96 9 0 8 101", "rtpmap:96 opus/48000/2", "rtpmap:101 telephone-event/8000");
        var audio = RtpNegotiation.acceptedAudio(a).orElseThrow();
        assertThat(audio.formats()).containsExactly("0", "8");
        assertThat(RtpNegotiation.codecOf(audio)).isEqualTo(RtpCodec.PCMU_8000);
        assertThat(audio.port()).isEqualTo(30000);
        assertThat(a.toSdp()).contains("a=sendonly");
    }

    @Test
    void l16KeepsTheOfferersPayloadType() throws Exception {
        var audio = RtpNegotiation.acceptedAudio(answer("m=audio 10000 RTP/AVP 127", "rtpmap:127 L16/48000/2")).orElseThrow();
        assertThat(RtpNegotiation.codecOf(audio)).isEqualTo(RtpCodec.L16_48000_STEREO);
    }

    @Test
    void l16AtFortyEightKilohertzStereoIsAnsweredWithTheFiveMillisecondPacketsTheBridgeSends() throws Exception {
        SessionDescription a = RtpNegotiation.withPacketTime(answer("m=audio 10000 RTP/AVP 127", "rtpmap:127 L16/48000/2", "ptime:20"));
        assertThat(a.toSdp()).contains("a=ptime:5").doesNotContain("a=ptime:20");
        SessionDescription pcmu = RtpNegotiation.withPacketTime(answer("m=audio 10000 RTP/AVP 0"));
        assertThat(pcmu.toSdp()).doesNotContain("a=ptime");
    }

    @Test
    void noCommonCodecIsRejectedWithTheReason() {
        assertThatThrownBy(() -> answer("m=audio 10000 RTP/AVP 96", "rtpmap:96 opus/48000/2"))
                .isInstanceOf(OfferRejectedException.class).hasMessageContaining("no common codec");
    }
}
