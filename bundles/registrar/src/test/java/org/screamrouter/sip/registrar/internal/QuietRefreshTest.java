package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.testsupport.FakeExchange;

/**
 * Issue 15: a refresh that changes only its expiry is not written while the stored record still has its half-interval
 * slot (RegistrarStore.standsFor); what comes back after a restart has at least half its interval left from the last
 * refresh, and every other change is written.
 */
class QuietRefreshTest extends StartedRegistrar {
    private static final int EXPIRES = 3600;
    private static final String SDP = TestHarness.SINK_SDP;

    private static String uuid(int i) {
        return String.format("5f7c1a2e-0000-4000-8000-%012d", i);
    }

    /** A REGISTER of device i as a device sends it (one Call-ID, CSeq counting up), with {@code contactParams} after the URI. */
    private void register(int i, int cseq, int port, int expires, String contactParams, String sdp) throws Exception {
        String raw = "REGISTER sip:screamrouter.local SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bKq" + cseq + "\n"
                + "Max-Forwards: 70\nTo: <sip:" + uuid(i) + "@screamrouter.local>\nFrom: <sip:" + uuid(i) + "@127.0.0.1>;tag=t\n"
                + "Call-ID: quiet-" + i + "\nCSeq: " + cseq + " REGISTER\nContact: <sip:" + uuid(i) + "@127.0.0.1:" + (20000 + i) + ">"
                + contactParams + "\nExpires: " + expires + "\n"
                + (sdp == null ? "Content-Length: 0\n\n" : "Content-Type: application/sdp\nContent-Length: " + sdp.length() + "\n\n" + sdp);
        FakeExchange exchange = new FakeExchange(raw, "127.0.0.1", port);
        registrar.handle(exchange);
        assertThat(exchange.last().getStatusCode()).isEqualTo(200);
    }

    /** The bindings as the file holds them, by AOR, read after the registrar stopped (which writes its queue). */
    private Map<String, Binding> onDisk() {
        registrar.deactivate();
        registrar = null;
        try (RegistrarStore store = new RegistrarStore(store())) {
            return store.loadBindings().stream().collect(Collectors.toMap(Binding::addressOfRecord, Function.identity()));
        }
    }

    private Map<String, RegistrarStore.StoredDevice> devicesOnDisk() {
        try (RegistrarStore store = new RegistrarStore(store())) {
            return store.loadDevices().stream().map(RegistrarStore.LoadedDevice::device)
                    .collect(Collectors.toMap(RegistrarStore.StoredDevice::uuid, Function.identity()));
        }
    }

    private static String aor(int i) {
        return "sip:" + uuid(i) + "@screamrouter.local";
    }

    @Test
    void refreshesWithinHalfTheIntervalAreMostlyNotWrittenAndWhatIsStoredHasHalfTheIntervalLeft() throws Exception {
        int devices = 50;
        int refreshes = 30;
        for (int i = 0; i < devices; i++) register(i, 1, 40000, EXPIRES, "", SDP);
        for (int cseq = 2; cseq <= refreshes; cseq++) {
            h.clock.advance(Duration.ofSeconds(10));
            for (int i = 0; i < devices; i++) register(i, cseq, 40000, EXPIRES, "", null);
        }
        Instant last = h.clock.instant();
        Map<String, Binding> memory = registrar.bindings().stream().collect(Collectors.toMap(Binding::addressOfRecord, Function.identity()));
        Map<String, Binding> disk = onDisk();

        assertThat(disk).hasSize(devices);
        long writtenLast = disk.values().stream().filter(b -> b.cseq() == refreshes).count();
        // 290 s of refreshes in slots of 1,800 s: about one binding in six leaves its slot once, and only the last
        // refresh of one in 180 would be written
        assertThat(writtenLast).as("bindings whose last refresh was written").isLessThanOrEqualTo(5);
        for (Binding stored : disk.values()) {
            Binding now = memory.get(stored.addressOfRecord());
            assertThat(stored.expires()).as("stored expiry of %s", stored.addressOfRecord())
                    .isAfterOrEqualTo(last.plusSeconds(EXPIRES / 2)).isBeforeOrEqualTo(now.expires());
            assertThat(stored.contactUri()).isEqualTo(now.contactUri());
            assertThat(stored.source()).isEqualTo(now.source());
        }
        Map<String, RegistrarStore.StoredDevice> books = devicesOnDisk();
        for (int i = 0; i < devices; i++) {
            // the device record is written with its binding: the same expiry as the stored binding
            assertThat(books.get(uuid(i)).expires()).isEqualTo(disk.get(aor(i)).expires());
        }

        h.clock.advance(Duration.ofSeconds(60));
        registrar = h.start(store(), Map.of());
        assertThat(registrar.bindings()).hasSize(devices);
        assertThat(registrar.devices()).hasSize(devices).allMatch(Device::online)
                .allMatch(d -> d.capabilities() != null && d.capabilities().rtpPort() == 4010);
        // the devices go on refreshing where they were: accepted, nothing lost
        for (int i = 0; i < devices; i++) register(i, refreshes + 1, 40000, EXPIRES, "", null);
        assertThat(registrar.bindings()).hasSize(devices).allMatch(b -> b.cseq() == refreshes + 1);
    }

