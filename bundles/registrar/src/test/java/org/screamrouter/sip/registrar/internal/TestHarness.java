package org.screamrouter.sip.registrar.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
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
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.stack.SipStackStatus;

/**
 * The registrar's collaborators for unit tests: a clock the test moves, a client that records what would
 * go on the wire, a stack status listening on 127.0.0.1, and an EventAdmin that keeps posted events.
 */
final class TestHarness {
    /** A clock the test moves by hand. */
    static final class MovableClock extends Clock {
        private volatile Instant now;
        MovableClock(Instant start) { now = start; }
        void advance(Duration d) { now = now.plus(d); }
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    record Sent(Request request, Flow flow, CompletableFuture<Response> answer) {}

    final MovableClock clock = new MovableClock(Instant.parse("2026-11-21T12:00:00Z"));
    final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
    final List<Event> events = Collections.synchronizedList(new ArrayList<>());

    /** Records the OPTIONS pings the registrar sends through the client; the test answers them. */
    final SipClient client = new RecordingClient((request, destination) -> {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        sent.add(new Sent(request, destination, answer));
        return answer;
    });

    final SipStackStatus stack = new SipStackStatus() {
        @Override public List<ListeningPoint> listeningPoints() { return List.of(new ListeningPoint("udp", "127.0.0.1", 5060)); }
        @Override public SortedSet<String> servedMethods() { return new TreeSet<>(List.of("OPTIONS", "REGISTER")); }
        @Override public Map<String, Long> counters() { return Map.of(); }
    };

    final EventAdmin eventAdmin = new EventAdmin() {
        @Override public void postEvent(Event event) { events.add(event); }
        @Override public void sendEvent(Event event) { events.add(event); }
    };

    /** Authentication off, as the auth bundle is by default. */
    static final SipAuthenticator OPEN = new SipAuthenticator() {
        @Override public Outcome authenticate(SipExchange exchange) { return Outcome.open(); }
        @Override public boolean owns(String user, String addressOfRecord) { return true; }
    };

    RegistrarComponent start(Path store, Map<String, Object> overrides) {
        RegistrarComponent r = new RegistrarComponent(FakeExchange.MESSAGES, client, stack, config(overrides), clock, store);
        r.setEventAdmin(eventAdmin);
        r.setAuthenticator(OPEN);
        return r;
    }

    List<String> topics() {
        synchronized (events) {
            return events.stream().map(e -> e.getTopic().substring(e.getTopic().lastIndexOf('/') + 1)).toList();
        }
    }

    /** The configuration with its metatype defaults, some overridden. */
    static RegistrarConfig config(Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>(overrides);
        return (RegistrarConfig) Proxy.newProxyInstance(RegistrarConfig.class.getClassLoader(), new Class<?>[] {RegistrarConfig.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) return RegistrarConfig.class;
                    Object v = values.get(method.getName());
                    return v != null ? v : defaultOf(method);
                });
    }

    private static Object defaultOf(Method method) {
        return method.getDefaultValue();
    }
}
