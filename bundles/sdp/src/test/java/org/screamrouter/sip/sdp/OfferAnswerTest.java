package org.screamrouter.sip.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class OfferAnswerTest {

    private static final String BARESIP_OFFER = "v=0\r\n"
            + "o=- 1234 5678 IN IP4 192.168.1.20\r\n"
            + "s=-\r\n"
            + "c=IN IP4 192.168.1.20\r\n"
            + "t=0 0\r\n"
            + "m=audio 10000 RTP/AVP 0 8 9 96 101\r\n"
            + "a=rtpmap:0 PCMU/8000\r\n"
            + "a=rtpmap:8 PCMA/8000\r\n"
            + "a=rtpmap:9 G722/8000\r\n"
            + "a=rtpmap:96 opus/48000/2\r\n"
            + "a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
            + "a=rtpmap:101 telephone-event/8000\r\n"
            + "a=fmtp:101 0-15\r\n"
            + "a=sendrecv\r\n"
            + "a=label:1\r\n";

    private static LocalCapabilities local(List<Codec> codecs, boolean dtmf, Direction direction) {
        return new LocalCapabilities("screamrouter", "4242", 1, "192.168.1.2", 30000, codecs, dtmf, direction);
    }

    @Test
    void baresipOfferIsAnsweredInOfferersOrderWithOfferersPayloadTypes() throws Exception {
        OfferAnswer oa = new OfferAnswer(local(List.of(Codec.OPUS, Codec.PCMA), true, Direction.SENDRECV));
        SessionDescription answer = oa.answer(SdpParser.parse(BARESIP_OFFER));
        assertThat(answer.toSdp()).isEqualTo("v=0\r\n"
                + "o=screamrouter 4242 1 IN IP4 192.168.1.2\r\n"
                + "s=-\r\n"
                + "c=IN IP4 192.168.1.2\r\n"
                + "t=0 0\r\n"
                + "m=audio 30000 RTP/AVP 8 96 101\r\n"
                + "a=rtpmap:8 PCMA/8000\r\n"
                + "a=rtpmap:96 opus/48000/2\r\n"
                + "a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\n"
                + "a=fmtp:101 0-15\r\n"
                + "a=sendrecv\r\n");
    }

    @Test
    void answerIsItselfAValidDescription() throws Exception {
        SessionDescription answer = new OfferAnswer(local(List.of(Codec.OPUS), true, Direction.SENDRECV))
                .answer(SdpParser.parse(BARESIP_OFFER));
        assertThat(SdpParser.parse(answer.toSdp())).isEqualTo(answer);
    }

    @Test
    void localFmtpReplacesTheOfferersForThatCodec() throws Exception {
        Codec opus = new Codec("opus", 48000, 2, "minptime=10;useinbandfec=0;stereo=1");
        SessionDescription answer = new OfferAnswer(local(List.of(opus), false, Direction.SENDRECV))
                .answer(SdpParser.parse(BARESIP_OFFER));
        MediaDescription audio = answer.media().get(0);
        assertThat(audio.formats()).containsExactly("96");
        assertThat(audio.fmtp("96").orElseThrow().parameters()).isEqualTo("minptime=10;useinbandfec=0;stereo=1");
    }

    @Test
    void telephoneEventIsDroppedWhenTheLocalSideDoesNotSupportIt() throws Exception {
        SessionDescription answer = new OfferAnswer(local(List.of(Codec.PCMU), false, Direction.SENDRECV))
                .answer(SdpParser.parse(BARESIP_OFFER));
        assertThat(answer.media().get(0).formats()).containsExactly("0");
        assertThat(answer.media().get(0).rtpMaps()).extracting(RtpMap::encodingName).containsExactly("PCMU");
    }

    @Test
    void telephoneEventIsNotOfferedBackWhenTheOffererLacksIt() throws Exception {
        SessionDescription answer = new OfferAnswer(local(List.of(Codec.PCMU), true, Direction.SENDRECV))
                .answer(SdpParser.parse(Corpus.text("plain-rtp-avp-pcmu.sdp")));
        assertThat(answer.media().get(0).formats()).containsExactly("0");
    }

    @Test
    void plainRtpCorpusOfferIsAnsweredWithPcmuOnOurPort() throws Exception {
        SessionDescription offer = SdpParser.parse(Corpus.text("plain-rtp-avp-pcmu.sdp"));
        SessionDescription answer = new OfferAnswer(local(List.of(Codec.OPUS, Codec.PCMU, Codec.PCMA), true, Direction.SENDRECV))
                .answer(offer);
        assertThat(answer.toSdp()).isEqualTo("v=0\r\n"
                + "o=screamrouter 4242 1 IN IP4 192.168.1.2\r\n"
                + "s=-\r\n"
                + "c=IN IP4 192.168.1.2\r\n"
                + "t=0 0\r\n"
                + "m=audio 30000 RTP/AVP 0\r\n"
                + "a=rtpmap:0 PCMU/8000\r\n"
                + "a=sendrecv\r\n");
    }

    @Test
    void directionIsMirroredAndNarrowedByTheLocalSide() throws Exception {
        OfferAnswer full = new OfferAnswer(local(List.of(Codec.PCMU), false, Direction.SENDRECV));
        assertThat(answerDirection(full, "sendonly")).isEqualTo(Direction.RECVONLY);
        assertThat(answerDirection(full, "recvonly")).isEqualTo(Direction.SENDONLY);
        assertThat(answerDirection(full, "inactive")).isEqualTo(Direction.INACTIVE);
        OfferAnswer sink = new OfferAnswer(local(List.of(Codec.PCMU), false, Direction.RECVONLY));
        assertThat(answerDirection(sink, "sendrecv")).isEqualTo(Direction.RECVONLY);
        assertThat(answerDirection(sink, "recvonly")).isEqualTo(Direction.INACTIVE);
    }

    private static Direction answerDirection(OfferAnswer oa, String offered) throws Exception {
        SessionDescription answer = oa.answer(SdpParser.parse(BARESIP_OFFER.replace("a=sendrecv", "a=" + offered)));
        return answer.direction(answer.media().get(0));
    }

    @Test
    void everyNewAnswerOfTheSessionIncrementsTheOriginVersion() throws Exception {
        OfferAnswer oa = new OfferAnswer(local(List.of(Codec.PCMU), false, Direction.SENDRECV));
        SessionDescription offer = SdpParser.parse(BARESIP_OFFER);
        assertThat(oa.answer(offer).origin().sessionVersion()).isEqualTo("1");
        assertThat(oa.answer(offer).origin().sessionVersion()).isEqualTo("2");
        SessionDescription third = oa.answer(offer);
        assertThat(third.origin().sessionVersion()).isEqualTo("3");
        assertThat(third.origin().sessionId()).isEqualTo("4242");
    }

    @Test
    void unsupportedMediaLinesAreRejectedWithPortZeroInOfferOrder() throws Exception {
        SessionDescription offer = SdpParser.parse("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
                + "m=video 5000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"
                + "m=audio 5002 RTP/AVP 0\r\n"
                + "m=audio 5004 RTP/AVP 8\r\n"
                + "m=audio 5006 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n");
        SessionDescription answer = new OfferAnswer(local(List.of(Codec.PCMU, Codec.PCMA, Codec.OPUS), false, Direction.SENDRECV))
                .answer(offer);
        assertThat(answer.media()).extracting(MediaDescription::media).containsExactly("video", "audio", "audio", "audio");
        assertThat(answer.media()).extracting(MediaDescription::port).containsExactly(0, 30000, 0, 0);
        assertThat(answer.media().get(0).formats()).containsExactly("96");
        assertThat(answer.media().get(3).protocol()).isEqualTo("UDP/TLS/RTP/SAVPF");
    }

    @Test
    void noCommonCodecIsATypedFailureForA488() throws SdpParseException {
        OfferAnswer oa = new OfferAnswer(local(List.of(Codec.L16_48000_STEREO), true, Direction.SENDRECV));
        assertThatThrownBy(() -> oa.answer(SdpParser.parse(BARESIP_OFFER)))
                .isInstanceOfSatisfying(OfferRejectedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(OfferRejectedException.Reason.NO_COMMON_CODEC);
                    assertThat(e.sipStatus()).isEqualTo(488);
                    assertThat(e.getMessage()).isEqualTo(
                            "no common codec: offered PCMU/8000, PCMA/8000, G722/8000, opus/48000/2; supported L16/48000/2");
                });
    }

    @Test
    void webRtcOnlyOfferHasNoSupportedMedia() throws SdpParseException {
        OfferAnswer oa = new OfferAnswer(local(List.of(Codec.OPUS), true, Direction.SENDRECV));
        assertThatThrownBy(() -> oa.answer(SdpParser.parse(Corpus.text("chrome-audio-only.sdp"))))
                .isInstanceOfSatisfying(OfferRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(OfferRejectedException.Reason.NO_SUPPORTED_MEDIA));
    }
}
