package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sip.header.ContactHeader;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.testsupport.FakeExchange;

/**
 * Issue 15: a refresh that moves only the expiry, the time and the CSeq moves them in the objects the registrar already
 * holds (the table's binding, the book's entry), making no new record that would live until the next refresh; what the
 * registrar answers, lists, posts and stores is as if it had made new ones.
 */
class RefreshInPlaceTest extends StartedRegistrar {
    private static final String UUID = "5f7c1a2e-0000-4000-8000-0000000000c1";
    private static final String AOR = "sip:" + UUID + "@screamrouter.local";
    private static final String SDP = TestHarness.SINK_SDP;

    /** A REGISTER of the device; {@code contacts}: the Contact header lines' values. Returns the answer. */
    private FakeExchange register(String callId, int cseq, int port, int expires, String sdp, String... contacts) throws Exception {
        StringBuilder raw = new StringBuilder("REGISTER sip:screamrouter.local SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:" + port
                + ";branch=z9hG4bKp" + callId + cseq + "\nMax-Forwards: 70\nTo: <sip:" + UUID + "@screamrouter.local>\nFrom: <sip:"
                + UUID + "@127.0.0.1>;tag=t\nCall-ID: " + callId + "\nCSeq: " + cseq + " REGISTER\n");
        for (String c : contacts) raw.append("Contact: ").append(c).append('\n');
        raw.append("Expires: ").append(expires).append('\n');
        raw.append(sdp == null ? "Content-Length: 0\n\n" : "Content-Type: application/sdp\nContent-Length: " + sdp.length() + "\n\n" + sdp);
        FakeExchange exchange = new FakeExchange(raw.toString(), "127.0.0.1", port);
        registrar.handle(exchange);
        return exchange;
    }

    private FakeExchange refresh(int cseq, int port, int expires, String sdp) throws Exception {
        return register("in-place", cseq, port, expires, sdp, "<sip:" + UUID + "@127.0.0.1:20001>");
    }

    private Object heldBinding() {
        List<BindingTable.Held> held = registrar.registry().table().held(AOR);
        assertThat(held).hasSize(1);
        return held.get(0);
    }

    private Object heldDevice() {
        return registrar.registry().book().holder(UUID);
    }

    @Test
    void aRefreshMovesTheTimesOfWhatIsHeldAndAnswersListsAndStoresThem() throws Exception {
        Instant t0 = h.clock.instant();
        assertThat(refresh(1, 40000, 300, SDP).last().getStatusCode()).isEqualTo(200);
        Object binding = heldBinding();
        Object device = heldDevice();
        List<BindingTable.Held> list = registrar.registry().table().held(AOR);

        h.clock.advance(Duration.ofSeconds(10));
        FakeExchange second = refresh(2, 40000, 600, SDP);
        h.clock.advance(Duration.ofSeconds(5));
        FakeExchange third = refresh(3, 40000, 600, SDP);

        assertThat(second.last().getStatusCode()).isEqualTo(200);
        assertThat(((ContactHeader) second.last().getHeader(ContactHeader.NAME)).getExpires()).isEqualTo(600);
        assertThat(third.last().getStatusCode()).isEqualTo(200);
        assertThat(heldBinding()).as("the table's binding").isSameAs(binding);
        assertThat(registrar.registry().table().held(AOR)).as("the AOR's list").isSameAs(list);
        assertThat(heldDevice()).as("the book's entry").isSameAs(device);

        Instant at = t0.plusSeconds(15);
        Binding b = registrar.bindings().get(0);
        assertThat(b.cseq()).isEqualTo(3);
        assertThat(b.registeredAt()).isEqualTo(at);
        assertThat(b.expires()).isEqualTo(at.plusSeconds(600));
        assertThat(registrar.bindings(AOR)).containsExactly(b);
        Device d = registrar.device(UUID).orElseThrow();
        assertThat(d.firstSeen()).isEqualTo(t0);
        assertThat(d.lastSeen()).isEqualTo(at);
        assertThat(d.expires()).isEqualTo(at.plusSeconds(600));
        assertThat(d.online()).isTrue();
        assertThat(d.capabilities().rtpPort()).isEqualTo(4010);
        assertThat(h.topics()).as("a refresh of the times is no update").containsExactly("ONLINE");

        // the interval changed (300 to 600 s) at the second REGISTER: written, so a restart has the later expiry
        registrar.deactivate();
        registrar = h.start(store(), Map.of());
        assertThat(registrar.bindings()).singleElement().satisfies(r -> {
            assertThat(r.expires()).isAfterOrEqualTo(t0.plusSeconds(10 + 600));
            assertThat(r.cseq()).isGreaterThanOrEqualTo(2);
        });
        assertThat(registrar.device(UUID).orElseThrow().expires()).isAfterOrEqualTo(t0.plusSeconds(10 + 600));

        // and the refresh after the restart is in place again
        h.clock.advance(Duration.ofSeconds(5));
        assertThat(refresh(4, 40000, 600, null).last().getStatusCode()).isEqualTo(200);
        Object restored = heldBinding();
        Object restoredDevice = heldDevice();
        h.clock.advance(Duration.ofSeconds(5));
        assertThat(refresh(5, 40000, 600, null).last().getStatusCode()).isEqualTo(200);
        assertThat(heldBinding()).isSameAs(restored);
        assertThat(heldDevice()).isSameAs(restoredDevice);
        assertThat(registrar.bindings().get(0).cseq()).isEqualTo(5);
    }