    @Test
    void everyChangeBesidesTheExpiryIsWrittenAtOnce() throws Exception {
        for (int i = 0; i < 6; i++) register(i, 1, 40000, EXPIRES, "", null);
        h.clock.advance(Duration.ofSeconds(10));
        register(0, 2, 40001, EXPIRES, "", null); // another source port
        register(1, 2, 40000, EXPIRES, ";reg-id=1", null); // the Contact's parameters
        register(2, 2, 40000, EXPIRES, ";q=0.5", null); // its q
        register(3, 2, 40000, EXPIRES - 60, "", null); // another interval
        register(4, 2, 40000, EXPIRES, "", null); // nothing but the expiry
        h.clock.advance(Duration.ofSeconds(EXPIRES / 2 + 1));
        register(5, 2, 40000, EXPIRES, "", null); // its expiry a slot further
        Map<String, Binding> disk = onDisk();

        assertThat(disk.get(aor(0)).source().getPort()).isEqualTo(40001);
        assertThat(disk.get(aor(1)).contactHeader()).contains("reg-id=1");
        assertThat(disk.get(aor(2)).q()).isEqualTo(0.5f);
        assertThat(disk.get(aor(3)).cseq()).isEqualTo(2);
        assertThat(disk.get(aor(5)).cseq()).isEqualTo(2);
        assertThat(devicesOnDisk().get(uuid(0)).source().getPort()).as("the device record follows").isEqualTo(40001);
    }

    private static Binding at(long startMs, long intervalMs) throws Exception {
        String contact = "sip:dev@127.0.0.1:5070";
        return new Binding("sip:dev@screamrouter.local", contact, "<" + contact + ">", "udp",
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5070), Instant.ofEpochMilli(startMs + intervalMs), -1f,
                "c", 1, List.of(), Instant.ofEpochMilli(startMs));
    }

    /**
     * The rule on its own, for any interval and any refresh times: the stored expiry never falls half an interval
     * behind the last refresh, so a device whose refreshes come within half its interval finds its binding stored up
     * to its next refresh at every moment; and a device that refreshes later than that is written every time.
     */
    @Property(tries = 500)
    void theStoredExpiryCoversTheNextRefreshOfADeviceThatRefreshesWithinHalfItsInterval(
            @ForAll @IntRange(min = 60, max = 86_400) int intervalSeconds,
            @ForAll @Size(min = 1, max = 200) List<@IntRange(min = 1, max = 1_000_000) Integer> gapsPerMille,
            @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int startSeconds) throws Exception {
        long interval = intervalSeconds * 1000L;
        long t = 1_700_000_000_000L + startSeconds * 1000L;
        Binding memory = at(t, interval);
        Binding stored = memory;
        for (int perMille : gapsPerMille) {
            long gap = interval * perMille / 1_000_000; // up to the whole interval
            long next = t + Math.max(1, gap);
            if (gap <= interval / 2) {
                assertThat(stored.expires().toEpochMilli()).as("stored expiry at the next refresh").isGreaterThanOrEqualTo(next);
            }
            Binding refreshed = at(next, interval);
            boolean quiet = RegistrarStore.standsFor(memory, refreshed);
            if (gap > interval / 2) assertThat(quiet).as("a refresh after more than half the interval is written").isFalse();
            if (!quiet) stored = refreshed;
            memory = refreshed;
            t = next;
            assertThat(stored.expires().toEpochMilli()).as("stored expiry after a refresh").isGreaterThan(t + interval / 2)
                    .isLessThanOrEqualTo(memory.expires().toEpochMilli());
        }
    }
}
