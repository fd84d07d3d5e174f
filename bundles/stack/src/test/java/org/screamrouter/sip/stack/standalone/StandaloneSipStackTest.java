package org.screamrouter.sip.stack.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
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
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.ListeningPoint;

/** Two standalone stacks on loopback talking to each other over real sockets. */
class StandaloneSipStackTest {

    @Test
    void ephemeralPortsAreBoundOnBothTransportsAndUdpIsAnswered() throws Exception {
        try (StandaloneSipStack server = StandaloneSipStack.open(StackSettings.loopback("test-server"));
             StandaloneSipStack client = StandaloneSipStack.open(StackSettings.loopback("test-client"))) {
            server.handle("OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
            ListeningPoint udp = server.listeningPoint("udp");
            ListeningPoint tcp = server.listeningPoint("tcp");
            assertThat(udp.port()).isPositive().isEqualTo(tcp.port());
            // client-initiated TCP through JAIN-SIP's NIO transport races (a write on a connection the selector
            // does not know yet is lost): only that the TCP port accepts connections is checked here
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", tcp.port())) {
                assertThat(socket.isConnected()).isTrue();
            }
            Flow flow = new Flow("udp", new InetSocketAddress("127.0.0.1", udp.port()));
            Response answer = client.send(options(client, udp.port()), flow, Duration.ofSeconds(5))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(answer.getStatusCode()).isEqualTo(200);
            assertThat(answer.getHeader("Server").toString()).contains("test-server");
            assertThat(server.counters()).containsEntry("requests.OPTIONS", 1L);
        }
    }

    @Test
    void methodWithoutHandlerGets405AndClosedHandlerStopsServing() throws Exception {
        try (StandaloneSipStack server = StandaloneSipStack.open(new StackSettings("127.0.0.1", 0, -1, null));
             StandaloneSipStack client = StandaloneSipStack.open(new StackSettings("127.0.0.1", 0, -1, null))) {
            AutoCloseable served = server.handle("OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
            int port = server.listeningPoint("udp").port();
            Flow flow = new Flow("udp", new InetSocketAddress("127.0.0.1", port));
            assertThat(client.send(options(client, port), flow, Duration.ofSeconds(5)).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS).getStatusCode()).isEqualTo(200);
            served.close();
            assertThat(client.send(options(client, port), flow, Duration.ofSeconds(5)).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS).getStatusCode()).isEqualTo(405);
            assertThatThrownBy(() -> server.listeningPoint("tcp")).isInstanceOf(IllegalStateException.class);
        }
    }

    /** The in-process client registering to its own server: JAIN-SIP routes it without a socket. */
    @Test
    void aRequestToTheStacksOwnListeningPointIsHandledAndAnswered() throws Exception {
        try (StandaloneSipStack stack = StandaloneSipStack.open(new StackSettings("127.0.0.1", 0, -1, "self"))) {
            stack.handle("OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
            int port = stack.listeningPoint("udp").port();
            var uri = stack.addresses().createSipURI(null, "127.0.0.1:" + port);
            var from = stack.addresses().createAddress(stack.addresses().createSipURI("t", "127.0.0.1"));
            var r = stack.messages().createRequest(uri, "OPTIONS", stack.headers().createCallIdHeader("self-1"),
                    stack.headers().createCSeqHeader(1L, "OPTIONS"), stack.headers().createFromHeader(from, "a"),
                    stack.headers().createToHeader(from, null), new java.util.ArrayList<>(), stack.headers().createMaxForwardsHeader(70));
            var answer = stack.send(r, new Flow("udp", new InetSocketAddress("127.0.0.1", port)), Duration.ofSeconds(3))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(answer.getStatusCode()).isEqualTo(200);
        }
    }

    @Test
    void hostNamesAreRefusedAsBindAddress() {
        assertThatThrownBy(() -> new StackSettings("localhost", 0, 0, null)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A request whose caller gave up is not retransmitted any more (issue 13: a NOTIFY to a forged address was repeated
     * for 32 s). Over UDP with T1 = 500 ms, JAIN-SIP sends at 0, 0.5, 1.5, 3.5 s; a 700 ms deadline leaves two sends.
     */
    @Test
    void retransmissionsStopWhenTheCallerGivesUp() throws Exception {
        try (StandaloneSipStack client = StandaloneSipStack.open(StackSettings.loopback("giving-up"));
                java.net.DatagramSocket silent = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Flow flow = new Flow("udp", new InetSocketAddress("127.0.0.1", silent.getLocalPort()));
            var answer = client.send(options(client, silent.getLocalPort()), flow, Duration.ofMillis(700)).toCompletableFuture();
            int received = 0;
            long until = System.nanoTime() + Duration.ofMillis(5000).toNanos();
            while (System.nanoTime() < until) {
                silent.setSoTimeout((int) Math.max(1, (until - System.nanoTime()) / 1_000_000));
                try {
                    silent.receive(new java.net.DatagramPacket(new byte[4096], 4096));
                    received++;
                } catch (java.net.SocketTimeoutException e) {
                    break;
                }
            }
            assertThat(answer).isCompletedExceptionally();
            assertThat(received).as("OPTIONS datagrams within 5 s").isEqualTo(2);
        }
    }

    private static Request options(StandaloneSipStack stack, int port) throws Exception {
        SipURI uri = stack.addresses().createSipURI(null, "127.0.0.1:" + port);
        Address from = stack.addresses().createAddress(stack.addresses().createSipURI("test", "127.0.0.1"));
        return stack.messages().createRequest(uri, Request.OPTIONS,
                (CallIdHeader) stack.headers().createCallIdHeader(java.util.UUID.randomUUID().toString()),
                (CSeqHeader) stack.headers().createCSeqHeader(1L, Request.OPTIONS),
                (FromHeader) stack.headers().createFromHeader(from, "f1"),
                (ToHeader) stack.headers().createToHeader(from, null),
                new java.util.ArrayList<>(),
                (MaxForwardsHeader) stack.headers().createMaxForwardsHeader(70));
    }
}
