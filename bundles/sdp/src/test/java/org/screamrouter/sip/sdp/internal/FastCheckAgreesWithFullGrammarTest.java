package org.screamrouter.sip.sdp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The allocation-free checks may only accept values the full attribute grammar accepts. */
class FastCheckAgreesWithFullGrammarTest {

    private static final List<Object[]> SAMPLES = List.of(
            new Object[] {AttributeNames.CANDIDATE, "2665802302 1 udp 2122262783 2a02:a03f::933c 38475 typ host generation 0 network-id 2"},
            new Object[] {AttributeNames.CANDIDATE, "4 1 TCP 1688207359 192.0.2.3 9 typ srflx raddr 10.0.1.1 rport 9 tcptype active"},
            new Object[] {AttributeNames.RTPMAP, "111 opus/48000/2"},
            new Object[] {AttributeNames.FMTP, "111 minptime=10;useinbandfec=1"},
            new Object[] {AttributeNames.RTCP_FB, "96 nack pli"},
            new Object[] {AttributeNames.SSRC, "1944796561 msid:TF6VRif1 ec1eb8de"},
            new Object[] {AttributeNames.EXTMAP, "3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"},
            new Object[] {AttributeNames.FINGERPRINT, "sha-256 6B:8B:5D:EA:59:04:20:23"},
            new Object[] {AttributeNames.RTCP, "9 IN IP4 0.0.0.0"},
            new Object[] {AttributeNames.RTCP, "53020"},
            new Object[] {AttributeNames.GROUP, "BUNDLE 0 1 data"},
            new Object[] {AttributeNames.TOKENS, "trickle renomination"},
            new Object[] {AttributeNames.MSID, "- 06574f1e-f4bf-4b6d-b66c-3493cd7ab50f"},
            new Object[] {AttributeNames.SSRC_GROUP, "FID 3262661846 1434237452"});

    @Test
    void fastCheckAcceptsTheUsualBrowserValues() {
        for (Object[] s : SAMPLES) {
            assertThat(FastCheck.accepts((int) s[0], (String) s[1])).as((String) s[1]).isTrue();
        }
    }

    @Test
    void whateverFastCheckAcceptsTheFullGrammarAcceptsToo() {
        Random random = new Random(42);
        String alphabet = " :/.-0123456789abcdefABCDEF*typhostraddrportcpINP\t\u00e9\u0663";
        for (int i = 0; i < 200_000; i++) {
            Object[] s = SAMPLES.get(random.nextInt(SAMPLES.size()));
            StringBuilder v = new StringBuilder((String) s[1]);
            for (int k = 1 + random.nextInt(4); k > 0 && v.length() > 0; k--) {
                int at = random.nextInt(v.length());
                switch (random.nextInt(3)) {
                    case 0 -> v.deleteCharAt(at);
                    case 1 -> v.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> v.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String value = v.toString();
            int kind = (int) s[0];
            if (FastCheck.accepts(kind, value)) {
                assertThatCode(() -> AttributeSyntax.validate(kind, "x", value)).as(value).doesNotThrowAnyException();
                assertThatCode(() -> full(kind, value)).as(value).doesNotThrowAnyException();
            }
        }
    }

    private static void full(int kind, String v) throws SyntaxError {
        switch (kind) {
            case AttributeNames.CANDIDATE -> AttributeSyntax.candidate(v);
            case AttributeNames.RTPMAP -> AttributeSyntax.rtpMap(v);
            case AttributeNames.FMTP -> AttributeSyntax.fmtp(v);
            case AttributeNames.RTCP_FB -> AttributeSyntax.rtcpFeedback(v);
            case AttributeNames.SSRC -> AttributeSyntax.ssrc(v);
            case AttributeNames.EXTMAP -> AttributeSyntax.extMap(v);
            case AttributeNames.RTCP -> AttributeSyntax.rtcp(v);
            case AttributeNames.GROUP -> AttributeSyntax.group(v);
            case AttributeNames.TOKENS -> AttributeSyntax.tokenList(v, "x");
            case AttributeNames.MSID -> AttributeSyntax.msid(v);
            case AttributeNames.SSRC_GROUP -> AttributeSyntax.ssrcGroup(v);
            default -> AttributeSyntax.fingerprint(v);
        }
    }
}
