package org.screamrouter.sip.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one origin setting of the stack ({@code ws.allowed.origins}) and the WHEP endpoint ({@code cors.allowed.origins}). */
class OriginPolicyTest {

    @Test
    void selfIsThisMachineByAddressNeverByName() throws Exception {
        OriginPolicy self = OriginPolicy.parse(OriginPolicy.SELF);
        assertThat(self.allows(null)).as("no Origin: not a browser, or a same-origin GET").isTrue();
        assertThat(self.allows("http://127.0.0.1:8181")).as("the listen page served on loopback").isTrue();
        assertThat(self.allows("http://localhost")).isTrue();
        assertThat(self.allows("http://[::1]:8181")).isTrue();
        assertThat(self.allows("http://evil.example")).isFalse();
        assertThat(self.allows("http://127.0.0.1.evil.example")).as("a name, never resolved").isFalse();
        assertThat(self.allows("null")).as("an opaque origin: any site's sandboxed frame").isFalse();
        assertThat(self.allows("http://192.0.2.77")).as("an address of another machine").isFalse();
        // an address of one of this machine's interfaces (when it has one besides loopback)
        Optional<InetAddress> own = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> !a.isLoopbackAddress() && a instanceof java.net.Inet4Address).findFirst();
        own.ifPresent(a -> assertThat(self.allows("http://" + a.getHostAddress() + ":8181")).as(a.toString()).isTrue());
    }

    @Test
    void listedOriginsMatchSchemeHostAndPortWithDefaultPortsLeftOut() {
        OriginPolicy policy = OriginPolicy.parse("https://ui.example.lan:8443, http://Panel.Example.lan:80 null");
        assertThat(policy.allows("https://ui.example.lan:8443")).isTrue();
        assertThat(policy.allows("https://UI.example.lan:8443/")).isTrue();
        assertThat(policy.allows("https://ui.example.lan:8444")).isFalse();
        assertThat(policy.allows("http://ui.example.lan:8443")).isFalse();
        assertThat(policy.allows("http://panel.example.lan")).isTrue();
        assertThat(policy.allows("null")).isTrue();
        assertThat(policy.allows("http://127.0.0.1")).as("self is not listed").isFalse();
        assertThat(policy.allows("not an origin")).isFalse();
    }

    @Test
    void starAllowsEveryPageAndAnEmptyListOnlyProgramsWithoutOrigin() {
        assertThat(OriginPolicy.parse("*").allows("http://evil.example")).isTrue();
        assertThat(OriginPolicy.parse("*").allowsEveryOrigin()).isTrue();
        OriginPolicy none = OriginPolicy.parse("");
        assertThat(none.allows(null)).isTrue();
        assertThat(none.allows("http://127.0.0.1")).isFalse();
    }

    @Test
    void entriesThatAreNotOriginsAreLeftOutAndReported() {
        OriginPolicy policy = OriginPolicy.parse("self, https://ui.example.lan/path, ftp:nohost, https://ok.example.lan");
        assertThat(policy.ignored()).containsExactly("https://ui.example.lan/path", "ftp:nohost");
        assertThat(policy.allows("https://ok.example.lan")).isTrue();
        assertThat(policy.allows("https://ui.example.lan")).isFalse();
        assertThat(policy.toString()).isEqualTo("self, https://ui.example.lan/path, ftp:nohost, https://ok.example.lan");
    }

    @Test
    void anArrayValuedSettingReadsAsItsCommaSeparatedList() {
        OriginPolicy policy = OriginPolicy.parse(new String[] {"self", "https://ui.example.lan:8443"});
        assertThat(policy.allows("https://ui.example.lan:8443")).isTrue();
        assertThat(policy.allows("http://127.0.0.1")).isTrue();
        assertThat(OriginPolicy.parse((String[]) null).allows("http://127.0.0.1")).isFalse();
    }
}
