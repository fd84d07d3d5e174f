package org.screamrouter.sip.stack.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.stack.Flow;

/** Two standalone stacks over TLS on loopback: the client trusts the server by its certificate's fingerprint. */
class StandaloneTlsTest {
    @TempDir
    Path dir;

    private final CompletableFuture<Flow> registeredFrom = new CompletableFuture<>();

    private StandaloneSipStack server() {
        StandaloneSipStack server = StandaloneSipStack.open(new StackSettings("127.0.0.1", -1, -1, "tls-server",
                new StackSettings.Tls(0, null, null, null, dir.resolve("server"))));
        server.handle("REGISTER", exchange -> {
            registeredFrom.complete(exchange.flow());
            exchange.respond(exchange.createResponse(200));
        });
        return server;
    }

    @Test
    void aClientPinningTheServersFingerprintRegistersAndTheServerReachesItBackOnTheSameConnection() throws Exception {
        try (StandaloneSipStack server = server();
             StandaloneSipStack client = StandaloneSipStack.open(new StackSettings("127.0.0.1", -1, -1, "tls-client",
                     new StackSettings.Tls(0, server.tlsFingerprint(), null, null, dir.resolve("client"))))) {
            client.handle("OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
            int port = server.listeningPoint("tls").port();
            Flow toServer = new Flow("tls", new InetSocketAddress("127.0.0.1", port));
            Response answer = client.send(request(client, Request.REGISTER, port), toServer, Duration.ofSeconds(5))
                    .toCompletableFuture().get(15, TimeUnit.SECONDS);
            assertThat(answer.getStatusCode()).isEqualTo(200);

            // the device's flow is its connection: its source port is not where it listens, so only that connection reaches it
            Flow device = registeredFrom.get(5, TimeUnit.SECONDS);
            assertThat(device.transport()).isEqualTo("tls");
            assertThat(device.port()).isNotEqualTo(client.listeningPoint("tls").port());
            Response ping = server.send(request(server, Request.OPTIONS, device.port()), device, Duration.ofSeconds(5))
                    .toCompletableFuture().get(15, TimeUnit.SECONDS);
            assertThat(ping.getStatusCode()).isEqualTo(200);
            assertThat(client.counters()).containsEntry("requests.OPTIONS", 1L);
        }
    }

    @Test
    void aWrongPinFailsTheHandshake() throws Exception {
        String wrong = "00:".repeat(31) + "00";
        try (StandaloneSipStack server = server();
             StandaloneSipStack client = StandaloneSipStack.open(new StackSettings("127.0.0.1", -1, -1, "tls-client",
                     new StackSettings.Tls(0, wrong, null, null, dir.resolve("client"))))) {
            int port = server.listeningPoint("tls").port();
            Flow toServer = new Flow("tls", new InetSocketAddress("127.0.0.1", port));
            CompletableFuture<Response> answer = client.send(request(client, Request.REGISTER, port), toServer, Duration.ofSeconds(3))
                    .toCompletableFuture();
            assertThatThrownBy(() -> answer.get(15, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            assertThat(server.counters()).doesNotContainKey("requests.REGISTER");
            // the connection was made and the client dropped it in the handshake (JAIN-SIP closes without an alert); the
            // same stacks with the right pin register (the test above)
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (server.counters().getOrDefault("flows.closed", 0L) == 0 && System.nanoTime() < end) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(server.counters()).containsEntry("flows.closed", 1L);
        }
    }

    private static Request request(StandaloneSipStack stack, String method, int port) throws Exception {
        SipURI uri = stack.addresses().createSipURI(null, "127.0.0.1:" + port);
        uri.setTransportParam("tls");
        Address from = stack.addresses().createAddress(stack.addresses().createSipURI("test", "127.0.0.1"));
        return stack.messages().createRequest(uri, method,
                (CallIdHeader) stack.headers().createCallIdHeader(java.util.UUID.randomUUID().toString()),
                (CSeqHeader) stack.headers().createCSeqHeader(1L, method),
                (FromHeader) stack.headers().createFromHeader(from, "f1"),
                (ToHeader) stack.headers().createToHeader(from, null),
                new java.util.ArrayList<>(),
                (MaxForwardsHeader) stack.headers().createMaxForwardsHeader(70));
    }
}
