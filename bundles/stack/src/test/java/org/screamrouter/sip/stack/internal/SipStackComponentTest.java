package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Version;
import org.osgi.service.component.ComponentServiceObjects;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.SipTimeoutException;

/**
 * The real stack on real loopback sockets. The OSGi framework is the collaborator here: a minimal
 * BundleContext records the ListeningPoint services the component registers.
 */
class SipStackComponentTest {
    private final List<ListeningPoint> published = new ArrayList<>();
    /** The bundle's data area, for the tests that need one (null: the framework has none). */
    private java.nio.file.Path dataDir;
    private SipStackComponent stack;
    private DatagramSocket client;

    @BeforeEach
    void start() throws Exception {
        client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        client.setSoTimeout(3000);
        stack = new SipStackComponent();
        stack.activate(context(), config(freePort(), false));
    }

    @AfterEach
    void stop() {
        stack.deactivate();
        client.close();
    }

    private int udpPort() {
        return stack.listeningPoints().stream().filter(lp -> lp.transport().equals("udp")).findFirst().orElseThrow().port();
    }

    @Test
    void requestGoesToTheHandlerForItsMethod() throws Exception {
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        assertThat(exchange("OPTIONS", 1, null)).startsWith("SIP/2.0 200 OK");
    }

    @Test
    void methodWithoutHandlerGets405ListingServedMethods() throws Exception {
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        addHandler(2L, "REGISTER", exchange -> exchange.respond(exchange.createResponse(200)));
        String answer = exchange("SUBSCRIBE", 1, null);
        assertThat(answer).startsWith("SIP/2.0 405 ").contains("Allow: OPTIONS, REGISTER");

        // a handler that leaves is not a method never served: 503 once the wait for its return is over
        stack.modified(config(udpPort(), false, 200));
        stack.removeHandler(null, Map.of("service.id", 2L));
        assertThat(exchange("REGISTER", 2, null)).startsWith("SIP/2.0 503 Service Unavailable (the REGISTER handler is being replaced or was stopped)")
                .contains("Retry-After: 1");
        assertThat(exchange("SUBSCRIBE", 3, null)).startsWith("SIP/2.0 405 ").contains("Allow: OPTIONS\r\n");
    }