    @Test
    void aRefreshAtTheSameInstantMovesTheExpiryAlone() throws Exception {
        Instant t0 = h.clock.instant();
        assertThat(refresh(1, 40000, 300, null).last().getStatusCode()).isEqualTo(200);
        Object device = heldDevice();
        assertThat(refresh(2, 40000, 900, null).last().getStatusCode()).isEqualTo(200);

        assertThat(heldDevice()).isSameAs(device);
        assertThat(registrar.bindings().get(0).expires()).isEqualTo(t0.plusSeconds(900));
        assertThat(registrar.device(UUID).orElseThrow().expires()).isEqualTo(t0.plusSeconds(900));
        assertThat(registrar.device(UUID).orElseThrow().lastSeen()).isEqualTo(t0);
    }

    @Test
    void aRefreshThatMovesMoreThanItsTimesMakesNewRecords() throws Exception {
        assertThat(refresh(1, 40000, 300, SDP).last().getStatusCode()).isEqualTo(200);
        Object binding = heldBinding();
        Object device = heldDevice();

        h.clock.advance(Duration.ofSeconds(10));
        assertThat(refresh(2, 40002, 300, SDP).last().getStatusCode()).isEqualTo(200); // another source port

        assertThat(heldBinding()).isNotSameAs(binding);
        assertThat(heldDevice()).isNotSameAs(device);
        assertThat(registrar.bindings()).singleElement().satisfies(b -> assertThat(b.source().getPort()).isEqualTo(40002));
        assertThat(registrar.device(UUID).orElseThrow().source().getPort()).isEqualTo(40002);
        assertThat(h.topics()).containsExactly("ONLINE", "UPDATED");

    }

    @Test
    void anotherCallIdIsARefreshInPlaceWhateverItsCSeq() throws Exception {
        assertThat(refresh(7, 40000, 300, null).last().getStatusCode()).isEqualTo(200);
        Object binding = heldBinding();
        h.clock.advance(Duration.ofSeconds(10));

        // the device restarted: another Call-ID, CSeq from 1 (RFC 3261 10.3 step 7: another Call-ID updates the binding)
        assertThat(register("restarted", 1, 40000, 300, null, "<sip:" + UUID + "@127.0.0.1:20001>").last().getStatusCode())
                .isEqualTo(200);

        assertThat(heldBinding()).isSameAs(binding);
        assertThat(registrar.bindings()).singleElement().satisfies(b -> {
            assertThat(b.callId()).isEqualTo("restarted");
            assertThat(b.cseq()).isEqualTo(1);
            assertThat(b.expires()).isEqualTo(h.clock.instant().plusSeconds(300));
        });
        // its CSeq now counts from the new Call-ID's
        assertThat(register("restarted", 1, 40000, 300, null, "<sip:" + UUID + "@127.0.0.1:20001>").last().getStatusCode())
                .isEqualTo(400);
        assertThat(register("restarted", 2, 40000, 300, null, "<sip:" + UUID + "@127.0.0.1:20001>").last().getStatusCode())
                .isEqualTo(200);
    }

    @Test
    void aRefreshOutOfOrderOrNamingItsContactTwiceChangesNothing() throws Exception {
        assertThat(refresh(5, 40000, 300, null).last().getStatusCode()).isEqualTo(200);
        Binding before = registrar.bindings().get(0);
        h.clock.advance(Duration.ofSeconds(10));

        assertThat(refresh(5, 40000, 600, null).last().getStatusCode()).as("the same CSeq again").isEqualTo(400);
        // RFC 3261 10.3 step 7, Contact by Contact: the second finds the binding the first refreshed, with this CSeq
        FakeExchange twice = register("in-place", 6, 40000, 600, null, "<sip:" + UUID + "@127.0.0.1:20001>",
                "<sip:" + UUID + "@127.0.0.1:20001>");
        assertThat(twice.last().getStatusCode()).as("one Contact twice").isEqualTo(400);
        assertThat(twice.last().getReasonPhrase()).startsWith("Out of order CSeq");

        assertThat(registrar.bindings()).containsExactly(before);
        assertThat(registrar.device(UUID).orElseThrow().expires()).isEqualTo(before.expires());
    }
}
