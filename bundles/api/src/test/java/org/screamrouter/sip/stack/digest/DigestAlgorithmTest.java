package org.screamrouter.sip.stack.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The worked examples of RFC 7616 section 3.9.1 (same arithmetic as SIP digest) and RFC 2617 3.5. */
class DigestAlgorithmTest {
    private static final String NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private static final String CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

    @Test
    void rfc7616Md5() {
        String ha1 = DigestAlgorithm.MD5.ha1("Mufasa", "http-auth@example.org", "Circle of Life");
        assertThat(DigestAlgorithm.MD5.response(ha1, NONCE, "00000001", CNONCE, "auth", "GET", "/dir/index.html"))
                .isEqualTo("8ca523f5e9506fed4657c9700eebdbec");
    }

    @Test
    void rfc7616Sha256() {
        String ha1 = DigestAlgorithm.SHA_256.ha1("Mufasa", "http-auth@example.org", "Circle of Life");
        assertThat(DigestAlgorithm.SHA_256.response(ha1, NONCE, "00000001", CNONCE, "auth", "GET", "/dir/index.html"))
                .isEqualTo("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    }

    @Test
    void rfc2617WithoutQopDiffersFromWithQop() {
        String ha1 = DigestAlgorithm.MD5.ha1("Mufasa", "testrealm@host.com", "Circle Of Life");
        String plain = DigestAlgorithm.MD5.response(ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", null, null, null,
                "GET", "/dir/index.html");
        // RFC 2617 section 3.5 with qop=auth gives 6629fae49393a05397450978507c4ef1; without qop the formula differs
        assertThat(DigestAlgorithm.MD5.response(ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001",
                "0a4f113b", "auth", "GET", "/dir/index.html")).isEqualTo("6629fae49393a05397450978507c4ef1");
        assertThat(plain).hasSize(32).isNotEqualTo("6629fae49393a05397450978507c4ef1");
    }

    @Test
    void tokens() {
        assertThat(DigestAlgorithm.fromToken(null)).contains(DigestAlgorithm.MD5);
        assertThat(DigestAlgorithm.fromToken("sha-256")).contains(DigestAlgorithm.SHA_256);
        assertThat(DigestAlgorithm.fromToken("MD5-sess")).isEmpty();
        assertThat(DigestAlgorithm.fromToken("SHA-512-256")).isEmpty();
    }

    @Test
    void authIntIsRefused() {
        assertThatThrownBy(() -> DigestAlgorithm.MD5.response("x", "n", "00000001", "c", "auth-int", "REGISTER", "sip:a"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth-int");
    }

    @Test
    void matchesIgnoresHexCaseOnly() {
        assertThat(DigestAlgorithm.matches("abc123", "ABC123")).isTrue();
        assertThat(DigestAlgorithm.matches("abc123", "abc124")).isFalse();
        assertThat(DigestAlgorithm.matches("abc123", null)).isFalse();
    }
}
