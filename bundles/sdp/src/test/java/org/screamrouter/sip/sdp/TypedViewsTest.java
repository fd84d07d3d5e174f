package org.screamrouter.sip.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TypedViewsTest {

    private static SessionDescription corpus(String name) throws SdpParseException {
        return SdpParser.parse(Corpus.text(name));
    }

    @Test
    void chromeCandidatesCarryIpv6TcpTypeAndExtensions() throws SdpParseException {
        List<Candidate> candidates = corpus("chrome-audio-only.sdp").media().get(0).candidates();
        assertThat(candidates).hasSize(4);
        Candidate v6 = candidates.get(0);
        assertThat(v6.foundation()).isEqualTo("2665802302");
        assertThat(v6.component()).isEqualTo(1);
        assertThat(v6.transport()).isEqualTo("udp");
        assertThat(v6.priority()).isEqualTo(2122262783L);
        assertThat(v6.address()).isEqualTo("2a02:a03f:3eb0:e000:b0aa:d60a:cff2:933c");
        assertThat(v6.isIpv6()).isTrue();
        assertThat(v6.port()).isEqualTo(38475);
        assertThat(v6.type()).isEqualTo("host");
        assertThat(v6.extensions()).containsExactly(new Candidate.Extension("generation", "0"),
                new Candidate.Extension("network-id", "2"), new Candidate.Extension("network-cost", "10"));
        Candidate tcp = candidates.get(2);
        assertThat(tcp.tcpType()).isEqualTo("active");
        assertThat(tcp.extension("network-id")).contains("2");
    }

    @Test
    void srflxCandidateHasRelatedAddressAndPort() throws SdpParseException {
        Candidate c = corpus("edge-hacky.sdp").media().get(0).candidates().get(6);
        assertThat(c.type()).isEqualTo("srflx");
        assertThat(c.relatedAddress()).isEqualTo("10.0.1.1");
        assertThat(c.relatedPort()).isEqualTo(8998);
        assertThat(c.tcpType()).isEqualTo("passive");
        assertThat(c.extension("generation")).contains("5");
        assertThat(c.toAttributeValue()).isEqualTo("5 1 TCP 1684013055 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998 tcptype passive generation 5");
    }

    @Test
    void mdnsCandidateFromABrowserStringIsRecognised() {
        Candidate c = Candidate.parse("candidate:1 1 udp 2122260223 4f3a9b2c-1c2d-4e5f-8a9b-0c1d2e3f4a5b.local 54400 typ host generation 0 ufrag AbCd network-id 1").orElseThrow();
        assertThat(c.isMdns()).isTrue();
        assertThat(c.extension("ufrag")).contains("AbCd");
        assertThat(Candidate.parse("candidate:1 1 udp 2122260223 1.2.3.4 54400")).isEmpty();
    }

    @Test
    void iceAndDtlsAttributesAreRead() throws SdpParseException {
        MediaDescription audio = corpus("chrome-audio-only.sdp").media().get(0);
        assertThat(audio.iceUfrag()).contains("5+Ix");
        assertThat(audio.icePwd()).contains("uK8IlylxzDMUhrkVzdmj0M+v");
        assertThat(audio.iceOptions()).containsExactly("trickle");
        assertThat(audio.setup()).contains(Setup.ACTPASS);
        Fingerprint fp = audio.fingerprint().orElseThrow();
        assertThat(fp.algorithm()).isEqualTo("sha-256");
        assertThat(fp.bytes()).hasSize(32).startsWith((byte) 0x6B, (byte) 0x8B);
        assertThat(fp.hex()).isEqualTo("6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:8E:50:55:EA:8C:D3:B6:5C:09:5E:D6:BC");
        assertThat(audio.rtcpMux()).isTrue();
        assertThat(audio.rtcp()).contains(new RtcpAddress(9, "IN", "IP4", "0.0.0.0"));
        assertThat(audio.mid()).contains("audio");
    }

    @Test
    void rtpAttributesOfChromium120AreRead() throws SdpParseException {
        SessionDescription d = corpus("chromium120-audio-video-offer.sdp");
        assertThat(d.bundleGroup()).contains(new Group("BUNDLE", List.of("0", "1")));
        assertThat(d.hasAttribute("extmap-allow-mixed")).isTrue();
        MediaDescription audio = d.media().get(0);
        assertThat(audio.rtpMap(111)).contains(new RtpMap(111, "opus", 48000, "2"));
        assertThat(audio.fmtp("111").orElseThrow().parameterMap()).containsEntry("minptime", "10").containsEntry("useinbandfec", "1");
        assertThat(audio.rtcpFeedback()).containsExactly(new RtcpFeedback("111", "transport-cc", null));
        assertThat(audio.msids()).containsExactly(new Msid("-", "06574f1e-f4bf-4b6d-b66c-3493cd7ab50f"));
        assertThat(audio.extMaps()).hasSize(4).first().isEqualTo(new ExtMap(1, null, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", null));
        assertThat(audio.ssrcs()).contains(new Ssrc(3262661846L, "cname", "yFbnkIWTHwPXy6MO"));
        MediaDescription video = d.media().get(1);
        assertThat(video.rtcpReducedSize()).isTrue();
        assertThat(video.ssrcGroups()).containsExactly(new SsrcGroup("FID", List.of(1862494604L, 1112104850L)));
        assertThat(video.rtcpFeedback()).contains(new RtcpFeedback("96", "nack", "pli"));
    }

    @Test
    void extmapDirectionAndSessionLevelFingerprintOfFirefoxAreRead() throws SdpParseException {
        SessionDescription d = corpus("firefox121-audio-video-offer.sdp");
        MediaDescription audio = d.media().get(0);
        assertThat(audio.extMaps().get(1)).isEqualTo(new ExtMap(2, Direction.RECVONLY, "urn:ietf:params:rtp-hdrext:csrc-audio-level", null));
        assertThat(audio.fingerprint()).isEmpty();
        assertThat(d.fingerprint(audio).orElseThrow().algorithm()).isEqualTo("sha-256");
        assertThat(audio.rtpMap(101).orElseThrow().channels()).isEqualTo(1);
    }

    @Test
    void mediaDirectionOverridesSessionDirection() throws SdpParseException {
        SessionDescription d = SdpParser.parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\na=sendonly\r\n"
                + "m=audio 5004 RTP/AVP 0\r\na=recvonly\r\nm=audio 5006 RTP/AVP 0\r\n");
        assertThat(d.direction(d.media().get(0))).isEqualTo(Direction.RECVONLY);
        assertThat(d.direction(d.media().get(1))).isEqualTo(Direction.SENDONLY);
    }

    @Test
    void bundleOnlyCryptoPtimeAndDataChannelAttributesAreRead() throws SdpParseException {
        assertThat(corpus("jsep-bundle-only.sdp").media().get(1).bundleOnly()).isTrue();
        assertThat(corpus("jsep-bundle-only.sdp").media().get(1).msids()).hasSize(2);
        SessionDescription hacky = corpus("edge-hacky.sdp");
        assertThat(hacky.media().get(0).cryptos()).containsExactly(
                new Crypto(1, "AES_CM_128_HMAC_SHA1_80", "inline:8QVQSHJ2AM8gIumHpYRRdWHyZ5NkLhaTD1AENOWx", null));
        assertThat(hacky.media().get(0).ptime().getAsDouble()).isEqualTo(0.125);
        assertThat(hacky.media().get(0).maxPtime().getAsDouble()).isEqualTo(60);
        assertThat(hacky.media().get(1).rtcp()).contains(new RtcpAddress(12312, null, null, null));
        assertThat(hacky.media().get(2).bandwidths()).containsExactly(new Bandwidth("AS", 30));
        SessionDescription data = SdpParser.parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\na=end-of-candidates\r\n");
        assertThat(data.iceLite()).isTrue();
        assertThat(data.media().get(0).sctpPort().getAsInt()).isEqualTo(5000);
        assertThat(data.media().get(0).maxMessageSize().getAsLong()).isEqualTo(262144L);
        assertThat(data.media().get(0).endOfCandidates()).isTrue();
    }

    @Test
    void screamRouterAttributesAreTakenFromSessionLevelFirst() throws SdpParseException {
        SessionDescription d = SdpParser.parse("v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nt=0 0\r\n"
                + "a=x-screamrouter-uuid:6f1c2a1e-1b2c-4d5e-8f90-a1b2c3d4e5f6\r\n"
                + "m=audio 4010 RTP/AVP 96\r\na=rtpmap:96 L16/48000\r\na=x-screamrouter-role:source\r\n"
                + "a=x-screamrouter-uuid:00000000-0000-0000-0000-000000000000\r\na=x-screamrouter-supported-protocols:rtp,WebRTC\r\n");
        assertThat(d.screamRouter()).isEqualTo(new ScreamRouterAttributes(DeviceRole.SOURCE,
                "6f1c2a1e-1b2c-4d5e-8f90-a1b2c3d4e5f6", List.of("rtp", "webrtc")));
    }

    @Test
    void originVersionIncrementsBeyondLongRange() {
        Origin o = new Origin("-", "1", "99999999999999999999", "IN", "IP4", "1.2.3.4");
        assertThat(o.withNextVersion().sessionVersion()).isEqualTo("100000000000000000000");
        assertThat(Origin.of("-", "1", 41, "::1").withNextVersion().toString()).isEqualTo("- 1 42 IN IP6 ::1");
    }
}
