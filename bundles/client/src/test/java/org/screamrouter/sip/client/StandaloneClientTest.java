package org.screamrouter.sip.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.sip.header.AuthorizationHeader;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.client.RegistrationState.Phase;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipTimeoutException;
import org.screamrouter.sip.stack.SipTransportException;
import org.screamrouter.sip.client.standalone.SipClients;
import org.screamrouter.sip.client.standalone.StandaloneSipClient;
import org.screamrouter.sip.stack.standalone.StackSettings;

/** A standalone client against a {@link TestServer} on a second standalone stack: real UDP on loopback. */
class StandaloneClientTest {
    private final TestServer server = new TestServer();
    private final StandaloneSipClient client = SipClients.standalone(new StackSettings("127.0.0.1", 0, -1, "test-client"),
            Duration.ofSeconds(5));
    private final String contact = client.contactUri("dev1");

    /** Side by side: JAIN-SIP sleeps about a second in each stack's stop. */
    @AfterEach
    void close() throws InterruptedException {
        Thread closing = new Thread(client::close, "close-client");
        closing.start();
        server.close();
        closing.join(30_000);
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletionStage<?> stage) {
        return assertThatThrownBy(() -> get(stage)).isInstanceOf(ExecutionException.class).actual().getCause();
    }

    private static void await(BooleanSupplier condition, Duration deadline, String what) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("not within " + deadline + ": " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void theContactUriNamesTheUdpListeningPoint() {
        assertThat(contact).isEqualTo("sip:dev1@127.0.0.1:" + client.stack().listeningPoint("udp").port());
    }

    @Test
    void registerWithoutAuthGivesTheGrantedExpiryAndTheContacts() throws Exception {
        server.maxExpires = 60;
        Registration r = get(client.register(server.flow(), "sip:dev1@127.0.0.1", contact, 3600));
        assertThat(r.grantedExpires()).isEqualTo(60);
        assertThat(r.contacts()).hasSize(1).first().asString().contains(contact).contains("expires=60");
        assertThat(r.reply().status()).isEqualTo(200);
        assertThat(r.reply().header("Server")).hasValueSatisfying(v -> assertThat(v).contains("test-server"));
        Request sent = server.registers.get(0);
        assertThat(sent.getRequestURI().toString()).isEqualTo("sip:127.0.0.1");
        assertThat(TestServer.callId(sent)).isEqualTo(r.callId());
        assertThat(server.bindings).containsEntry(contact, 60);
    }

    @Test
    void refreshKeepsTheCallIdAndRaisesTheCSeqAndUnregisterSendsExpiresZero() throws Exception {
        Registration r = get(client.register(server.flow(), "sip:dev1@127.0.0.1", contact, 300));
        Registration again = get(client.refresh(r, 120));
        assertThat(again.grantedExpires()).isEqualTo(120);
        SipReply gone = get(client.unregister(again));
        assertThat(gone.status()).isEqualTo(200);
        assertThat(server.registers).extracting(TestServer::callId).containsOnly(r.callId());
        assertThat(server.registers).extracting(TestServer::cseq).containsExactly(1L, 2L, 3L);
        assertThat(server.registers).extracting(TestServer::expires).containsExactly(300, 120, 0);
        assertThat(server.bindings).isEmpty();
    }

    @Test
    void goodCredentialsAnswerTheChallengeWithSha256() throws Exception {
        server.auth = true;
        server.passwords.put("dev1", "secret");
        Registration r = get(client.register(server.flow(), "sip:dev1@127.0.0.1", contact, 300, Credentials.password("dev1", "secret")));
        assertThat(r.grantedExpires()).isEqualTo(300);
        assertThat(server.registers).hasSize(2);
        assertThat(server.registers.get(0).getHeader(AuthorizationHeader.NAME)).isNull();
        AuthorizationHeader a = (AuthorizationHeader) server.registers.get(1).getHeader(AuthorizationHeader.NAME);
        assertThat(a.getAlgorithm()).isEqualTo("SHA-256");
        assertThat(a.getQop()).isEqualTo("auth");
        assertThat(a.getNonceCount()).isEqualTo(1);
        assertThat(server.registers).extracting(TestServer::cseq).containsExactly(1L, 2L);
    }

    @Test
    void md5Ha1CredentialsAnswerTheMd5Challenge() throws Exception {
        server.auth = true;
        server.passwords.put("dev1", "secret");
        String ha1 = org.screamrouter.sip.stack.digest.DigestAlgorithm.MD5.ha1("dev1", TestServer.REALM, "secret");
        get(client.register(server.flow(), "sip:dev1@127.0.0.1", contact, 300, Credentials.ha1("dev1", TestServer.REALM, ha1)));
        AuthorizationHeader a = (AuthorizationHeader) server.registers.get(1).getHeader(AuthorizationHeader.NAME);
        assertThat(a.getAlgorithm()).isEqualTo("MD5");
    }

    @Test
    void wrongPasswordFailsWithThe401WithoutLooping() throws Exception {
        server.auth = true;
        server.passwords.put("dev1", "secret");
        Throwable e = failure(client.register(server.flow(), "sip:dev1@127.0.0.1", contact, 300, Credentials.password("dev1", "wrong")));
        assertThat(e).isInstanceOf(SipRejectedException.class);
        assertThat(((SipRejectedException) e).reply().status()).isEqualTo(401);
        assertThat(((SipRejectedException) e).reply().headers("WWW-Authenticate")).hasSize(2);
        assertThat(server.registers).hasSize(2);
        assertThat(server.bindings).isEmpty();
    }

    @Test
    void aStaleNonceIsAnsweredAgainWithTheNewOne() throws Exception {
        server.auth = true;
        server.passwords.put("dev1", "secret");
        Registration r = get(client.register(server.flow(), "sip:dev1@127.0.0.1", contact, 300, Credentials.password("dev1", "secret")));
        server.expireNonces();
        Registration refreshed = get(client.refresh(r, 300));
        assertThat(refreshed.grantedExpires()).isEqualTo(300);
        // 1: no credentials, 2: answer, 3: refresh with the old nonce (nc 2) -> stale, 4: the new nonce (nc 1)
        assertThat(server.registers).hasSize(4);
        AuthorizationHeader preemptive = (AuthorizationHeader) server.registers.get(2).getHeader(AuthorizationHeader.NAME);
        AuthorizationHeader fresh = (AuthorizationHeader) server.registers.get(3).getHeader(AuthorizationHeader.NAME);
        assertThat(preemptive.getNonceCount()).isEqualTo(2);
        assertThat(fresh.getNonce()).isNotEqualTo(preemptive.getNonce());
        assertThat(fresh.getNonceCount()).isEqualTo(1);
        assertThat(server.registers).extracting(TestServer::cseq).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void aManagedRegistrationRefreshesBeforeItsShortExpiryAndUnregistersWhenClosed() throws Exception {
        server.maxExpires = 2;
        ManagedRegistration managed = client.manage(server.flow(), "sip:dev1@127.0.0.1", contact, 300, null);
        List<Phase> phases = new CopyOnWriteArrayList<>();
        managed.onChange(s -> phases.add(s.phase()));
        await(() -> server.registers.size() >= 3, Duration.ofSeconds(15), "two refreshes at 85% of 2 s");
        assertThat(managed.state().phase()).isIn(Phase.REGISTERED, Phase.REFRESHING);
        assertThat(managed.state().registration().grantedExpires()).isEqualTo(2);
        get(managed.unregister());
        assertThat(server.registers.get(server.registers.size() - 1)).extracting(TestServer::expires).isEqualTo(0);
        assertThat(managed.state().phase()).isEqualTo(Phase.CLOSED);
        assertThat(phases).contains(Phase.REGISTERED, Phase.REFRESHING);
        assertThat(server.registers).extracting(TestServer::callId).containsOnly(TestServer.callId(server.registers.get(0)));
    }

    @Test
    void aManagedRegistrationThatIsRefusedIsFailedWithTheAnswer() throws Exception {
        server.auth = true;
        ManagedRegistration managed = client.manage(server.flow(), "sip:dev1@127.0.0.1", contact, 300, Credentials.password("dev1", "x"));
        await(() -> managed.state().phase() == Phase.FAILED, Duration.ofSeconds(10), "failed");
        assertThat(managed.state().lastReply().status()).isEqualTo(401);
        managed.close();
    }

    @Test
    void optionsMessageAndPublishReturnTheWholeAnswer() throws Exception {
        SipReply options = get(client.options(server.flow()));
        assertThat(options.status()).isEqualTo(200);
        // a comma-separated header comes back value by value, as JAIN-SIP parses it
        assertThat(options.headers("Allow")).containsExactly("REGISTER", "OPTIONS", "SUBSCRIBE");
        SipReply message = get(client.message(server.flow(), "sip:dev1@127.0.0.1", "hello", "text/plain"));
        assertThat(message.status()).isEqualTo(405);
        assertThat(message.headers("Allow")).contains("PUBLISH", "REGISTER").doesNotContain("MESSAGE");
        SipReply publish = get(client.publish(server.flow(), "sip:dev1@127.0.0.1", "presence", 60, null,
                "<presence/>", "application/pidf+xml"));
        assertThat(publish.header("SIP-ETag")).contains("etag-1");
    }

    @Test
    void rawRequestsAreSentAsWritten() throws Exception {
        int port = server.flow().port();
        SipReply reply = get(client.send("OPTIONS sip:anything.example.invalid SIP/2.0\r\nCall-ID: raw-1\r\nCSeq: 7 OPTIONS\r\n"
                + "From: <sip:raw@127.0.0.1>;tag=r1\r\nTo: <sip:x@127.0.0.1:" + port + ">\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
                server.flow(), Duration.ofSeconds(5)));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("CSeq")).contains("7 OPTIONS");
        assertThat(reply.header("Call-ID")).contains("raw-1");
    }

    @Test
    void subscribeDeliversEveryNotifyRefreshesAndUnsubscribes() throws Exception {
        server.subscriptionExpires = 2;
        List<Notification> notes = new CopyOnWriteArrayList<>();
        Subscription s = get(client.subscribe(server.flow(), "sip:dev1@127.0.0.1", "presence", 300, notes::add));
        assertThat(s.grantedExpires()).isEqualTo(2);
        await(() -> server.subscribes.size() >= 2 && notes.size() >= 2, Duration.ofSeconds(15), "a refresh and its NOTIFY");
        assertThat(TestServer.callId(server.subscribes.get(1))).isEqualTo(s.callId());
        assertThat(server.subscribes.get(1).getRequestURI().toString()).startsWith("sip:notifier@127.0.0.1");
        get(s.unsubscribe());
        await(() -> notes.stream().anyMatch(Notification::terminated), Duration.ofSeconds(10), "the final NOTIFY");
        assertThat(notes.get(0).state()).isEqualTo("active");
        assertThat(notes.get(0).bodyText()).isEqualTo("notice 1");
        assertThat(notes.get(0).contentType()).isEqualTo("text/plain");
        assertThat(notes.get(notes.size() - 1).reason()).isEqualTo("timeout");
        assertThat(s.terminated()).isTrue();
        assertThat(TestServer.expires(server.subscribes.get(server.subscribes.size() - 1))).isZero();
    }

    @Test
    void aNotifyOfNoSubscriptionGets481() throws Exception {
        int port = client.stack().listeningPoint("udp").port();
        try (StandaloneSipClient other = SipClients.standalone(new StackSettings("127.0.0.1", 0, -1, null))) {
            SipReply reply = get(other.send("NOTIFY sip:client@127.0.0.1:" + port + " SIP/2.0\r\nCall-ID: nobody\r\nCSeq: 1 NOTIFY\r\n"
                    + "From: <sip:n@127.0.0.1>;tag=a\r\nTo: <sip:client@127.0.0.1>;tag=b\r\nEvent: presence\r\n"
                    + "Subscription-State: active\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
                    NextHop.of("udp", "127.0.0.1", port), Duration.ofSeconds(5)));
            assertThat(reply.status()).isEqualTo(481);
        }
    }

    @Test
    void noAnswerIsATypedTimeoutNotAHang() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Flow nowhere = new Flow("udp", new InetSocketAddress("127.0.0.1", silent.getLocalPort()));
            long t0 = System.nanoTime();
            Throwable e = failure(client.options(nowhere, "sip:127.0.0.1", null, Duration.ofMillis(800)));
            assertThat(e).isInstanceOf(SipTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void closingTheClientFailsWhatIsInFlight() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Flow nowhere = new Flow("udp", new InetSocketAddress("127.0.0.1", silent.getLocalPort()));
            CompletionStage<SipReply> pending = client.options(nowhere, "sip:127.0.0.1", null, Duration.ofSeconds(30));
            client.close();
            assertThat(failure(pending)).isInstanceOf(SipTransportException.class);
        }
    }

    @Test
    void aTransportWithoutListeningPointIsATypedTransportFailure() {
        Throwable e = failure(client.options(NextHop.of("ws", "127.0.0.1", 9), "sip:127.0.0.1", null, Duration.ofSeconds(1)));
        assertThat(e).isInstanceOf(SipTransportException.class);
    }

    @Test
    void theClientAnswersOtherMethodsThroughExtraHandlers() throws Exception {
        client.handle("OPTIONS", exchange -> exchange.respond(exchange.createResponse(200, "Simulated Device")));
        int port = client.stack().listeningPoint("udp").port();
        try (StandaloneSipClient other = SipClients.standalone(new StackSettings("127.0.0.1", 0, -1, null))) {
            assertThat(get(other.options(NextHop.of("udp", "127.0.0.1", port))).reason()).isEqualTo("Simulated Device");
        }
        assertThatThrownBy(() -> client.handle("NOTIFY", exchange -> { })).isInstanceOf(IllegalArgumentException.class);
    }
}
