package org.screamrouter.sip.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.testsupport.Configs;

/** The refusal of logins that would send the password readable over the network (login.require.https). */
class AccessTest {
    private static final WebConfig DEFAULTS = Configs.of(WebConfig.class, Map.of());

    @Test
    void aLoginOverPlainHttpFromAnotherMachineIsRefusedNamingHttps() {
        ApiError refusal = Access.plainLoginRefusal("192.168.1.20", false, DEFAULTS);
        assertThat(refusal).isNotNull();
        assertThat(refusal.status()).isEqualTo(403);
        assertThat(refusal.getMessage()).contains("log in over HTTPS (port 8443)", "plain HTTP from 192.168.1.20", "login.require.https");
        assertThat(Access.plainLoginRefusal("fd00::2", false, DEFAULTS)).isNotNull();
        assertThat(Access.plainLoginRefusal("::ffff:192.168.1.20", false, DEFAULTS)).isNotNull();
    }

    @Test
    void overHttpsOrFromLoopbackOrWithTheSettingOffTheLoginGoesOn() {
        assertThat(Access.plainLoginRefusal("192.168.1.20", true, DEFAULTS)).isNull();
        assertThat(Access.plainLoginRefusal("127.0.0.1", false, DEFAULTS)).isNull();
        assertThat(Access.plainLoginRefusal("127.3.4.5", false, DEFAULTS)).isNull();
        assertThat(Access.plainLoginRefusal("0:0:0:0:0:0:0:1", false, DEFAULTS)).isNull();
        assertThat(Access.plainLoginRefusal("[::1]", false, DEFAULTS)).isNull();
        assertThat(Access.plainLoginRefusal("192.168.1.20", false, Configs.of(WebConfig.class, Map.of("login_require_https", false)))).isNull();
    }

    @Test
    void onlyAddressLiteralsAreLoopbackAndNoNameIsResolved() {
        // "localhost" and hex-letter words would need DNS (or the hosts file): they are not addresses and not loopback
        assertThat(Access.loopback("localhost")).isFalse();
        assertThat(Access.loopback("cafe")).isFalse();
        assertThat(Access.loopback(null)).isFalse();
        assertThat(Access.loopback("")).isFalse();
        assertThat(Access.loopback("127.0.0.1.evil.example")).isFalse();
        assertThat(Access.loopback("10.0.0.1")).isFalse();
        assertThat(Access.loopback("127.0.0.1")).isTrue();
    }
}
