package org.screamrouter.sip.presence.internal;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.ServerTransaction;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.registrar.PingResult;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipSender;
import org.screamrouter.sip.stack.SipStackStatus;

/**
 * The presence component's collaborators for unit tests: real JAIN-SIP messages, a movable clock, a sender that
 * keeps every NOTIFY and lets the test answer it, a registry of devices the test sets.
 */
final class Harness {
    static final SipMessages MESSAGES = new SipMessages() {
        private final MessageFactory m = new MessageFactoryImpl();
        private final HeaderFactory h = new HeaderFactoryImpl();
        private final AddressFactory a = new AddressFactoryImpl();
        @Override public MessageFactory messages() { return m; }
        @Override public HeaderFactory headers() { return h; }
        @Override public AddressFactory addresses() { return a; }
    };

    static final class MovableClock extends Clock {
        private volatile Instant now;
        MovableClock(Instant start) { now = start; }
        void advance(Duration d) { now = now.plus(d); }
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    record Sent(Request request, Flow flow, CompletableFuture<Response> answer) {
        void answer(int status) {
            try {
                answer.complete(MESSAGES.messages().createResponse(status, request));
            } catch (java.text.ParseException e) {
                throw new IllegalStateException(e);
            }
        }

        String body() {
            return new String(request.getRawContent(), java.nio.charset.StandardCharsets.UTF_8);
        }

        String header(String name) {
            String s = request.getHeader(name).toString().trim();
            return s.substring(s.indexOf(':') + 1).trim();
        }

        long cseq() {
            return ((javax.sip.header.CSeqHeader) request.getHeader("CSeq")).getSeqNumber();
        }
    }

    final MovableClock clock = new MovableClock(Instant.parse("2026-11-21T12:00:00Z"));
    final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
    /** When true, every NOTIFY is answered 200 at once. */
    volatile boolean autoAnswer = true;

    final SipSender sender = (request, destination, timeout) -> {
        Sent s = new Sent(request, destination, new CompletableFuture<>());
        sent.add(s);
        if (autoAnswer) s.answer(200);
        return s.answer();
    };

    final SipStackStatus stack = new SipStackStatus() {
        @Override public List<ListeningPoint> listeningPoints() { return List.of(new ListeningPoint("udp", "127.0.0.1", 5060)); }
        @Override public SortedSet<String> servedMethods() { return new TreeSet<>(List.of("PUBLISH", "SUBSCRIBE")); }
        @Override public Map<String, Long> counters() { return Map.of(); }
    };

    final Map<String, Device> devices = new ConcurrentHashMap<>();
    final List<Binding> bindings = Collections.synchronizedList(new ArrayList<>());

    final DeviceRegistry registry = new DeviceRegistry() {
        @Override public List<Binding> bindings() { return List.copyOf(bindings); }
        @Override public List<Binding> bindings(String aor) {
            return bindings.stream().filter(b -> b.addressOfRecord().equals(aor)).toList();
        }
        @Override public List<Device> devices() { return List.copyOf(devices.values()); }
        @Override public Optional<Device> device(String uuid) { return Optional.ofNullable(devices.get(uuid)); }
        @Override public CompletionStage<PingResult> ping(String uuid) { throw new UnsupportedOperationException(); }
        @Override public boolean unregister(String uuid) { throw new UnsupportedOperationException(); }
    };

    Device device(String uuid, boolean online) {
        Instant now = clock.instant();
        Device d = new Device(uuid, "sip:" + uuid + "@screamrouter.local", "sip:" + uuid + "@127.0.0.1:5999", "udp",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 5999), null, "test", online, now, now, now.plusSeconds(600));
        devices.put(uuid, d);
        return d;
    }

    /** A component with the registrar's authenticator as it is with {@code auth.mode = none}: everything proceeds. */
    PresenceComponent start(Path store, Map<String, Object> overrides) {
        PresenceComponent presence = new PresenceComponent(MESSAGES, sender, stack, registry, config(overrides), clock, store);
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
        Map<String, Object> values = new HashMap<>(overrides);
        return (PresenceConfig) Proxy.newProxyInstance(PresenceConfig.class.getClassLoader(), new Class<?>[] {PresenceConfig.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) return PresenceConfig.class;
                    Object v = values.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
    }

    /** Waits (bounded) until {@code n} requests were sent: NOTIFYs leave on the component's own thread. */
    List<Sent> awaitSent(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sent.size() < n && System.nanoTime() < deadline) Thread.sleep(5);
        synchronized (sent) {
            if (sent.size() < n) throw new AssertionError("expected " + n + " NOTIFYs, got " + sent.size() + ": " + sent);
            return List.copyOf(sent);
        }
    }

    /** A request as it arrives, and the responses the handler sent. */
    static final class Exchange implements SipExchange {
        final Request request;
        final List<Response> responses = new ArrayList<>();
        private final Flow flow;

        Exchange(String raw) throws Exception {
            this(raw, InetAddress.getLoopbackAddress());
        }

        Exchange(String raw, InetAddress source) throws Exception {
            this.request = MESSAGES.messages().createRequest(raw.replace("\r\n", "\n").replace("\n", "\r\n"));
            // the flow's transport is the one the Via names, as the stack's would be
            String transport = ((javax.sip.header.ViaHeader) request.getHeader("Via")).getTransport().toLowerCase(java.util.Locale.ROOT);
            this.flow = new Flow(transport, new InetSocketAddress(source, 5070));
        }

        Response last() {
            return responses.get(responses.size() - 1);
        }

        @Override public Request request() { return request; }
        @Override public Flow flow() { return flow; }
        @Override public Response createResponse(int status) {
            try {
                return MESSAGES.messages().createResponse(status, request);
            } catch (java.text.ParseException e) {
                throw new IllegalStateException(e);
            }
        }
        @Override public Response createResponse(int status, String reason) {
            Response r = createResponse(status);
            try {
                r.setReasonPhrase(reason);
            } catch (java.text.ParseException e) {
                throw new IllegalStateException(e);
            }
            return r;
        }
        @Override public void respond(Response response) { responses.add(response); }
        @Override public boolean answered() { return !responses.isEmpty(); }
        @Override public ServerTransaction serverTransaction() { throw new UnsupportedOperationException(); }
    }
}
