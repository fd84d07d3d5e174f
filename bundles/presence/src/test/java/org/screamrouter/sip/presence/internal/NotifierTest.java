package org.screamrouter.sip.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.testsupport.FakeExchange;
import org.screamrouter.sip.testsupport.Sent;

/** The NOTIFY side on its own: order, pending before proof, failures and expiry ending subscriptions, restore. */
class NotifierTest {
    @TempDir
    Path dir;
    private final Harness h = new Harness();
    private final SubscriptionTable table = new SubscriptionTable();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private PresenceStore store;
    private PresencePackage presence;
    private RegPackage reg;
    private Notifier notifier;

    @BeforeEach
    void start() {
        store = new PresenceStore(dir.resolve("presence.mv"));
        ResourceState states = new ResourceState(h.registry, new Publications(), h.clock);
        PresenceConfig config = Harness.config(Map.of());
        presence = new PresencePackage(states);
        reg = new RegPackage(states, () -> config);
        notifier = new Notifier(table, store, new DialogMessages(FakeExchange.MESSAGES, h.stack), h.sender, executor, h.clock,
                () -> config, List.of(presence, reg));
    }

    @AfterEach
    void stop() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
        store.close();
    }

    private Subscription add(String id, String event, String resource, boolean proven) {
        Subscription s = TablesTest.sub(id, event, resource, h.clock.instant().plusSeconds(600));
        if (proven) s = s.proved();
        table.add(s, 100, 100);
        store.put(s);
        return s;
    }

    /** Everything queued so far on the notifier's one thread has run (NOTIFYs are handed to the sender there). */
    private void flush() throws Exception {
        executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    @Test
    void aProvenWatcherGetsTheStateInItsDialogAndTheStoreKeepsTheCSeq() throws Exception {
        h.device("dev1", true);
        Subscription s = add("a", Subscription.PRESENCE, "dev1", true);
        notifier.notifyCurrent(s, true);
        Sent n = h.awaitSent(1).get(0);
        assertThat(n.header("Subscription-State")).startsWith("active;expires=");
        assertThat(n.body()).contains("<basic>open</basic>");
        assertThat(n.cseq()).isEqualTo(1);
        assertThat(n.flow().toString()).isEqualTo("udp:127.0.0.1:5070");
        assertThat(store.loadSubscriptions()).singleElement().satisfies(x -> assertThat(x.cseq()).isEqualTo(1));
    }

    @Test
    void anUnprovenWatcherGetsAPendingNotifyWithoutStateThenTheStateOnceItAnswered() throws Exception {
        h.sender.autoAnswer = false;
        h.device("dev1", true);
        Subscription s = add("a", Subscription.PRESENCE, "dev1", false);
        notifier.notifyCurrent(s, true);
        Sent pending = h.awaitSent(1).get(0);
        assertThat(pending.header("Subscription-State")).startsWith("pending;expires=");
        assertThat(pending.request().getRawContent()).isNull();
        notifier.changed(presence, "dev1");
        flush();
        assertThat(h.sent).as("no state to an unproven watcher").hasSize(1);

        pending.answer(200);
        Sent state = h.awaitSent(2).get(1);
        assertThat(state.body()).contains("<basic>open</basic>");
        assertThat(table.get("a")).hasValueSatisfying(x -> assertThat(x.proven()).isTrue());
    }

    @Test
    void aChangeReachesTheProvenWatchersOfThatPackageOnly() throws Exception {
        h.device("dev1", false);
        Subscription seen = add("a", Subscription.PRESENCE, "dev1", true).notified(0, Pidf.CLOSED, -1);
        table.update("a", x -> seen);
        add("b", Subscription.PRESENCE, "dev1", false);
        add("c", Subscription.REG, "dev1", true);
        notifier.changed(presence, "dev1");
        flush();
        assertThat(h.sent).as("closed was seen already").isEmpty();
        h.device("dev1", true);
        notifier.changed(presence, "dev1");
        flush();
        assertThat(h.sent).singleElement().satisfies(n -> assertThat(n.header("From")).contains("tag=a"));
    }

    @Test
    void theRouterWideRegSubscriptionHearsOfTheDeviceThatChanged() throws Exception {
        h.device("dev1", true);
        h.device("dev2", true);
        for (String d : List.of("dev1", "dev2")) {
            h.bindings.add(new Binding("sip:" + d + "@screamrouter.local", "sip:" + d + "@127.0.0.1:5999", "<sip:" + d + "@127.0.0.1:5999>",
                    "udp", new java.net.InetSocketAddress("127.0.0.1", 5999), h.clock.instant().plusSeconds(600), -1f, "c", 1, List.of(),
                    h.clock.instant()));
        }
        Subscription s = add("e", Subscription.REG, Subscription.EVERYTHING, true);
        notifier.notifyCurrent(s, true);
        assertThat(h.awaitSent(1).get(0).body()).contains("version=\"0\" state=\"full\"");
        notifier.changed(reg, "dev2");
        String partial = h.awaitSent(2).get(1).body();
        assertThat(partial).contains("version=\"1\" state=\"partial\"").contains("dev2@").doesNotContain("dev1@");
    }

    @Test
    void aNotifyWaitsForTheAnswerToThePreviousOne() throws Exception {
        h.sender.autoAnswer = false;
        h.device("dev1", true);
        Subscription s = add("a", Subscription.PRESENCE, "dev1", true);
        notifier.notifyCurrent(s, true);
        Sent first = h.awaitSent(1).get(0);
        h.device("dev1", false);
        notifier.changed(presence, "dev1");
        flush();
        assertThat(h.sent).hasSize(1);
        first.answer(200);
        Sent second = h.awaitSent(2).get(1);
        assertThat(second.cseq()).isEqualTo(2);
        assertThat(second.body()).contains("<basic>closed</basic>");
    }

    @Test
    void aNotifyAnsweredWithAnErrorEndsTheSubscription() throws Exception {
        h.sender.autoAnswer = false;
        h.device("dev1", true);
        notifier.notifyCurrent(add("a", Subscription.PRESENCE, "dev1", true), true);
        h.awaitSent(1).get(0).answer(481);
        await(() -> table.get("a").isEmpty() && store.loadSubscriptions().isEmpty(), "the subscription ended");
    }

    @Test
    void expirySendsTheFinalNotifyWithStateThenTheSubscriptionIsGone() throws Exception {
        h.device("dev1", true);
        add("a", Subscription.PRESENCE, "dev1", true);
        h.clock.advance(Duration.ofSeconds(601));
        notifier.expire(h.clock.instant());
        Sent last = h.awaitSent(1).get(0);
        assertThat(last.header("Subscription-State")).isEqualTo("terminated;reason=timeout");
        assertThat(last.body()).contains("<basic>open</basic>");
        // out of the table, then out of the store, on the notifier's thread: wait for both
        await(() -> table.size() == 0 && store.loadSubscriptions().isEmpty(), "the subscription is gone");
    }

    @Test
    void theFinalNotifyOfAnUnprovenWatcherCarriesNoState() throws Exception {
        h.device("dev1", true);
        Subscription s = add("a", Subscription.REG, "dev1", false);
        notifier.sendFinal(table.terminate("a").orElseThrow(), "timeout");
        Sent last = h.awaitSent(1).get(0);
        assertThat(last.header("Subscription-State")).isEqualTo("terminated;reason=timeout");
        assertThat(last.request().getRawContent()).isNull();
        await(() -> table.get(s.id()).isEmpty(), "the subscription is gone");
    }

    @Test
    void restoreKeepsTheLiveSubscriptionsAndResumeSendsThemTheirState() throws Exception {
        h.device("dev1", true);
        Instant now = h.clock.instant();
        store.put(TablesTest.sub("live", Subscription.REG, "dev1", now.plusSeconds(60)).proved());
        store.put(TablesTest.sub("expired", Subscription.REG, "dev1", now));
        store.put(TablesTest.sub("ending", Subscription.REG, "dev1", now.plusSeconds(60)).ending());
        assertThat(notifier.restore()).isEqualTo(1);
        assertThat(table.all()).extracting(Subscription::id).containsExactly("live");
        assertThat(store.loadSubscriptions()).extracting(Subscription::id).containsExactly("live");
        notifier.resume();
        assertThat(h.awaitSent(1).get(0).body()).contains("state=\"full\"");
    }
}
