package org.screamrouter.sip.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TablesTest {
    private static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");

    static Subscription sub(String id, String event, String resource, Instant expires) {
        return new Subscription(id, event, resource, "sip:dev1@127.0.0.1", "sip:watcher@127.0.0.1", "call-" + id, "ft-" + id,
                "sip:watcher@127.0.0.1:5070", List.of("<sip:proxy@127.0.0.1;lr>"), "e1", "udp",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 5070), expires, 0, 1, "", -1, 0, false, false);
    }

    @Test
    void subscriptionLifecycleActiveTerminatingGone() {
        SubscriptionTable table = new SubscriptionTable();
        Subscription s = sub("a", "presence", "dev1", T0.plusSeconds(60));
        assertThat(table.add(s, 10, 10)).isEqualTo(SubscriptionTable.Added.ADDED);
        assertThat(table.inDialog("a", "call-a", "ft-a")).contains(s);
        assertThat(table.inDialog("a", "call-a", "other")).isEmpty();
        assertThat(table.inDialog("a", "other", "ft-a")).isEmpty();
        assertThat(table.watching("presence", "dev1")).containsExactly(s);
        assertThat(table.watching("reg", "dev1")).isEmpty();

        Subscription notified = table.update("a", x -> x.notified(1, "open", -1)).orElseThrow();
        assertThat(notified.cseq()).isEqualTo(1);
        assertThat(notified.notifiesSent()).isEqualTo(1);
        assertThat(notified.lastState()).isEqualTo("open");

        assertThat(table.terminate("a")).isPresent();
        assertThat(table.terminate("a")).as("terminated once").isEmpty();
        assertThat(table.inDialog("a", "call-a", "ft-a")).as("a terminating subscription takes no refresh").isEmpty();
        assertThat(table.watching("presence", "dev1")).as("no more NOTIFYs for state changes").isEmpty();
        assertThat(table.remove("a")).isPresent();
        assertThat(table.size()).isZero();
    }

    @Test
    void expiryMarksOnlyDueSubscriptionsAndRefreshMovesIt() {
        SubscriptionTable table = new SubscriptionTable();
        table.add(sub("a", "presence", "dev1", T0.plusSeconds(60)), 10, 10);
        table.add(sub("b", "reg", Subscription.EVERYTHING, T0.plusSeconds(120)), 10, 10);
        assertThat(table.expire(T0.plusSeconds(59))).isEmpty();
        table.update("a", x -> x.refreshed(T0.plusSeconds(200), 2, x.remoteTarget(), "udp", x.remote()));
        assertThat(table.expire(T0.plusSeconds(120))).extracting(Subscription::id).containsExactly("b");
        assertThat(table.expire(T0.plusSeconds(120))).as("only once").isEmpty();
        assertThat(table.watching("reg", "anything")).isEmpty();
        assertThat(table.expire(T0.plusSeconds(200))).extracting(Subscription::id).containsExactly("a");
    }

    @Test
    void limitRefusesNewSubscriptions() {
        SubscriptionTable table = new SubscriptionTable();
        assertThat(table.add(sub("a", "presence", "d", T0), 1, 10)).isEqualTo(SubscriptionTable.Added.ADDED);
        assertThat(table.add(sub("b", "presence", "d", T0), 1, 10)).isEqualTo(SubscriptionTable.Added.FULL);
    }

    @Test
    void entityTagsChangeOnEveryPublishAndUnknownTagsFail() {
        Publications p = new Publications();
        Publication first = p.create("dev1", "<a/>", "open", T0.plusSeconds(60)).now();
        Publication refreshed = p.update(first.entityTag(), null, null, T0.plusSeconds(120)).orElseThrow();
        assertThat(refreshed.entityTag()).isNotEqualTo(first.entityTag());
        assertThat(refreshed.body()).as("a refresh keeps the body").isEqualTo("<a/>");
        assertThat(refreshed.basic()).isEqualTo("open");
        assertThat(p.update(first.entityTag(), null, null, T0.plusSeconds(120))).as("the old tag is gone").isEmpty();
        Publication modified = p.update(refreshed.entityTag(), "<b/>", "closed", T0.plusSeconds(120)).orElseThrow();
        assertThat(p.current("dev1")).contains(modified);
        assertThat(p.remove("nope")).isEmpty();

        Publications.Replaced again = p.create("dev1", "<c/>", "open", T0.plusSeconds(60));
        assertThat(again.before()).isEqualTo(modified);
        assertThat(p.all()).containsExactly(again.now());
        assertThat(p.expire(T0.plusSeconds(59))).isEmpty();
        assertThat(p.expire(T0.plusSeconds(60))).containsExactly(again.now());
        assertThat(p.current("dev1")).isEmpty();
    }

    @Test
    void storeRoundTripKeepsEveryField(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("presence.mv");
        Subscription s = sub("a", "presence", "dev1", T0.plusSeconds(60)).notified(7, "open|1f", 3);
        Subscription noTag = new Subscription("b", "reg", "*", "sip:screamrouter@127.0.0.1", "sip:ui@127.0.0.1", "c", null,
                "sip:ui@[::1]:5070", List.of(), null, "tcp", new InetSocketAddress(InetAddress.getByName("::1"), 5071),
                T0.plusSeconds(5), 2, 9, "", 4, 2, true, true);
        Publication p = new Publication("abc", "dev1", "<presence/>\u00e9", null, T0.plusSeconds(30));
        try (PresenceStore store = new PresenceStore(file)) {
            store.put(s);
            store.put(noTag);
            store.put(p);
            store.put(new Publication("gone", "dev2", "<x/>", "open", T0));
            store.removePublication("gone");
        }
        try (PresenceStore store = new PresenceStore(file)) {
            assertThat(store.loadSubscriptions()).containsExactlyInAnyOrder(s, noTag);
            assertThat(store.loadPublications()).containsExactly(p);
            store.removeSubscription("a");
        }
        try (PresenceStore store = new PresenceStore(file)) {
            assertThat(store.loadSubscriptions()).containsExactly(noTag);
        }
    }
}
