package org.screamrouter.sip.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ScreamRouterHttpTest {

    @Test
    void onlyHttpUrlsWithAnIpLiteralOrLocalhostAreUsed() {
        assertThat(ScreamRouterHttp.checkUrl("https://192.168.1.10:8443/")).isEqualTo(URI.create("https://192.168.1.10:8443"));
        assertThat(ScreamRouterHttp.checkUrl("http://localhost:8080/api")).isEqualTo(URI.create("http://127.0.0.1:8080/api"));
        assertThat(ScreamRouterHttp.checkUrl("http://[::1]:8080")).isEqualTo(URI.create("http://[::1]:8080"));
        assertThatThrownBy(() -> ScreamRouterHttp.checkUrl("http://screamrouter.lan:8080")).hasMessageContaining("never resolved");
        assertThatThrownBy(() -> ScreamRouterHttp.checkUrl("http://1.2.3.4.5:8080")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScreamRouterHttp.checkUrl("ftp://127.0.0.1/")).hasMessageContaining("only http and https");
        assertThatThrownBy(() -> ScreamRouterHttp.checkUrl("file:///etc/passwd")).hasMessageContaining("only http and https");
        assertThatThrownBy(() -> ScreamRouterHttp.checkUrl("http://user:pw@127.0.0.1/")).hasMessageContaining("user info");
        assertThatThrownBy(() -> ScreamRouterHttp.checkUrl("127.0.0.1:8080")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLinkInAnAnswerMustStayOnTheConfiguredServer() {
        URI base = ScreamRouterHttp.checkUrl("https://192.168.1.10:8443");
        assertThat(ScreamRouterHttp.sameServer(base, "/api/whep/kitchen/abc"))
                .isEqualTo(URI.create("https://192.168.1.10:8443/api/whep/kitchen/abc"));
        assertThat(ScreamRouterHttp.sameServer(base, "https://192.168.1.10:8443/api/whep/k/1"))
                .isEqualTo(URI.create("https://192.168.1.10:8443/api/whep/k/1"));
        assertThatThrownBy(() -> ScreamRouterHttp.sameServer(base, "https://10.0.0.9:8443/api/whep/k/1")).hasMessageContaining("leaves");
        assertThatThrownBy(() -> ScreamRouterHttp.sameServer(base, "//10.0.0.9/x")).hasMessageContaining("leaves");
        assertThatThrownBy(() -> ScreamRouterHttp.sameServer(base, "http://192.168.1.10:8443/x")).hasMessageContaining("leaves");
        assertThatThrownBy(() -> ScreamRouterHttp.sameServer(base, "https://192.168.1.10:9999/x")).hasMessageContaining("leaves");
        URI under = ScreamRouterHttp.checkUrl("http://127.0.0.1:8080/sr");
        assertThatThrownBy(() -> ScreamRouterHttp.sameServer(under, "/other/x")).hasMessageContaining("leaves");
        assertThatThrownBy(() -> ScreamRouterHttp.sameServer(base, "a b")).hasMessageContaining("not a URI");
    }
}
