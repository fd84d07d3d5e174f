package org.screamrouter.sip.presence.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.registrar.PingResult;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipStackStatus;
import org.screamrouter.sip.testsupport.Configs;
import org.screamrouter.sip.testsupport.FakeStackStatus;
import org.screamrouter.sip.testsupport.MovableClock;
import org.screamrouter.sip.testsupport.RecordingSender;
import org.screamrouter.sip.testsupport.Sent;
import org.screamrouter.sip.testsupport.TestMessages;

/**
 * The presence component's collaborators for unit tests: real JAIN-SIP messages, a movable clock, a sender that
 * keeps every NOTIFY and lets the test answer it, a registry of devices the test sets.
 */
final class Harness {
    final MovableClock clock = new MovableClock(Instant.parse("2026-11-21T12:00:00Z"));
    /** Keeps every NOTIFY; answers each 200 at once unless the test turns {@code autoAnswer} off. */
    final RecordingSender sender = new RecordingSender();
    final List<Sent> sent = sender.sent;

    {
        sender.autoAnswer = true;
    }

    final SipStackStatus stack = FakeStackStatus.udpOnLoopback("PUBLISH", "SUBSCRIBE");

    final Map<String, Device> devices = new ConcurrentHashMap<>();
    /** How often every device was listed ({@code registry.devices()}). */
    final java.util.concurrent.atomic.AtomicInteger listings = new java.util.concurrent.atomic.AtomicInteger();
    final List<Binding> bindings = Collections.synchronizedList(new ArrayList<>());

    final DeviceRegistry registry = new DeviceRegistry() {
        @Override public List<Binding> bindings() { return List.copyOf(bindings); }
        @Override public List<Binding> bindings(String aor) {
            return bindings.stream().filter(b -> b.addressOfRecord().equals(aor)).toList();
        }
        @Override public List<Device> devices() {
            listings.incrementAndGet();
            return List.copyOf(devices.values());
        }
        @Override public Optional<Device> device(String uuid) { return Optional.ofNullable(devices.get(uuid)); }
        @Override public CompletionStage<PingResult> ping(String uuid) { throw new UnsupportedOperationException(); }
        @Override public boolean unregister(String uuid) { throw new UnsupportedOperationException(); }
    };

    Device device(String uuid, boolean online) {
        return device(uuid, "sip:" + uuid + "@screamrouter.local", online);
    }

    /** A device registered under this address-of-record. */
    Device device(String uuid, String aor, boolean online) {
        Instant now = clock.instant();
        Device d = new Device(uuid, aor, "sip:" + uuid + "@127.0.0.1:5999", "udp",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 5999), null, "test", online, now, now, now.plusSeconds(600));
        devices.put(uuid, d);
        return d;
    }

    /** A component with the registrar's authenticator as it is with {@code auth.mode = none}: everything proceeds. */
    PresenceComponent start(Path store, Map<String, Object> overrides) {
        PresenceComponent presence = new PresenceComponent(TestMessages.MESSAGES, sender, stack, registry, config(overrides), clock, store);
        presence.setAuthenticator(OPEN);
        return presence;
    }

    static final SipAuthenticator OPEN = new SipAuthenticator() {
        @Override
        public Outcome authenticate(SipExchange exchange) {
            return Outcome.open();
        }

        @Override
        public boolean owns(String user, String addressOfRecord) {
            return true;
        }
    };

    static PresenceConfig config(Map<String, Object> overrides) {
        return Configs.of(PresenceConfig.class, overrides);
    }

    /** Waits (bounded) until {@code n} requests were sent: NOTIFYs leave on the component's own thread. */
    List<Sent> awaitSent(int n) throws InterruptedException {
        return sender.awaitSent(n);
    }
}
