package org.screamrouter.sip.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.testsupport.FakeExchange;

/** The reg package on its own: reginfo versions, partial state only for the router-wide one, who may watch everything. */
class RegPackageTest {
    private static final Instant LATER = Instant.parse("2026-11-21T13:00:00Z");
    private final Harness h = new Harness();
    private final RegPackage pkg = new RegPackage(new ResourceState(h.registry, new Publications(), h.clock),
            () -> Harness.config(Map.of("reg_all_watchers", new String[] {"watcher"})));

    private void registered(String uuid) {
        h.device(uuid, true);
        h.bindings.add(new Binding("sip:" + uuid + "@screamrouter.local", "sip:" + uuid + "@127.0.0.1:5999", "<sip:" + uuid
                + "@127.0.0.1:5999>", "udp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 5999), LATER, -1f, "c", 1,
                java.util.List.of(), h.clock.instant()));
    }

    private static Subscription sub(String resource, long version) {
        Subscription s = TablesTest.sub("s1", Subscription.REG, resource, LATER).proved();
        return version < 0 ? s : s.notified(1, Long.toString(version), version);
    }

    private static String subscribe(String fromUser) {
        return "SUBSCRIBE sip:screamrouter@127.0.0.1 SIP/2.0\nVia: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bKr\nMax-Forwards: 70\n"
                + "From: <sip:" + fromUser + "@127.0.0.1>;tag=w\nTo: <sip:screamrouter@127.0.0.1>\nCall-ID: r\nCSeq: 1 SUBSCRIBE\n"
                + "Event: reg\nContact: <sip:" + fromUser + "@127.0.0.1:5070>\nContent-Length: 0\n\n";
    }

    @Test
    void itIsTheRegPackageOfReginfo() {
        assertThat(pkg.name()).isEqualTo("reg");
        assertThat(pkg.subtype()).isEqualTo("reginfo+xml");
        assertThat(pkg.unknownResource()).isEqualTo("No Such Address-of-Record");
    }

    @Test
    void everyNotifyHasTheNextVersionAndIsAlwaysSent() {
        registered("dev1");
        EventPackage.State first = pkg.now(sub("dev1", -1), false, null);
        assertThat(first.version()).isZero();
        assertThat(first.signature()).isEqualTo("0");
        assertThat(first.body()).contains("version=\"0\" state=\"full\"").contains("sip:dev1@127.0.0.1:5999");
        assertThat(pkg.now(sub("dev1", 4), false, null).version()).isEqualTo(5);
    }

    @Test
    void onlyTheRouterWideSubscriptionGetsPartialStateAndOnlyAfterItsFirstNotify() {
        registered("dev1");
        registered("dev2");
        assertThat(pkg.now(sub(Subscription.EVERYTHING, -1), false, "dev2").body())
                .as("the first NOTIFY is full state").contains("state=\"full\"").contains("dev1@").contains("dev2@");
        assertThat(pkg.now(sub(Subscription.EVERYTHING, 0), false, "dev2").body())
                .contains("state=\"partial\"").contains("dev2@").doesNotContain("dev1@");
        assertThat(pkg.now(sub(Subscription.EVERYTHING, 0), false, null).body()).contains("state=\"full\"");
        assertThat(pkg.now(sub("dev1", 0), false, "dev1").body()).as("one device: always full").contains("state=\"full\"");
    }

    @Test
    void theFinalNotifyIsFullStateWithTheNextVersion() {
        registered("dev1");
        EventPackage.State last = pkg.last(sub(Subscription.EVERYTHING, 2));
        assertThat(last.version()).isEqualTo(3);
        assertThat(last.signature()).isEqualTo("2");
        assertThat(last.body()).contains("version=\"3\" state=\"full\"");
    }

    @Test
    void everyRegistrationIsOnlyForTheConfiguredWatchers() throws Exception {
        FakeExchange one = new FakeExchange(subscribe("mallory"));
        assertThat(pkg.admits(one, "dev1", Optional.empty())).as("one device: anyone").isTrue();
        assertThat(one.responses).isEmpty();

        assertThat(pkg.admits(new FakeExchange(subscribe("watcher")), Subscription.EVERYTHING, Optional.empty())).isTrue();
        FakeExchange mallory = new FakeExchange(subscribe("mallory"));
        assertThat(pkg.admits(mallory, Subscription.EVERYTHING, Optional.empty())).isFalse();
        assertThat(mallory.last().getStatusCode()).isEqualTo(403);
        assertThat(mallory.last().getReasonPhrase())
                .isEqualTo("Forbidden (the registrations of every device are for the users reg.all.watchers names)");
        // the authenticated user counts, not the From user
        FakeExchange authenticated = new FakeExchange(subscribe("watcher"));
        assertThat(pkg.admits(authenticated, Subscription.EVERYTHING, Optional.of("mallory"))).isFalse();
        assertThat(pkg.admits(new FakeExchange(subscribe("mallory")), Subscription.EVERYTHING, Optional.of("watcher"))).isTrue();
    }
}
