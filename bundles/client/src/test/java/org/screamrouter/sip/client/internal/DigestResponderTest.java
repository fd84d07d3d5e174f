package org.screamrouter.sip.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import javax.sip.header.AuthorizationHeader;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.client.Credentials;
import org.screamrouter.sip.stack.digest.DigestAlgorithm;
import org.screamrouter.sip.testsupport.TestMessages;

class DigestResponderTest {
    // RFC 7616 section 3.9.1: the same arithmetic SIP uses (RFC 8760)
    private static final String NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private static final String CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    private static final String OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
    private static final Credentials MUFASA = Credentials.password("Mufasa", "Circle of Life");

    private static Challenge challenge(DigestAlgorithm algorithm) {
        return new Challenge(false, "http-auth@example.org", NONCE, OPAQUE, algorithm, true, false);
    }

    @Test
    void md5ResponseMatchesTheRfc7616Vector() {
        String value = DigestResponder.authorization(challenge(DigestAlgorithm.MD5), MUFASA, "GET", "/dir/index.html", 1, CNONCE);
        assertThat(value).contains("response=\"8ca523f5e9506fed4657c9700eebdbec\"", "nc=00000001", "qop=auth",
                "algorithm=MD5", "opaque=\"" + OPAQUE + "\"");
    }

    @Test
    void sha256ResponseMatchesTheRfc7616Vector() {
        String value = DigestResponder.authorization(challenge(DigestAlgorithm.SHA_256), MUFASA, "GET", "/dir/index.html", 1, CNONCE);
        assertThat(value).contains("response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\"",
                "algorithm=SHA-256");
    }

    @Test
    void ha1CredentialsGiveTheSameAnswerAsThePassword() {
        Challenge c = challenge(DigestAlgorithm.SHA_256);
        Credentials ha1 = Credentials.ha1("Mufasa", "http-auth@example.org",
                DigestAlgorithm.SHA_256.ha1("Mufasa", "http-auth@example.org", "Circle of Life"));
        assertThat(DigestResponder.authorization(c, ha1, "REGISTER", "sip:127.0.0.1", 3, "abc"))
                .isEqualTo(DigestResponder.authorization(c, MUFASA, "REGISTER", "sip:127.0.0.1", 3, "abc"));
    }

    @Test
    void theServerFormulaAcceptsWhatJainSipParsesBack() throws Exception {
        Challenge c = new Challenge(false, "screamrouter.local", "n0nce", null, DigestAlgorithm.SHA_256, true, false);
        String value = DigestResponder.authorization(c, Credentials.password("dev1", "secret"), "REGISTER", "sip:127.0.0.1:5060", 2, "c1");
        AuthorizationHeader h = (AuthorizationHeader) TestMessages.MESSAGES.headers().createHeader(AuthorizationHeader.NAME, value);
        assertThat(h.getNonceCount()).isEqualTo(2);
        assertThat(h.getQop()).isEqualTo("auth");
        String expected = DigestAlgorithm.SHA_256.response(DigestAlgorithm.SHA_256.ha1(h.getUsername(), h.getRealm(), "secret"),
                h.getNonce(), "00000002", h.getCNonce(), h.getQop(), "REGISTER", h.getURI().toString());
        assertThat(DigestAlgorithm.matches(expected, h.getResponse())).isTrue();
    }

    @Test
    void withoutQopTheRfc2069FormIsAnswered() {
        Challenge c = new Challenge(false, "r", "n", null, DigestAlgorithm.MD5, false, false);
        String value = DigestResponder.authorization(c, Credentials.password("u", "p"), "REGISTER", "sip:r", 1, "x");
        String ha1 = DigestAlgorithm.MD5.ha1("u", "r", "p");
        assertThat(value).contains("response=\"" + DigestAlgorithm.MD5.response(ha1, "n", null, null, null, "REGISTER", "sip:r") + "\"")
                .doesNotContain("qop", "cnonce", "nc=");
    }

    @Test
    void sha256IsPreferredOverMd5WhenBothAreOffered() {
        Challenge md5 = challenge(DigestAlgorithm.MD5);
        Challenge sha = challenge(DigestAlgorithm.SHA_256);
        assertThat(DigestResponder.choose(List.of(md5, sha), MUFASA)).contains(sha);
        assertThat(DigestResponder.choose(List.of(md5), MUFASA)).contains(md5);
    }

    @Test
    void ha1CredentialsAnswerOnlyTheirRealmAndAlgorithm() {
        Credentials md5Ha1 = Credentials.ha1("Mufasa", "http-auth@example.org", DigestAlgorithm.MD5.ha1("Mufasa", "http-auth@example.org", "Circle of Life"));
        Challenge md5 = challenge(DigestAlgorithm.MD5);
        Challenge sha = challenge(DigestAlgorithm.SHA_256);
        assertThat(DigestResponder.choose(List.of(sha, md5), md5Ha1)).contains(md5);
        assertThat(DigestResponder.choose(List.of(new Challenge(false, "other", "n", null, DigestAlgorithm.MD5, true, false)), md5Ha1)).isEmpty();
    }

    @Test
    void nonceCountGrowsWhileTheNonceIsReusedAndRestartsWithANewOne() throws Exception {
        var messages = TestMessages.MESSAGES.messages();
        var headers = TestMessages.MESSAGES.headers();
        DigestSession session = new DigestSession(Credentials.password("u", "p"));
        javax.sip.message.Request r = messages.createRequest("REGISTER sip:127.0.0.1 SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 REGISTER\r\n"
                + "From: <sip:u@127.0.0.1>;tag=1\r\nTo: <sip:u@127.0.0.1>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        assertThat(session.authorize(r, headers)).isFalse();
        session.challenged(new Challenge(false, "r", "n1", null, DigestAlgorithm.MD5, true, false));
        session.authorize(r, headers);
        assertThat(((AuthorizationHeader) r.getHeader(AuthorizationHeader.NAME)).getNonceCount()).isEqualTo(1);
        session.authorize(r, headers);
        assertThat(((AuthorizationHeader) r.getHeader(AuthorizationHeader.NAME)).getNonceCount()).isEqualTo(2);
        session.challenged(new Challenge(false, "r", "n2", null, DigestAlgorithm.MD5, true, true));
        session.authorize(r, headers);
        AuthorizationHeader h = (AuthorizationHeader) r.getHeader(AuthorizationHeader.NAME);
        assertThat(h.getNonceCount()).isEqualTo(1);
        assertThat(h.getNonce()).isEqualTo("n2");
    }
}
