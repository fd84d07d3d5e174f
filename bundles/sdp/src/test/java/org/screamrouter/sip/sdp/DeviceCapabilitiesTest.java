package org.screamrouter.sip.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceCapabilitiesTest {

    private static DeviceCapabilities of(String corpusFile) throws SdpParseException {
        return DeviceCapabilities.from(SdpParser.parse(Corpus.text(corpusFile)));
    }

    @Test
    void chromeAudioOfferIsWebRtcWithItsCodecsIceAndDtls() throws SdpParseException {
        DeviceCapabilities c = of("chrome-audio-only.sdp");
        assertThat(c.webRtc()).isTrue();
        assertThat(c.rtpPort()).isEqualTo(45076);
        assertThat(c.connectionAddress()).isEqualTo("192.168.99.58");
        assertThat(c.direction()).isEqualTo(Direction.SENDRECV);
        assertThat(c.iceUfrag()).isEqualTo("5+Ix");
        assertThat(c.icePwd()).isEqualTo("uK8IlylxzDMUhrkVzdmj0M+v");
        assertThat(c.fingerprint().hex()).startsWith("6B:8B:5D:EA");
        assertThat(c.setup()).isEqualTo(Setup.ACTPASS);
        assertThat(c.audioFormats()).extracting(AudioFormat::payloadType)
                .containsExactly(111, 103, 104, 9, 0, 8, 106, 105, 13, 110, 112, 113, 126);
        assertThat(c.audioFormats().get(0)).isEqualTo(new AudioFormat(111, "opus", 48000, 2));
        assertThat(c.audioFormat(9)).contains(new AudioFormat(9, "G722", 8000, 1));
        assertThat(c.uuid()).isNull();
        assertThat(c.protocols()).isEmpty();
    }

    @Test
    void firefoxOfferTakesTheSessionLevelFingerprint() throws SdpParseException {
        DeviceCapabilities c = of("firefox58-audio-only.sdp");
        assertThat(c.webRtc()).isTrue();
        assertThat(c.rtpPort()).isEqualTo(45274);
        assertThat(c.iceUfrag()).isEqualTo("403a81e1");
        assertThat(c.icePwd()).isEqualTo("f9b83487285016f7492197a5790ceee5");
        assertThat(c.fingerprint().hex()).startsWith("EB:A9:3E:50");
        assertThat(c.setup()).isEqualTo(Setup.ACTPASS);
        assertThat(c.audioFormats()).containsExactly(new AudioFormat(109, "opus", 48000, 2),
                new AudioFormat(9, "G722", 8000, 1), new AudioFormat(0, "PCMU", 8000, 1),
                new AudioFormat(8, "PCMA", 8000, 1), new AudioFormat(101, "telephone-event", 8000, 1));
    }

    @Test
    void firefox121AndChromium120OffersWithoutCandidatesAreStillWebRtc() throws SdpParseException {
        DeviceCapabilities ff = of("firefox121-audio-video-offer.sdp");
        assertThat(ff.webRtc()).isTrue();
        assertThat(ff.rtpPort()).isEqualTo(9);
        assertThat(ff.iceUfrag()).isEqualTo("6c0579ea");
        assertThat(ff.fingerprint().hex()).startsWith("75:4F:CA");
        DeviceCapabilities chromium = of("chromium120-audio-video-offer.sdp");
        assertThat(chromium.audioFormats()).extracting(AudioFormat::codec)
                .containsExactly("opus", "red", "G722", "PCMU", "PCMA", "CN", "telephone-event", "telephone-event");
        assertThat(chromium.iceUfrag()).isEqualTo("nWnq");
    }

    @Test
    void plainRtpOfferIsNotWebRtc() throws SdpParseException {
        DeviceCapabilities c = of("plain-rtp-avp-pcmu.sdp");
        assertThat(c.webRtc()).isFalse();
        assertThat(c.rtpPort()).isEqualTo(43580);
        assertThat(c.connectionAddress()).isEqualTo("192.168.99.58");
        assertThat(c.audioFormats()).containsExactly(new AudioFormat(0, "PCMU", 8000, 1));
        assertThat(c.fingerprint()).isNull();
        assertThat(c.iceUfrag()).isNull();
    }

    @Test
    void screamRouterDeviceOfferGivesIdentityAndStereoL16WithoutChannelCount() throws SdpParseException {
        SessionDescription d = SdpParser.parse("v=0\r\no=esp32 1 1 IN IP4 192.168.1.50\r\ns=-\r\nc=IN IP4 192.168.1.50\r\nt=0 0\r\n"
                + "a=x-screamrouter-supported-protocols:rtp,webrtc\r\n"
                + "m=audio 40000 RTP/AVP 96 97 0 18\r\na=rtpmap:96 L16/48000\r\na=rtpmap:97 MP3/0/0\r\na=sendonly\r\n"
                + "a=x-screamrouter-role:source\r\na=x-screamrouter-uuid:0d5c7a1e-3b2f-4c6d-9e8f-112233445566\r\n");
        DeviceCapabilities c = DeviceCapabilities.from(d);
        assertThat(c.uuid()).isEqualTo("0d5c7a1e-3b2f-4c6d-9e8f-112233445566");
        assertThat(c.role()).isEqualTo(DeviceRole.SOURCE);
        assertThat(c.protocols()).containsExactly("rtp", "webrtc");
        assertThat(c.direction()).isEqualTo(Direction.SENDONLY);
        assertThat(c.rtpPort()).isEqualTo(40000);
        assertThat(c.audioFormats()).containsExactly(new AudioFormat(96, "L16", 48000, 2),
                new AudioFormat(97, "MP3", 0, 0), new AudioFormat(0, "PCMU", 8000, 1), new AudioFormat(18, "G729", 8000, 1));
        assertThat(c.webRtc()).isFalse();
    }

    @Test
    void descriptionWithoutAudioGivesEmptyFormats() throws SdpParseException {
        DeviceCapabilities c = DeviceCapabilities.from(SdpParser.parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=video 5000 RTP/AVP 96\r\n"));
        assertThat(c.audioFormats()).isEqualTo(List.of());
        assertThat(c.rtpPort()).isZero();
    }
}
