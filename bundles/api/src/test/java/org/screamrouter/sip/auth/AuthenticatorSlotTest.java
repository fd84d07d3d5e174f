package org.screamrouter.sip.auth;

import static org.assertj.core.api.Assertions.assertThat;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sip.ServerTransaction;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.header.RetryAfterHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;

class AuthenticatorSlotTest {
    private static final SipMessages MESSAGES = new SipMessages() {
        private final MessageFactory m = new MessageFactoryImpl();
        private final HeaderFactory h = new HeaderFactoryImpl();
        private final AddressFactory a = new AddressFactoryImpl();
        @Override public MessageFactory messages() { return m; }
        @Override public HeaderFactory headers() { return h; }
        @Override public AddressFactory addresses() { return a; }
    };

    /** An authenticator that lets every request through as alice, and owns only alice's AOR. */
    private static final SipAuthenticator ALICE = new SipAuthenticator() {
        @Override public Outcome authenticate(SipExchange exchange) { return Outcome.authenticated("alice"); }
        @Override public boolean owns(String user, String aor) { return aor.startsWith("sip:" + user + "@"); }
    };

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    /** One SUBSCRIBE and the responses sent to it. */
    private static final class Exchange implements SipExchange {
        final Request request;
        final List<Response> responses = new ArrayList<>();

        Exchange() throws Exception {
            request = MESSAGES.messages().createRequest(("SUBSCRIBE sip:dev1@127.0.0.1 SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKs1\r\nMax-Forwards: 70\r\nTo: <sip:dev1@127.0.0.1>\r\n"
                    + "From: <sip:w@127.0.0.1>;tag=t\r\nCall-ID: s1\r\nCSeq: 1 SUBSCRIBE\r\nEvent: presence\r\nContent-Length: 0\r\n\r\n"));
        }

        @Override public Request request() { return request; }
        @Override public Flow flow() { return new Flow("udp", new InetSocketAddress("127.0.0.1", 5999)); }
        @Override public Response createResponse(int status) { return createResponse(status, null); }
        @Override public Response createResponse(int status, String reason) {
            try {
                Response r = MESSAGES.messages().createResponse(status, request);
                if (reason != null) r.setReasonPhrase(reason);
                return r;
            } catch (java.text.ParseException e) {
                throw new IllegalStateException(e);
            }
        }
        @Override public synchronized void respond(Response response) { responses.add(response); }
        @Override public synchronized boolean answered() { return !responses.isEmpty(); }
        @Override public ServerTransaction serverTransaction() { throw new UnsupportedOperationException(); }
    }

    @Test
    void aBoundAuthenticatorAnswersAtOnce() throws Exception {
        AuthenticatorSlot slot = new AuthenticatorSlot(() -> MESSAGES, Duration.ofSeconds(30), 4);
        slot.bind(ALICE);
        Exchange exchange = new Exchange();
        assertThat(slot.authenticate(exchange)).isEqualTo(SipAuthenticator.Outcome.authenticated("alice"));
        assertThat(exchange.responses).isEmpty();
        assertThat(slot.owns("alice", "sip:alice@screamrouter.local")).isTrue();
        assertThat(slot.owns("alice", "sip:bob@screamrouter.local")).isFalse();
    }

    @Test
    void aWaitingRequestProceedsAsSoonAsTheAuthenticatorComesBack() throws Exception {
        AuthenticatorSlot slot = new AuthenticatorSlot(() -> MESSAGES, Duration.ofSeconds(30), 4);
        slot.bind(ALICE);
        slot.unbind(ALICE);
        Exchange exchange = new Exchange();
        CountDownLatch started = new CountDownLatch(1);
        Future<SipAuthenticator.Outcome> outcome = threads.submit(() -> {
            started.countDown();
            return slot.authenticate(exchange);
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (slot.waiting() == 0 && System.nanoTime() < deadline) Thread.onSpinWait();
        assertThat(slot.waiting()).isEqualTo(1);
        assertThat(outcome.isDone()).isFalse();
        long bound = System.nanoTime();
        slot.bind(ALICE);
        // far less than the 30 s wait: the bind woke it
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(SipAuthenticator.Outcome.authenticated("alice"));
        assertThat(System.nanoTime() - bound).isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(exchange.responses).isEmpty();
        assertThat(slot.waiting()).isZero();
    }

    @Test
    void whenNoneComesBackInTimeTheRequestGets503WithRetryAfterAndIsRefused() throws Exception {
        AuthenticatorSlot slot = new AuthenticatorSlot(() -> MESSAGES, Duration.ofMillis(200), 4);
        Exchange exchange = new Exchange();
        long start = System.nanoTime();
        assertThat(slot.authenticate(exchange).proceed()).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(exchange.responses).hasSize(1);
        Response r = exchange.responses.get(0);
        assertThat(r.getStatusCode()).isEqualTo(503);
        assertThat(r.getReasonPhrase()).isEqualTo(AuthenticatorSlot.REASON).isEqualTo("Authentication Unavailable");
        assertThat(((RetryAfterHeader) r.getHeader(RetryAfterHeader.NAME)).getRetryAfter()).isEqualTo(AuthenticatorSlot.RETRY_AFTER_SECONDS);
        // owns fails closed too
        assertThat(slot.owns("alice", "sip:alice@screamrouter.local")).isFalse();
    }

    @Test
    void pastTheBoundOfWaitersARequestGetsThe503AtOnce() throws Exception {
        AuthenticatorSlot slot = new AuthenticatorSlot(() -> MESSAGES, Duration.ofSeconds(30), 2);
        List<Future<SipAuthenticator.Outcome>> waiting = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Exchange e = new Exchange();
            waiting.add(threads.submit(() -> slot.authenticate(e)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (slot.waiting() < 2 && System.nanoTime() < deadline) Thread.onSpinWait();
        assertThat(slot.waiting()).isEqualTo(2);
        Exchange third = new Exchange();
        long start = System.nanoTime();
        assertThat(slot.authenticate(third).proceed()).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(third.responses).extracting(Response::getStatusCode).containsExactly(503);
        // the two within the bound still get through once it is back
        slot.bind(ALICE);
        for (Future<SipAuthenticator.Outcome> f : waiting) {
            assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo(SipAuthenticator.Outcome.authenticated("alice"));
        }
    }

    @Test
    void unbindingAReplacedAuthenticatorKeepsTheNewOne() {
        AuthenticatorSlot slot = new AuthenticatorSlot(() -> MESSAGES, Duration.ofMillis(1), 1);
        SipAuthenticator next = new SipAuthenticator() {
            @Override public Outcome authenticate(SipExchange exchange) { return Outcome.open(); }
            @Override public boolean owns(String user, String aor) { return true; }
        };
        slot.bind(ALICE);
        slot.bind(next); // a new revision bound before the old one is unbound (greedy)
        slot.unbind(ALICE);
        assertThat(slot.present()).isTrue();
        assertThat(slot.await()).isEqualTo(Optional.of(next));
    }
}
