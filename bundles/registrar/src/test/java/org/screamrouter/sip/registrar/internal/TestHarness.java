package org.screamrouter.sip.registrar.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.stack.SipStackStatus;
import org.screamrouter.sip.testsupport.Configs;
import org.screamrouter.sip.testsupport.FakeStackStatus;
import org.screamrouter.sip.testsupport.MovableClock;
import org.screamrouter.sip.testsupport.RecordingClient;
import org.screamrouter.sip.testsupport.Sent;
import org.screamrouter.sip.testsupport.TestMessages;

/**
 * The registrar's collaborators for unit tests (the shared ones from test-support): a clock the test moves, a client
 * that records the OPTIONS pings for the test to answer, a stack status listening on 127.0.0.1, and an EventAdmin that
 * keeps posted events.
 */
final class TestHarness {
    /** A sink's device SDP (RTP port 4010) without a UUID: the device is named by the REGISTER's From. */
    static final String SINK_SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "a=x-screamrouter-role:sink\r\nm=audio 4010 RTP/AVP 96\r\na=rtpmap:96 L16/48000/2\r\na=recvonly\r\n";

    final MovableClock clock = new MovableClock(Instant.parse("2026-11-21T12:00:00Z"));
    final RecordingClient client = new RecordingClient();
    /** The requests sent through {@link #client}. */
    final List<Sent> sent = client.sent;
    final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    final SipStackStatus stack = FakeStackStatus.udpOnLoopback("OPTIONS", "REGISTER");

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
        RegistrarComponent r = new RegistrarComponent(TestMessages.MESSAGES, client, stack, config(overrides), clock, store);
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
        return Configs.of(RegistrarConfig.class, overrides);
    }
}
