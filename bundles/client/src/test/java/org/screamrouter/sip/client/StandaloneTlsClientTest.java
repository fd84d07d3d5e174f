package org.screamrouter.sip.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.client.standalone.SipClients;
import org.screamrouter.sip.client.standalone.StandaloneSipClient;
import org.screamrouter.sip.stack.standalone.StackSettings;

/** The standalone client registering over TLS, trusting the server by the fingerprint of its certificate. */
class StandaloneTlsClientTest {
    @TempDir
    Path dir;

    @Test
    void registersWithDigestOverTlsWithAPinnedFingerprint() throws Exception {
        try (TestServer server = new TestServer(new StackSettings.Tls(0, null, null, null, dir.resolve("server")));
             StandaloneSipClient client = SipClients.standalone(new StackSettings("127.0.0.1", -1, -1, "tls-client",
                     new StackSettings.Tls(0, server.stack.tlsFingerprint(), null, null, dir.resolve("client"))), Duration.ofSeconds(5))) {
            server.auth = true;
            server.passwords.put("dev1", "secret");
            String contact = "sip:dev1@127.0.0.1:" + client.stack().listeningPoint("tls").port() + ";transport=tls";
            Registration r = client.register(server.tlsFlow(), "sip:dev1@127.0.0.1", contact, 60, Credentials.password("dev1", "secret"))
                    .toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertThat(r.reply().status()).isEqualTo(200);
            assertThat(server.registers).hasSizeGreaterThanOrEqualTo(2); // challenged, then answered
        }
    }

    @Test
    void aWrongFingerprintIsNotTrusted() throws Exception {
        try (TestServer server = new TestServer(new StackSettings.Tls(0, null, null, null, dir.resolve("server")));
             StandaloneSipClient client = SipClients.standalone(new StackSettings("127.0.0.1", -1, -1, "tls-client",
                     StackSettings.Tls.pinned("11".repeat(32))), Duration.ofSeconds(3))) {
            assertThatThrownBy(() -> client.register(server.tlsFlow(), "sip:dev1@127.0.0.1", "sip:dev1@127.0.0.1", 60)
                    .toCompletableFuture().get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            assertThat(server.registers).isEmpty();
        }
    }
}
