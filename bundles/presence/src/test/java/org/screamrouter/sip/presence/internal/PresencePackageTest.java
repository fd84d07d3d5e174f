package org.screamrouter.sip.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The presence package on its own: PIDF of the device's state, sent only when what the watcher saw changed. */
class PresencePackageTest {
    private final Harness h = new Harness();
    private final Publications publications = new Publications();
    private final PresencePackage pkg = new PresencePackage(new ResourceState(h.registry, publications, h.clock));

    private static Subscription watching(String uuid) {
        return TablesTest.sub("s1", Subscription.PRESENCE, uuid, Instant.parse("2026-11-21T13:00:00Z")).proved();
    }

    private static String basic(EventPackage.State state) {
        return state.body().substring(state.body().indexOf("<basic>") + 7, state.body().indexOf("</basic>"));
    }

    @Test
    void itIsThePresencePackageOfPidf() {
        assertThat(pkg.name()).isEqualTo("presence");
        assertThat(pkg.subtype()).isEqualTo("pidf+xml");
        assertThat(pkg.unknownResource()).isEqualTo("No Such Device");
        assertThat(pkg.admits(null, "dev1", java.util.Optional.empty())).isTrue();
    }

    @Test
    void theStateIsSentWhenItDiffersFromWhatTheWatcherSawOrWhenForced() {
        h.device("dev1", true);
        Subscription s = watching("dev1");
        EventPackage.State open = pkg.now(s, false, null);
        assertThat(basic(open)).isEqualTo("open");
        assertThat(open.signature()).isEqualTo("open");
        assertThat(open.version()).isEqualTo(s.version());

        Subscription saw = s.notified(1, open.signature(), open.version());
        assertThat(pkg.now(saw, false, "dev1")).as("nothing new").isNull();
        assertThat(pkg.now(saw, true, null)).as("forced").isNotNull();

        h.device("dev1", false);
        assertThat(basic(pkg.now(saw, false, "dev1"))).isEqualTo("closed");
    }

    @Test
    void aPublicationOfAnOnlineDeviceIsSentAsPublishedAndChangesTheSignature() {
        h.device("dev1", true);
        String doc = Pidf.write("sip:dev1@x", "t", Pidf.CLOSED, null, "muted");
        publications.create("dev1", doc, Pidf.CLOSED, Instant.parse("2026-11-21T13:00:00Z"));
        EventPackage.State state = pkg.now(watching("dev1"), false, null);
        assertThat(state.body()).isEqualTo(doc);
        assertThat(state.signature()).startsWith("closed|");
    }

    @Test
    void theFinalStateIsTheCurrentDocumentAndKeepsWhatWasLastSaid() {
        h.device("dev1", false);
        Subscription s = watching("dev1").notified(3, "open", -1);
        EventPackage.State last = pkg.last(s);
        assertThat(basic(last)).isEqualTo("closed");
        assertThat(last.signature()).isEqualTo("open");
        assertThat(last.version()).isEqualTo(-1);
    }
}
