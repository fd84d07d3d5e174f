package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sip.address.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.testsupport.FakeExchange;
import org.screamrouter.sip.testsupport.Sent;

/**
 * The checks of each second visit only what is filed as due ({@link DueTimes}), and a deadline that moves later is
 * not filed again: these tests run devices for many intervals, second by second, and check that nothing filed once
 * is forgotten (pings go on, a refreshed binding outlives its first expiry and expires at its last, a shorter expiry
 * is met, a silent device goes offline and an old offline one is forgotten).
 */
class DueChecksTest {
    @TempDir
    Path dir;
    private final TestHarness h = new TestHarness();
    private RegistrarComponent registrar;

    @BeforeEach
    void start() {
        registrar = h.start(dir.resolve("registrar.mv"), Map.of("device_expiry", 3600));
    }

    @AfterEach
    void stop() {
        registrar.deactivate();
    }

    private static String register(String user, int cseq, int expires) {
        return "REGISTER sip:screamrouter.local SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKd" + cseq + "\n"
                + "Max-Forwards: 70\nTo: <sip:" + user + "@screamrouter.local>\nFrom: <sip:" + user + "@127.0.0.1>;tag=t\n"
                + "Call-ID: due-" + user + "\nCSeq: " + cseq + " REGISTER\nContact: <sip:" + user + "@127.0.0.1:5999>\n"
                + "Expires: " + expires + "\nContent-Length: 0\n\n";
    }

    private int send(String raw) throws Exception {
        FakeExchange exchange = new FakeExchange(raw, "127.0.0.1", 40000);
        registrar.handle(exchange);
        return exchange.last().getStatusCode();
    }

    /** Ticks once a second for {@code seconds}, answering every ping 200. */
    private int run(int seconds, boolean answer) throws Exception {
        int pings = 0;
        for (int i = 0; i < seconds; i++) {
            h.clock.advance(Duration.ofSeconds(1));
            int before = h.sent.size();
            registrar.tickForTest();
            for (Sent s : h.sent.subList(before, h.sent.size())) {
                pings++;
                if (answer) s.answer().complete(FakeExchange.MESSAGES.messages().createResponse(200, s.request()));
            }
        }
        return pings;
    }

    private boolean online(String uuid) {
        return registrar.device(uuid).orElseThrow().online();
    }

    @Test
    void anAnsweredDeviceIsPingedEveryIntervalForAnHourAndStaysOnline() throws Exception {
        assertThat(send(register("dev", 1, 7200))).isEqualTo(200);
        int pings = run(3600, true);
        assertThat(pings).as("one ping per 10 s interval").isBetween(359, 360);
        assertThat(online("dev")).isTrue();
    }

    @Test
    void aRefreshedBindingOutlivesItsFirstExpiryAndExpiresAtItsLast() throws Exception {
        assertThat(send(register("dev", 1, 60))).isEqualTo(200);
        for (int cseq = 2; cseq <= 21; cseq++) { // 20 refreshes, 30 s apart: 10 minutes
            run(30, true);
            assertThat(send(register("dev", cseq, 60))).isEqualTo(200);
        }
        Instant last = h.clock.instant();
        assertThat(registrar.bindings("sip:dev@screamrouter.local")).hasSize(1);
        run(59, true);
        assertThat(registrar.bindings("sip:dev@screamrouter.local")).as("59 s after the last refresh").hasSize(1);
        assertThat(online("dev")).isTrue();
        run(2, true);
        assertThat(registrar.bindings("sip:dev@screamrouter.local")).as("61 s after the last refresh at " + last).isEmpty();
        assertThat(online("dev")).isFalse();
    }

    @Test
    void aShorterExpiryIsMetAlthoughALongerOneWasFiledFirst() throws Exception {
        assertThat(send(register("dev", 1, 3600))).isEqualTo(200);
        run(5, true);
        assertThat(send(register("dev", 2, 60))).isEqualTo(200);
        run(59, true);
        assertThat(online("dev")).isTrue();
        run(2, true);
        assertThat(online("dev")).as("offline at the shorter expiry").isFalse();
        assertThat(registrar.bindings("sip:dev@screamrouter.local")).isEmpty();
    }

    @Test
    void aDeviceSilentAfterAnHourOfAnswersGoesOfflineAndIsForgottenAnHourLater() throws Exception {
        assertThat(send(register("dev", 1, 60))).isEqualTo(200);
        for (int cseq = 2; cseq <= 61; cseq++) { // an hour of refreshes
            run(60 - 5, true);
            assertThat(send(register("dev", cseq, 60))).isEqualTo(200);
        }
        run(31, false); // the device falls silent: no answer to pings, no REGISTER
        assertThat(online("dev")).as("offline after 30 s without a sign of life").isFalse();
        run(3600, false);
        assertThat(registrar.device("dev")).as("forgotten an hour (device.expiry) after its last sign of life").isEmpty();
    }

    @Test
    void theTableDropsABindingRefreshedTwentyTimesOnceAtItsLastExpiry() throws Exception {
        BindingTable table = new BindingTable(DueChecksTest::uri);
        String aor = "sip:dev@screamrouter.local";
        String contact = "sip:dev@127.0.0.1:5999";
        InetAddress lo = InetAddress.getLoopbackAddress();
        Instant t = Instant.parse("2026-12-06T10:00:00Z");
        for (int cseq = 1; cseq <= 20; cseq++) { // a refresh every 30 s for 60 s
            Instant now = t.plusSeconds(30L * (cseq - 1));
            Binding b = new Binding(aor, contact, "<" + contact + ">", "udp", new InetSocketAddress(lo, 5999), now.plusSeconds(60),
                    -1f, "call", cseq, List.of(), now);
            assertThat(table.apply(aor, List.of(new BindingTable.Update(uri(contact), b, 60)), "call", cseq, now, 16, 1000, lo, 1000))
                    .isInstanceOf(BindingTable.Outcome.Applied.class);
            for (int s = 1; s <= 30; s++) {
                assertThat(table.expire(now.plusSeconds(s))).as("dropped at +%d s after refresh %d", s, cseq).isEmpty();
            }
        }
        Instant last = t.plusSeconds(30L * 19);
        for (int s = 31; s < 60; s++) {
            assertThat(table.expire(last.plusSeconds(s))).isEmpty();
        }
        assertThat(table.expire(last.plusSeconds(60))).as("dropped at its last expiry").singleElement()
                .satisfies(b -> assertThat(b.cseq()).isEqualTo(20));
        assertThat(table.size()).isZero();
        assertThat(table.expire(last.plusSeconds(61))).isEmpty();
    }

    private static URI uri(String text) {
        try {
            return FakeExchange.MESSAGES.addresses().createURI(text);
        } catch (ParseException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
