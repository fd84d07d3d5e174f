package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sip.address.URI;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.testsupport.FakeExchange;

/**
 * The table's refresh in place against readers on other threads: a reader sees each binding as one refresh made it,
 * never the expiry of one refresh with the time or CSeq of another, and the bindings of an AOR that only refreshes stay
 * held by the same objects.
 */
class BindingTableInPlaceTest {
    private static final String AOR = "sip:dev@screamrouter.local";
    private static final String CONTACT = "sip:dev@127.0.0.1:5999";
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    /** Refresh n: made n ms after T0, its interval 300 s plus n mod 7, Call-ID "call-(n / 3)". */
    private static Binding refresh(int n) {
        Instant at = T0.plusMillis(n);
        return new Binding(AOR, CONTACT, "<" + CONTACT + ">", "udp", new InetSocketAddress(LO, 5999), at.plusSeconds(interval(n)),
                -1f, callId(n), n, List.of(), at);
    }

    private static long interval(long n) {
        return 300 + n % 7;
    }

    private static String callId(long n) {
        return "call-" + n / 3;
    }

    @Test
    void readersSeeEveryBindingAsOneRefreshMadeIt() throws Exception {
        BindingTable table = new BindingTable(BindingTableInPlaceTest::uri);
        URI contact = uri(CONTACT);
        assertThat(table.apply(AOR, List.of(new BindingTable.Update(contact, refresh(1), 300)), callId(1), 1, T0, 16, 1000, LO, 1000))
                .isInstanceOf(BindingTable.Outcome.Applied.class);
        BindingTable.Held held = table.held(AOR).get(0);
        int refreshes = 200_000;
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> torn = new AtomicReference<>();
        AtomicInteger reads = new AtomicInteger();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            while (!done.get() && torn.get() == null) {
                for (Binding b : table.bindings(AOR, T0)) {
                    long n = b.cseq();
                    if (!b.registeredAt().equals(T0.plusMillis(n)) || !b.expires().equals(b.registeredAt().plusSeconds(interval(n)))
                            || !b.callId().equals(callId(n))) {
                        torn.compareAndSet(null, "CSeq " + n + " with time " + b.registeredAt() + ", expiry " + b.expires() + ", " + b.callId());
                    }
                    reads.incrementAndGet();
                }
            }
        });
        for (int n = 2; n <= refreshes && torn.get() == null; n++) {
            Binding b = refresh(n);
            Object outcome = table.apply(AOR, List.of(new BindingTable.Update(contact, b, interval(n))), b.callId(), n, T0, 16, 1000, LO, 1000);
            if (!(outcome instanceof BindingTable.Outcome.Applied)) throw new AssertionError("refresh " + n + ": " + outcome);
        }
        done.set(true);
        reader.get(30, TimeUnit.SECONDS);

        assertThat(torn.get()).as("a binding mixing two refreshes").isNull();
        assertThat(reads.get()).as("reads while the refreshes ran").isPositive();
        assertThat(table.held(AOR)).singleElement().isSameAs(held);
        assertThat(table.bindings(AOR, T0)).singleElement().satisfies(b -> {
            assertThat(b.cseq()).isEqualTo(refreshes);
            assertThat(b.expires()).isEqualTo(T0.plusMillis(refreshes).plusSeconds(interval(refreshes)));
        });
        assertThat(table.size()).isEqualTo(1);
        // it expires at its last refresh's expiry, not its first's
        assertThat(table.expire(T0.plus(Duration.ofSeconds(interval(1))).plusSeconds(1))).isEmpty();
        assertThat(table.expire(T0.plusMillis(refreshes).plusSeconds(interval(refreshes)))).singleElement()
                .satisfies(b -> assertThat(b.cseq()).isEqualTo(refreshes));
        assertThat(table.size()).isZero();
    }

    /**
     * A Call-ID changed in place (its characters in the binding's own buffer): whatever the lengths (shorter, longer,
     * past the buffer's room), characters (non-ASCII among them) and returns to the first Call-ID, the binding reads
     * the last one, and a REGISTER with it and a CSeq not above the last is stale while another Call-ID is not.
     */
    @Test
    void aChangedCallIdIsTheLastOneWhateverItsLengthAndCharacters() throws Exception {
        java.util.Random random = new java.util.Random(20261208);
        BindingTable table = new BindingTable(BindingTableInPlaceTest::uri);
        URI contact = uri(CONTACT);
        String first = "first-call@dev";
        assertThat(table.apply(AOR, List.of(new BindingTable.Update(contact, withCallId(first, 1), 300)), first, 1, T0, 16, 1000, LO, 1000))
                .isInstanceOf(BindingTable.Outcome.Applied.class);
        String alphabet = "abcXYZ0129-.@_éü€𝄞";
        for (int n = 2; n < 2_000; n++) {
            String id;
            if (random.nextInt(10) == 0) {
                id = first;
            } else {
                StringBuilder b = new StringBuilder();
                int length = 1 + random.nextInt(random.nextBoolean() ? 12 : 80);
                while (b.length() < length) b.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
                id = b.toString();
            }
            assertThat(table.apply(AOR, List.of(new BindingTable.Update(contact, withCallId(id, n), 300)), id, n, T0, 16, 1000, LO, 1000))
                    .as("refresh %d with Call-ID %s", n, id).isInstanceOf(BindingTable.Outcome.Applied.class);
            assertThat(table.bindings(AOR, T0)).singleElement().satisfies(b -> assertThat(b.callId()).isEqualTo(id));
            assertThat(table.apply(AOR, List.of(new BindingTable.Update(contact, withCallId(id, n), 300)), id, n, T0, 16, 1000, LO, 1000))
                    .as("the same Call-ID and CSeq again").isInstanceOf(BindingTable.Outcome.StaleCSeq.class);
            String other = id + "x";
            assertThat(table.held(AOR).get(0).hasCallId(other)).isFalse();
            assertThat(table.held(AOR).get(0).hasCallId(id.substring(0, id.length() - 1))).isFalse();
        }
    }

    private static Binding withCallId(String callId, long cseq) {
        return new Binding(AOR, CONTACT, "<" + CONTACT + ">", "udp", new InetSocketAddress(LO, 5999), T0.plusSeconds(300),
                -1f, callId, cseq, List.of(), T0);
    }

    private static URI uri(String text) {
        try {
            return FakeExchange.MESSAGES.addresses().createURI(text);
        } catch (ParseException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
