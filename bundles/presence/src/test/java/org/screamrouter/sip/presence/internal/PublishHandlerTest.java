package org.screamrouter.sip.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.testsupport.FakeExchange;

/** PUBLISH on its own: entity-tags, what reaches the watchers, the checks, persistence and expiry. */
class PublishHandlerTest {
    private static final String DOC = "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:dev1@x'>"
            + "<tuple id='t'><status><basic>closed</basic></status></tuple></presence>";
    @TempDir
    Path dir;
    private final Harness h = new Harness();
    private final List<String> changed = new ArrayList<>();
    private Publications publications;
    private PresenceStore store;
    private PublishHandler handler;

    @BeforeEach
    void start() {
        h.device("dev1", true);
        open();
    }

    private void open() {
        publications = new Publications();
        store = new PresenceStore(dir.resolve("presence.mv"));
        handler = new PublishHandler(FakeExchange.MESSAGES, new Responses(FakeExchange.MESSAGES), publications, store,
                new ResourceState(h.registry, publications, h.clock), h.registry, h.clock, () -> Harness.config(Map.of()), changed::add);
        handler.restore();
    }

    @AfterEach
    void stop() {
        store.close();
    }

    private Response send(String raw) throws Exception {
        return send(raw, Harness.OPEN, Optional.empty());
    }

    private Response send(String raw, SipAuthenticator auth, Optional<String> user) throws Exception {
        FakeExchange x = new FakeExchange(raw);
        handler.publish(x, auth, user);
        assertThat(x.responses).hasSize(1);
        return x.last();
    }

    private static String etag(Response r) {
        return r.getHeader("SIP-ETag").toString().trim().substring("SIP-ETag:".length()).trim();
    }

    @Test
    void anInitialPublishGetsAnEntityTagAndReachesTheWatchersAndTheStore() throws Exception {
        Response ok = send(PresenceComponentTest.publish("dev1", null, 600, "application/pidf+xml", DOC));
        assertThat(ok.getStatusCode()).isEqualTo(200);
        assertThat(ok.getHeader("Expires").toString().trim()).isEqualTo("Expires: 600");
        String tag = etag(ok);
        assertThat(changed).containsExactly("dev1");
        assertThat(publications.get(tag)).hasValueSatisfying(p -> assertThat(p.basic()).isEqualTo("closed"));

        store.close();
        open();
        assertThat(publications.get(tag)).as("restored").isPresent();
    }

    @Test
    void aRefreshGetsANewTagAndTellsNobodyARemovalTellsTheWatchers() throws Exception {
        String tag = etag(send(PresenceComponentTest.publish("dev1", null, 600, "application/pidf+xml", DOC)));
        Response refreshed = send(PresenceComponentTest.publish("dev1", tag, 600, null, null));
        String next = etag(refreshed);
        assertThat(next).isNotEqualTo(tag);
        assertThat(changed).containsExactly("dev1");
        assertThat(send(PresenceComponentTest.publish("dev1", tag, 600, null, null)).getStatusCode()).as("superseded").isEqualTo(412);
        Response removed = send(PresenceComponentTest.publish("dev1", next, 0, null, null));
        assertThat(removed.getStatusCode()).isEqualTo(200);
        assertThat(removed.getHeader("Expires").toString().trim()).isEqualTo("Expires: 0");
        assertThat(changed).containsExactly("dev1", "dev1");
        assertThat(publications.all()).isEmpty();
        assertThat(store.loadPublications()).isEmpty();
    }

    @Test
    void badPublishesGetPreciseAnswers() throws Exception {
        assertThat(send(PresenceComponentTest.publish("dev1", null, 600, "application/pidf+xml", DOC).replace("Event: presence", "Event: reg"))
                .getStatusCode()).isEqualTo(489);
        Response media = send(PresenceComponentTest.publish("dev1", null, 600, "text/plain", "open"));
        assertThat(media.getStatusCode()).isEqualTo(415);
        assertThat(media.getHeader("Accept").toString().trim()).isEqualTo("Accept: application/pidf+xml");
        assertThat(send(PresenceComponentTest.publish("dev1", null, 600, "application/pidf+xml", "<presence/>")).getReasonPhrase())
                .startsWith("Bad PIDF body: ");
        assertThat(send(PresenceComponentTest.publish("dev1", null, 600, null, null)).getReasonPhrase())
                .isEqualTo("An initial PUBLISH needs a body");
        assertThat(send(PresenceComponentTest.publish("dev1", null, 0, "application/pidf+xml", DOC)).getReasonPhrase())
                .isEqualTo("An initial PUBLISH cannot have Expires: 0");
        assertThat(send(PresenceComponentTest.publish("dev9", null, 600, "application/pidf+xml", DOC)).getReasonPhrase())
                .isEqualTo("No Such Device");
        assertThat(send(PresenceComponentTest.publish("dev1", null, 10, "application/pidf+xml", DOC)).getStatusCode()).isEqualTo(423);
        assertThat(send(PresenceComponentTest.publish("dev1", "unknown", 600, null, null)).getStatusCode()).isEqualTo(412);
        assertThat(changed).isEmpty();
        assertThat(publications.all()).isEmpty();
    }

    @Test
    void anAuthenticatedUserPublishesOnlyForItsOwnDevice() throws Exception {
        SipAuthenticator ownsNothing = new SipAuthenticator() {
            @Override public Outcome authenticate(SipExchange exchange) { return Outcome.authenticated("alice"); }
            @Override public boolean owns(String user, String aor) { return false; }
        };
        Response refused = send(PresenceComponentTest.publish("dev1", null, 600, "application/pidf+xml", DOC), ownsNothing, Optional.of("alice"));
        assertThat(refused.getStatusCode()).isEqualTo(403);
        assertThat(refused.getReasonPhrase()).isEqualTo("Forbidden (not your device)");
        assertThat(send(PresenceComponentTest.publish("dev1", null, 600, "application/pidf+xml", DOC), Harness.OPEN, Optional.of("alice"))
                .getStatusCode()).isEqualTo(200);
    }

    @Test
    void anExpiredPublicationLeavesAndItsDevicesWatchersHear() throws Exception {
        send(PresenceComponentTest.publish("dev1", null, 60, "application/pidf+xml", DOC));
        changed.clear();
        handler.expire(h.clock.instant());
        assertThat(changed).isEmpty();
        h.clock.advance(Duration.ofSeconds(61));
        handler.expire(h.clock.instant());
        assertThat(changed).containsExactly("dev1");
        assertThat(publications.all()).isEmpty();
        assertThat(store.loadPublications()).isEmpty();
    }
}