    @Test
    void aRequestArrivingWhileItsHandlerIsReplacedIsHeldAndServedByTheNewOne() throws Exception {
        // issue 16: a bundle:update of the registrar answered REGISTERs 405 until the new revision registered its handler
        addHandler(1L, "REGISTER", exchange -> exchange.respond(exchange.createResponse(200, "old")));
        assertThat(exchange("REGISTER", 1, null)).startsWith("SIP/2.0 200 old");
        stack.removeHandler(null, Map.of("service.id", 1L));
        String raw = request("REGISTER", 2, null);
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), udpPort()));
        client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), udpPort())); // a retransmission
        client.setSoTimeout(500);
        assertThatThrownBy(() -> client.receive(new DatagramPacket(new byte[8192], 8192)))
                .as("no answer while the handler is away").isInstanceOf(java.net.SocketTimeoutException.class);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        addHandler(2L, "REGISTER", exchange -> {
            calls.incrementAndGet();
            exchange.respond(exchange.createResponse(200, "new"));
        });
        client.setSoTimeout(3000);
        DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
        client.receive(packet);
        assertThat(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8)).startsWith("SIP/2.0 200 new");
        assertThat(calls).as("the held request and its retransmission reach the new handler once").hasValue(1);
        // the retransmission is dropped, by JAIN-SIP's pending-request check or as a copy of the held one (held.retransmissions)
        assertThat(stack.counters()).containsEntry("held", 1L).containsEntry("held.resumed", 1L).containsEntry("held.now", 0L);
    }

    @Test
    void aRetransmissionArrivingWhileItsHeldOriginalIsResumedIsNotHandledAgain() throws Exception {
        // issue 16, seen in hotswap-bench under load: the held requests were taken out all at once and resumed one by one;
        // a retransmission of one still waiting for its turn was neither held nor answered from the cache, so the new
        // handler got it too (the registrar answered the later one 400 "Out of order CSeq", sipp counted a failure)
        addHandler(1L, "REGISTER", exchange -> exchange.respond(exchange.createResponse(200, "old")));
        stack.removeHandler(null, Map.of("service.id", 1L));
        byte[] bytes = request("REGISTER", 2, null).getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), udpPort()));
        waitUntil("the REGISTER is held", () -> stack.counters().getOrDefault("held", 0L) == 1L);
        java.util.concurrent.CountDownLatch resuming = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        addHandler(2L, "REGISTER", exchange -> {
            calls.incrementAndGet();
            resuming.countDown();
            try {
                release.await(5, TimeUnit.SECONDS); // a handler slow to take the backlog
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.respond(exchange.createResponse(200, "new"));
        });
        assertThat(resuming.await(3, TimeUnit.SECONDS)).as("the held request is being resumed").isTrue();
        client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), udpPort())); // its retransmission
        waitUntil("the retransmission is seen", () -> stack.counters().getOrDefault("requests.REGISTER", 0L) >= 2L);
        Thread.sleep(200);
        release.countDown();
        DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
        client.receive(packet);
        assertThat(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8)).startsWith("SIP/2.0 200 new");
        client.setSoTimeout(500);
        assertThatThrownBy(() -> client.receive(new DatagramPacket(new byte[8192], 8192)))
                .as("one answer, to the original").isInstanceOf(SocketTimeoutException.class);
        assertThat(calls).as("the handler got the request once").hasValue(1);
        assertThat(stack.counters()).containsEntry("held.retransmissions", 1L);
    }

    @Test
    void afterAStackUpdateTheMethodsItServedWaitForTheirHandlersInsteadOf405(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data)
            throws Exception {
        // issue 16: a bundle:update of the stack answered REGISTERs 405 in the moment before the registrar bound again
        stack.deactivate();
        dataDir = data;
        int port = freePort();
        stack = new SipStackComponent();
        stack.activate(context(), config(port, false));
        addHandler(1L, "REGISTER", exchange -> exchange.respond(exchange.createResponse(200, "first run")));
        assertThat(exchange("REGISTER", 1, null)).startsWith("SIP/2.0 200 first run");
        stack.deactivate();

        stack = new SipStackComponent(); // the updated revision: same data area, no handler yet
        stack.activate(context(), config(port, false));
        String raw = request("REGISTER", 2, null);
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), udpPort()));
        waitUntil("the REGISTER is held", () -> stack.counters().getOrDefault("held", 0L) == 1L);
        addHandler(2L, "REGISTER", exchange -> exchange.respond(exchange.createResponse(200, "second run")));
        DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
        client.receive(packet);
        assertThat(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8)).startsWith("SIP/2.0 200 second run");
        // a method the first run never served is still 405 at once
        assertThat(exchange("SUBSCRIBE", 3, null)).startsWith("SIP/2.0 405 ");
    }

    @Test
    void withNoWaitConfiguredAHandlerThatIsClosingGets503NotAnEndlessRetry() throws Exception {
        // handler.wait 0: nothing is held, so the closing handler's request is refused at once (it was handed back to
        // the same handler again and again, a StackOverflowError)
        stack.modified(config(udpPort(), false, 0));
        addHandler(1L, "REGISTER", exchange -> {
            throw new org.screamrouter.sip.stack.HandlerClosedException("registrar is stopping");
        });
        assertThat(exchange("REGISTER", 1, null)).startsWith("SIP/2.0 503 Service Unavailable (the REGISTER handler is being replaced");
        assertThat(stack.counters()).doesNotContainKey("errors.handler");
    }

    @Test
    void aRequestReachingAHandlerThatIsClosingIsHeldForItsSuccessorNotAnswered500() throws Exception {
        // Felix SCR may deactivate a handler's component before the stack hears its service is gone: the handler's
        // RequestGate throws HandlerClosedException, and the request waits for the next revision
        addHandler(1L, "REGISTER", exchange -> {
            throw new org.screamrouter.sip.stack.HandlerClosedException("registrar is stopping");
        });
        String raw = request("REGISTER", 1, null);
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), udpPort()));
        waitUntil("the request is held", () -> stack.counters().getOrDefault("held", 0L) == 1L);
        stack.removeHandler(null, Map.of("service.id", 1L));
        addHandler(2L, "REGISTER", exchange -> exchange.respond(exchange.createResponse(200, "successor")));
        DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
        client.receive(packet);
        assertThat(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8)).startsWith("SIP/2.0 200 successor");
        assertThat(stack.counters()).doesNotContainKey("errors.handler");
    }

    @Test
    void aHandlerBeingRemovedIsToldSoARequestWaitingInItIsHeldForTheSuccessorAtOnce() throws Exception {
        // a refresh of an API bundle: a REGISTER waits in the registrar for its authenticator (auth stopped first) when
        // the stack removes the registrar's handler; the removal waited for it up to 5 s while later requests were held
        // past the stack's wait (hotswap-bench: 491 REGISTERs answered 503). Now the handler hears leaving() first.
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch left = new java.util.concurrent.CountDownLatch(1);
        SipRequestHandler waiting = new SipRequestHandler() {
            @Override
            public void handle(org.screamrouter.sip.stack.SipExchange exchange) throws Exception {
                inside.countDown();
                if (!left.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("never told it is leaving");
                throw new org.screamrouter.sip.stack.HandlerClosedException("registrar is stopping while authentication is away");
            }

            @Override
            public void leaving() {
                left.countDown();
            }
        };
        addHandler(1L, "REGISTER", waiting);
        byte[] bytes = request("REGISTER", 1, null).getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), udpPort()));
        assertThat(inside.await(5, TimeUnit.SECONDS)).as("the REGISTER is in the handler").isTrue();
        long start = System.nanoTime();
        stack.removeHandler(null, Map.of("service.id", 1L));
        assertThat(System.nanoTime() - start).as("the removal did not wait for the request").isLessThan(TimeUnit.SECONDS.toNanos(2));
        addHandler(2L, "REGISTER", exchange -> exchange.respond(exchange.createResponse(200, "successor")));
        DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
        client.receive(packet);
        assertThat(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8)).startsWith("SIP/2.0 200 successor");
    }

    @Test
    void unknownMethodGets501ButAKnownUnservedMethodStays405() throws Exception {
        // RFC 3261 8.2.1 and RFC 4475 3.1.1.2/3.1.1.5: a method the server does not know at all is 501, with Allow
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        assertThat(exchange("FROBNICATE", 1, null)).startsWith("SIP/2.0 501 Not Implemented (unknown method FROBNICATE)")
                .contains("Allow: OPTIONS");
        assertThat(exchange("SUBSCRIBE", 1, null)).startsWith("SIP/2.0 405 ");
    }

    @Test
    void unknownMethodsAreCountedUnderOneCounter() throws Exception {
        // issue 13 item 4: a counter per method name let a peer grow the stack's counter map without bound
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        for (int i = 0; i < 20; i++) {
            assertThat(exchange("FROB" + i, i + 1, null)).startsWith("SIP/2.0 501 ");
        }
        assertThat(exchange("OPTIONS", 21, null)).startsWith("SIP/2.0 200");
        Map<String, Long> counters = stack.counters();
        assertThat(counters.keySet()).filteredOn(k -> k.startsWith("requests.")).containsExactlyInAnyOrder("requests.OPTIONS", "requests.other");
        assertThat(counters).containsEntry("requests.other", 20L).containsEntry("requests.OPTIONS", 1L);
    }

    @Test
    void anotherSipVersionGets505() throws Exception {
        // RFC 4475 3.1.2.16 badvers: JAIN-SIP's parser reads any version as SIP/2.0
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        String raw = request("OPTIONS", 1, null).replace(" SIP/2.0\r\n", " SIP/7.0\r\n").replace("SIP/2.0/UDP", "SIP/7.0/UDP");
        assertThat(send(raw)).startsWith("SIP/2.0 505 ").contains("SIP/7.0");
    }

    @Test
    void requestUriOfAnotherSchemeGets416() throws Exception {
        // RFC 3261 8.2.2.1, RFC 4475 3.3.2 unkscm and 3.3.3 novelsc
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        String raw = request("OPTIONS", 1, null).replaceFirst("OPTIONS sip:[^ ]+ ", "OPTIONS nobodyKnowsThisScheme:totallyopaquecontent ");
        assertThat(send(raw)).startsWith("SIP/2.0 416 Unsupported URI Scheme (nobodyKnowsThisScheme)");
        String beep = request("OPTIONS", 2, null).replaceFirst("OPTIONS sip:[^ ]+ ", "OPTIONS soap.beep://192.0.2.103:3002 ");
        assertThat(send(beep)).startsWith("SIP/2.0 416 Unsupported URI Scheme (soap.beep)");
    }

    @Test
    void aSipsRequestInTheClearGets416NamingTheTransport() throws Exception {
        // RFC 5630: sips: means TLS on every hop; over UDP it is not served as if it were secure
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        String raw = request("OPTIONS", 1, null).replaceFirst("OPTIONS sip:", "OPTIONS sips:");
        assertThat(send(raw)).startsWith("SIP/2.0 416 Unsupported URI Scheme (sips: over udp; it needs TLS, RFC 5630)");
    }

    @Test
    void requiredExtensionsTheHandlerDoesNotSupportGet420ListingThem() throws Exception {
        // RFC 3261 8.2.2.3, RFC 4475 3.3.5 bext01
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        addHandler(2L, "REGISTER", exchange -> exchange.respond(exchange.createResponse(200)), "path");
        String raw = request("OPTIONS", 1, null).replace("Content-Length: 0", "Require: nothingSupportsThis, nothingSupportsThisEither\r\n"
                + "Proxy-Require: noProxiesSupportThis\r\nContent-Length: 0");
        String answer = send(raw);
        assertThat(answer).startsWith("SIP/2.0 420 Bad Extension");
        assertThat(answer).containsPattern("Unsupported: nothingSupportsThis, ?nothingSupportsThisEither, ?noProxiesSupportThis");
        String path = request("REGISTER", 2, null).replace("Content-Length: 0", "Require: path\r\nContent-Length: 0");
        assertThat(send(path)).as("an extension the handler declares").startsWith("SIP/2.0 200");
    }

    @Test
    void requestWithoutFromToOrCallIdGets400NamingThem() throws Exception {
        // RFC 4475 3.3.1 insuf: JAIN-SIP dropped it without an answer
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        String raw = request("OPTIONS", 1, null).replaceAll("(To|From|Call-ID): [^\r]*\r\n", "");
        assertThat(send(raw)).startsWith("SIP/2.0 400 Bad Request (Missing To, From, Call-ID)");
    }

    @Test
    void twoContentLengthsGet400() throws Exception {
        // RFC 4475 3.3.9 mcl01: a framing error; answered 400 on UDP (the RFC allows discarding it too)
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        String raw = request("OPTIONS", 1, null).replace("Content-Length: 0\r\n", "Content-Length: 0\r\nContent-Length: 5\r\n");
        assertThat(send(raw)).startsWith("SIP/2.0 400 Bad Request (More than one Content-Length)");
    }

    @Test
    void overTcpAViaNamingUdpIsAnsweredOnTheConnectionAndAParseErrorGets400There() throws Exception {
        // RFC 3261 18.2.2: a response goes back on the connection the request came on, whatever the Via names
        stack.modified(config(udpPort(), true));
        addHandler(1L, "OPTIONS", exchange -> exchange.serverTransaction().sendResponse(exchange.createResponse(200)));
        addHandler(2L, "REGISTER", exchange -> exchange.respond(exchange.createResponse(200)));
        int tcp = stack.listeningPoints().stream().filter(lp -> lp.transport().equals("tcp")).findFirst().orElseThrow().port();
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), tcp)) {
            socket.setSoTimeout(3000);
            var out = socket.getOutputStream();
            var in = socket.getInputStream();
            out.write(request("OPTIONS", 1, "192.0.2.1:5060").getBytes(StandardCharsets.UTF_8));
            assertThat(Wire.readMessage(in)).as("with a transaction").startsWith("SIP/2.0 200");
            out.write(request("REGISTER", 2, "192.0.2.1:5060").getBytes(StandardCharsets.UTF_8));
            assertThat(Wire.readMessage(in)).as("stateless").startsWith("SIP/2.0 200");
            out.write(request("REGISTER", 3, null).replace("CSeq: 3 REGISTER", "CSeq: 3 INVITE").getBytes(StandardCharsets.UTF_8));
            assertThat(Wire.readMessage(in)).startsWith("SIP/2.0 400 Bad Request (CSeq method INVITE does not match request method REGISTER)");
            out.write(request("REGISTER", 4, null).replace("Max-Forwards: 70", "Date: Fri, 01 Jan 2010 16:00:00 EST").getBytes(StandardCharsets.UTF_8));
            assertThat(Wire.readMessage(in)).as("a bad Date is ignored as over UDP (RFC 4475 3.1.2.12)").startsWith("SIP/2.0 200");
        }
    }

    @Test
    void throwingHandlerGets500WithReason() throws Exception {
        addHandler(1L, "MESSAGE", exchange -> { throw new IllegalStateException("boom"); });
        assertThat(exchange("MESSAGE", 1, null)).startsWith("SIP/2.0 500 Handler Failed: IllegalStateException");
    }

    @Test
    void cseqMismatchGets400NamingTheFaultAndNeverReachesTheHandler() throws Exception {
        int[] calls = {0};
        addHandler(1L, "OPTIONS", exchange -> { calls[0]++; exchange.respond(exchange.createResponse(200)); });
        String raw = request("OPTIONS", 1, null).replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE");
        assertThat(send(raw)).startsWith("SIP/2.0 400 Bad Request (CSeq method INVITE does not match request method OPTIONS)");
        assertThat(calls[0]).isZero();
    }

    @Test
    void bareContactWithUriHeadersGets400() throws Exception {
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        String raw = request("OPTIONS", 1, null).replace("Contact: <sip:f@127.0.0.1:5999>", "Contact: sip:f@127.0.0.1?Route=%3Csip:sip.example.com%3E");
        assertThat(send(raw)).startsWith("SIP/2.0 400 Bad Request (Contact URI with headers must be enclosed in <>)");
        assertThat(exchange("OPTIONS", 2, null)).as("a bare Contact without headers is fine").startsWith("SIP/2.0 200");
    }

    @Test
    void unparseableHeaderGets400NamingTheFault() throws Exception {
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        String raw = request("OPTIONS", 1, null).replace("CSeq: 1 OPTIONS", "CSeq: one OPTIONS");
        assertThat(send(raw)).startsWith("SIP/2.0 400 Bad Request (").contains("CSeq");
    }

    @Test
    void answerGoesToTheSourcePortNotTheViaPort() throws Exception {
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        // Via names port 9 (discard); the answer must still reach the socket the request came from
        String answer = send(request("OPTIONS", 1, "127.0.0.1:9"));
        assertThat(answer).startsWith("SIP/2.0 200").contains("rport=" + client.getLocalPort()).contains("received=127.0.0.1");
    }

    @Test
    void aDatagramWhoseViaNamesTcpIsAnsweredOverUdpToItsSource() throws Exception {
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(401, "Unauthorized")));
        // RFC 4475 regaut01 and nine other corpus messages name TCP in their Via: sent as a datagram, the answer
        // goes back as a datagram to its source, not over a TCP connection JAIN-SIP would open to that address
        String answer = send(request("OPTIONS", 1, "127.0.0.1:9").replace("SIP/2.0/UDP", "SIP/2.0/TCP"));
        assertThat(answer).startsWith("SIP/2.0 401").contains("received=127.0.0.1");
    }

    @Test
    void retransmissionIsAnsweredFromCacheWithoutCallingTheHandlerAgain() throws Exception {
        int[] calls = {0};
        addHandler(1L, "REGISTER", exchange -> { calls[0]++; exchange.respond(exchange.createResponse(200)); });
        String raw = request("REGISTER", 1, null);
        String first = send(raw);
        // JAIN-SIP drops a copy that arrives while the first is still in the handler: retransmit as a UA would (T1)
        client.setSoTimeout(500);
        String second = null;
        for (int attempt = 0; attempt < 6 && second == null; attempt++) {
            try {
                second = send(raw);
            } catch (SocketTimeoutException notYet) {
                // the next retransmission
            }
        }
        assertThat(second).isEqualTo(first);
        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void twoSourcesSendingTheSameBranchAndViaEachGetTheirOwnAnswer() throws Exception {
        // issue 13 item 8: the retransmission cache is keyed by flow too; the answer names the source it was made for
        addHandler(1L, "REGISTER", exchange -> exchange.respond(exchange.createResponse(200, "OK for " + exchange.flow().port())));
        String raw = request("REGISTER", 1, "127.0.0.1:9");
        String first = send(raw);
        assertThat(first).startsWith("SIP/2.0 200 OK for " + client.getLocalPort());
        try (DatagramSocket other = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            // one send: JAIN-SIP took it for the first request's while that one was still in its handler and dropped it
            // (BranchCollisionTest); it is another flow's, a transaction of its own
            other.setSoTimeout(3000);
            byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
            other.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), udpPort()));
            DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
            other.receive(packet);
            String second = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            assertThat(second).startsWith("SIP/2.0 200 OK for " + other.getLocalPort()).contains("rport=" + other.getLocalPort());
        }
        // and the first source's retransmission still gets its own answer, with its own rport
        client.setSoTimeout(500);
        String again = null;
        for (int attempt = 0; attempt < 6 && again == null; attempt++) {
            try {
                again = send(raw);
            } catch (SocketTimeoutException notYet) {
                // the next retransmission
            }
        }
        assertThat(again).startsWith("SIP/2.0 200 OK for " + client.getLocalPort()).contains("rport=" + client.getLocalPort());
    }

    @Test
    void aStatelessAnswerIsSentEvenWhileATransactionOfTheSameBranchLives() throws Exception {
        // RFC 4475 baddate (INVITE) and baddn (OPTIONS) share branch z9hG4bKkdjuw with other sent-by values: by RFC 3261
        // 17.2.3 they are different transactions, but JAIN-SIP's provider refused to answer the OPTIONS statelessly
        // while the INVITE's server transaction (32 s) had that branch
        addHandler(1L, "INVITE", exchange -> exchange.serverTransaction().sendResponse(exchange.createResponse(486)));
        addHandler(2L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        String invite = request("INVITE", 1, "192.0.2.1:5060").replaceAll("branch=[^\r]*", "branch=z9hG4bKkdjuw");
        assertThat(send(invite)).startsWith("SIP/2.0 486");
        String options = request("OPTIONS", 2, "192.0.2.2:5060").replaceAll("branch=[^\r]*", "branch=z9hG4bKkdjuw");
        String answer = send(options);
        // the 486 is retransmitted until an ACK (RFC 3261 17.2.1): read past it to the OPTIONS' answer
        while (answer.contains("CSeq: 1 INVITE")) {
            DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
            client.receive(packet);
            answer = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        }
        assertThat(answer).startsWith("SIP/2.0 200").contains("CSeq: 2 OPTIONS");
    }

    @Test
    void portChangeRebindsLiveAndRepublishesTheListeningPoint() throws Exception {
        addHandler(1L, "OPTIONS", exchange -> exchange.respond(exchange.createResponse(200)));
        int old = udpPort();
        int next = freePort();
        stack.modified(config(next, false));
        assertThat(udpPort()).isEqualTo(next);
        assertThat(published).contains(new ListeningPoint("udp", "127.0.0.1", next)).doesNotContain(new ListeningPoint("udp", "127.0.0.1", old));
        assertThat(exchange("OPTIONS", 1, null)).startsWith("SIP/2.0 200");
        client.setSoTimeout(500);
        assertThatThrownBy(() -> sendTo(request("OPTIONS", 2, null), old)).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void portInUseIsSkippedAndOtherTransportsKeepWorking() throws Exception {
        // a port free for TCP too: an ephemeral UDP port's number can be a TCP port in use (once: a test's connection)
        try (DatagramSocket squatter = new DatagramSocket(freePort(), InetAddress.getLoopbackAddress())) {
            stack.modified(config(squatter.getLocalPort(), true));
            assertThat(stack.listeningPoints()).extracting(ListeningPoint::transport).containsExactly("tcp");
        }
    }

    @Test
    void senderDeliversRequestToTheFlowAndCompletesWithTheAnswer() throws Exception {
        Request options = stack.messages().createRequest(request("OPTIONS", 7, null).replaceAll("Via: [^\r]*\r\n", ""));
        var answer = stack.send(options, new Flow("udp", new InetSocketAddress(InetAddress.getLoopbackAddress(), client.getLocalPort())), Duration.ofSeconds(3));
        DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
        client.receive(packet);
        String received = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        assertThat(received).startsWith("OPTIONS ").contains("Via: SIP/2.0/UDP 127.0.0.1:" + udpPort());
        Response ok = stack.messages().createResponse(200, stack.messages().createRequest(received));
        byte[] bytes = ok.toString().getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(bytes, bytes.length, packet.getSocketAddress()));
        assertThat(answer.toCompletableFuture().get(3, TimeUnit.SECONDS).getStatusCode()).isEqualTo(200);
    }

    @Test
    void senderTimesOutWithATypedFailure() throws Exception {
        Request options = stack.messages().createRequest(request("OPTIONS", 8, null).replaceAll("Via: [^\r]*\r\n", ""));
        var answer = stack.send(options, new Flow("udp", new InetSocketAddress(InetAddress.getLoopbackAddress(), client.getLocalPort())), Duration.ofMillis(300));
        assertThatThrownBy(() -> answer.toCompletableFuture().join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(SipTimeoutException.class);
    }

    @Test
    void crlfKeepAliveOnTcpIsAnsweredAndReportedWithItsFlow() throws Exception {
        stack.modified(config(udpPort(), true));
        int tcp = stack.listeningPoints().stream().filter(lp -> lp.transport().equals("tcp")).findFirst().orElseThrow().port();
        java.util.concurrent.BlockingQueue<Flow> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        @SuppressWarnings("unchecked")
        ComponentServiceObjects<org.screamrouter.sip.stack.FlowListener> objects = (ComponentServiceObjects<org.screamrouter.sip.stack.FlowListener>)
                Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ComponentServiceObjects.class},
                        (p, m, a) -> m.getName().equals("getService") ? (org.screamrouter.sip.stack.FlowListener) seen::add : null);
        stack.addFlowListener(objects, Map.of("service.id", 9L));
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), tcp)) {
            socket.setSoTimeout(3000);
            socket.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            byte[] pong = socket.getInputStream().readNBytes(2);
            assertThat(new String(pong, StandardCharsets.US_ASCII)).isEqualTo("\r\n");
            Flow flow = seen.poll(3, TimeUnit.SECONDS);
            assertThat(flow).isEqualTo(new Flow("tcp", new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort())));
        }
    }

    @Test
    void aHandlerWhoseServiceObjectComesAMomentLaterServesTheRequest() throws Exception {
        // seen in hotswap-bench's stack update: the first REGISTER reached the new stack while SCR could not yet give the
        // registrar's object (its activation needs the stack that is still activating) and was answered 503
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        SipRequestHandler handler = exchange -> exchange.respond(exchange.createResponse(200, "late"));
        @SuppressWarnings("unchecked")
        ComponentServiceObjects<SipRequestHandler> objects = (ComponentServiceObjects<SipRequestHandler>) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ComponentServiceObjects.class},
                (p, m, a) -> m.getName().equals("getService") ? (asked.incrementAndGet() <= 3 ? null : handler) : null);
        stack.addHandler(objects, Map.of("service.id", 9L, SipRequestHandler.METHOD, "OPTIONS"));
        assertThat(exchange("OPTIONS", 1, null)).startsWith("SIP/2.0 200 late");
        assertThat(asked).hasValue(4);
    }

    // --- helpers

    private static void waitUntil(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 5 s: " + what);
            Thread.sleep(10);
        }
    }

    private void addHandler(long id, String method, SipRequestHandler handler, String... supported) {
        stack.addHandler(TestStacks.objects(handler), supported.length == 0 ? Map.of("service.id", id, SipRequestHandler.METHOD, method)
                : Map.of("service.id", id, SipRequestHandler.METHOD, method, "sip.supported", supported));
    }

    private String request(String method, int cseq, String viaSentBy) {
        String sentBy = viaSentBy != null ? viaSentBy : "127.0.0.1:" + client.getLocalPort();
        return method + " sip:127.0.0.1:" + udpPort() + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + sentBy + ";branch=z9hG4bK" + method + cseq + System.nanoTime() + "\r\n"
                + "Max-Forwards: 70\r\nTo: <sip:t@127.0.0.1>\r\nFrom: <sip:f@127.0.0.1>;tag=1\r\n"
                + "Call-ID: " + method + "-test\r\nCSeq: " + cseq + " " + method + "\r\nContact: <sip:f@127.0.0.1:5999>\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private String exchange(String method, int cseq, String via) throws Exception {
        return send(request(method, cseq, via));
    }

    private String send(String raw) throws Exception {
        return sendTo(raw, udpPort());
    }

    private String sendTo(String raw, int port) throws Exception {
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
        DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
        client.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    private static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int p = s.getLocalPort();
            try (java.net.ServerSocket t = new java.net.ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (java.io.IOException tcpTaken) {
                return freePort();
            }
        }
    }

    private BundleContext context() {
        Bundle bundle = (Bundle) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, a) -> m.getName().equals("getVersion") ? new Version(1, 0, 0) : null);
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getBundle" -> bundle;
                    case "getDataFile" -> dataDir == null ? null : dataDir.resolve((String) a[0]).toFile();
                    case "registerService" -> {
                        ListeningPoint lp = (ListeningPoint) a[1];
                        published.add(lp);
                        yield Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class},
                                (p2, m2, a2) -> { if (m2.getName().equals("unregister")) published.remove(lp); return null; });
                    }
                    default -> null;
                });
    }

    private static StackConfig config(int udpPort, boolean tcp) {
        return config(udpPort, tcp, StackEngine.DEFAULT_HANDLER_WAIT_MS);
    }

    private static StackConfig config(int udpPort, boolean tcp, int handlerWaitMs) {
        return TestStackConfig.of(Map.of("udp_enabled", true, "udp_port", udpPort, "tcp_enabled", tcp, "tcp_port", udpPort,
                "ws_enabled", false, "ws_port", 1, "handler_wait", handlerWaitMs));
    }
}
