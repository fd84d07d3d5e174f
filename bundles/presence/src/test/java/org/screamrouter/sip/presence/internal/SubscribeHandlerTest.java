package org.screamrouter.sip.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sip.header.AcceptHeader;
import javax.sip.header.AllowEventsHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.testsupport.FakeExchange;
import org.screamrouter.sip.testsupport.Sent;

/** SUBSCRIBE on its own: the checks, a new subscription, a fetch, the limits, and refresh or end in the dialog. */
class SubscribeHandlerTest {
    @TempDir
    Path dir;
    private final Harness h = new Harness();
    private final SubscriptionTable table = new SubscriptionTable();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private PresenceStore store;
    private SubscribeHandler handler;

    private void start(Map<String, Object> overrides) {
        store = new PresenceStore(dir.resolve("presence.mv"));
        PresenceConfig config = Harness.config(overrides);
        ResourceState states = new ResourceState(h.registry, new Publications(), h.clock);
        DialogMessages dialogs = new DialogMessages(FakeExchange.MESSAGES, h.stack);
        List<EventPackage> packages = List.of(new PresencePackage(states), new RegPackage(states, () -> config));
        Notifier notifier = new Notifier(table, store, dialogs, h.sender, executor, h.clock, () -> config, packages);
        handler = new SubscribeHandler(FakeExchange.MESSAGES, new Responses(FakeExchange.MESSAGES), dialogs, table, store, states, notifier,
                h.clock, () -> config, packages);
    }

    @AfterEach
    void stop() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
        if (store != null) store.close();
    }

    /** The component test's SUBSCRIBE (over TCP), over {@code transport}. */
    private static String subscribe(String transport, String user, String event, int cseq, Integer expires, String toTag, String... extra) {
        return PresenceComponentTest.subscribe(user, event, cseq, expires, toTag, extra).replace("SIP/2.0/TCP", "SIP/2.0/" + transport);
    }

    private Response send(String raw) throws Exception {
        FakeExchange x = new FakeExchange(raw);
        handler.subscribe(x, Optional.empty());
        assertThat(x.responses).hasSize(1);
        return x.last();
    }

    @Test
    void theChecksOfASubscribeAnswerPrecisely() throws Exception {
        start(Map.of());
        h.device("dev1", true);
        assertThat(send(subscribe("TCP", "dev1", null, 1, 600, null)).getReasonPhrase()).isEqualTo("Missing Event header");
        Response bad = send(subscribe("TCP", "dev1", "dialog", 1, 600, null));
        assertThat(bad.getStatusCode()).isEqualTo(489);
        List<String> allowed = new ArrayList<>();
        for (var it = bad.getHeaders(AllowEventsHeader.NAME); it.hasNext(); ) allowed.add(((AllowEventsHeader) it.next()).getEventType());
        assertThat(allowed).containsExactly("presence", "reg");
        Response notAcceptable = send(subscribe("TCP", "dev1", "reg", 1, 600, null, "Accept: application/pidf+xml"));
        assertThat(notAcceptable.getStatusCode()).isEqualTo(406);
        assertThat(notAcceptable.getReasonPhrase()).isEqualTo("Not Acceptable: reg is sent as application/reginfo+xml");
        assertThat(((AcceptHeader) notAcceptable.getHeader(AcceptHeader.NAME)).getContentSubType()).isEqualTo("reginfo+xml");
        assertThat(send(subscribe("TCP", "dev1", "presence", 1, 10, null)).getStatusCode()).isEqualTo(423);
        assertThat(send(subscribe("TCP", "nobody", "presence", 1, 600, null)).getReasonPhrase()).isEqualTo("No Such Device");
        assertThat(send(subscribe("TCP", "nobody", "reg", 1, 600, null)).getReasonPhrase()).isEqualTo("No Such Address-of-Record");
        assertThat(send(subscribe("TCP", "screamrouter", "reg", 1, 600, null)).getStatusCode()).as("reg of everything: not for watcher")
                .isEqualTo(403);
        assertThat(table.size()).isZero();
    }

    @Test
    void aNewSubscriptionIsAnsweredWithOurTagStoredAndNotified() throws Exception {
        start(Map.of());
        h.device("dev1", true);
        Response ok = send(subscribe("TCP", "dev1", "presence", 1, 100000, null));
        assertThat(ok.getStatusCode()).isEqualTo(200);
        String tag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
        assertThat(ok.getHeader("Expires").toString().trim()).isEqualTo("Expires: 86400");
        assertThat(ok.getHeader("Contact").toString()).contains("transport=tcp");
        assertThat(table.get(tag)).hasValueSatisfying(s -> assertThat(s.proven()).as("TCP proves the source").isTrue());
        assertThat(store.loadSubscriptions()).extracting(Subscription::id).containsExactly(tag);
        assertThat(h.awaitSent(1).get(0).body()).contains("<basic>open</basic>");
    }

    @Test
    void overUdpTheWatcherIsNotProvenUntilARefreshCarriesOurTag() throws Exception {
        start(Map.of());
        h.sender.autoAnswer = false;
        h.device("dev1", true);
        String tag = ((ToHeader) send(subscribe("UDP", "dev1", "presence", 1, 600, null)).getHeader(ToHeader.NAME)).getTag();
        assertThat(table.get(tag)).hasValueSatisfying(s -> assertThat(s.proven()).isFalse());
        assertThat(h.awaitSent(1).get(0).header("Subscription-State")).startsWith("pending");

        assertThat(send(subscribe("UDP", "dev1", "presence", 2, 600, "not-ours")).getStatusCode()).isEqualTo(481);
        assertThat(send(subscribe("UDP", "dev1", "reg", 2, 600, tag)).getStatusCode()).as("another package").isEqualTo(481);
        Response old = send(subscribe("UDP", "dev1", "presence", 1, 600, tag));
        assertThat(old.getStatusCode()).isEqualTo(500);
        assertThat(old.getReasonPhrase()).isEqualTo("CSeq lower than the last SUBSCRIBE in this dialog");
        assertThat(send(subscribe("UDP", "dev1", "presence", 2, 600, tag)).getStatusCode()).isEqualTo(200);
        assertThat(table.get(tag)).hasValueSatisfying(s -> assertThat(s.proven()).isTrue());
    }

    @Test
    void anUnsubscribeEndsTheSubscriptionWithAFinalNotify() throws Exception {
        start(Map.of());
        h.device("dev1", true);
        String tag = ((ToHeader) send(subscribe("TCP", "dev1", "presence", 1, 600, null)).getHeader(ToHeader.NAME)).getTag();
        h.awaitSent(1);
        Response bye = send(subscribe("TCP", "dev1", "presence", 2, 0, tag));
        assertThat(bye.getHeader("Expires").toString().trim()).isEqualTo("Expires: 0");
        assertThat(h.awaitSent(2).get(1).header("Subscription-State")).isEqualTo("terminated;reason=timeout");
    }

    @Test
    void aFetchIsOneFinalNotifyAndCountsAgainstTheLimitsWhileItLasts() throws Exception {
        start(Map.of("max_subscriptions", 1));
        h.sender.autoAnswer = false;
        h.device("dev1", true);
        Response fetch = send(subscribe("UDP", "dev1", "presence", 1, 0, null));
        assertThat(fetch.getStatusCode()).isEqualTo(200);
        Sent only = h.awaitSent(1).get(0);
        assertThat(only.header("Subscription-State")).isEqualTo("terminated;reason=timeout");
        assertThat(only.request().getRawContent()).as("no state over UDP before proof").isNull();
        Response full = send(subscribe("TCP", "dev1", "presence", 1, 600, null));
        assertThat(full.getStatusCode()).isEqualTo(503);
        assertThat(full.getReasonPhrase()).isEqualTo("Too Many Subscriptions");
        assertThat(full.getHeader("Retry-After").toString().trim()).isEqualTo("Retry-After: 300");
        only.answer(200);
        // the notifier's thread takes the fetch out of the table, then out of the store: wait for both
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((table.size() > 0 || !store.loadSubscriptions().isEmpty()) && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(table.size()).isZero();
        assertThat(store.loadSubscriptions()).isEmpty();
    }

    @Test
    void subscriptionsFromOneAddressAreCapped() throws Exception {
        start(Map.of("max_subscriptions_per_source", 1));
        h.device("dev1", true);
        assertThat(send(subscribe("TCP", "dev1", "presence", 1, 600, null)).getStatusCode()).isEqualTo(200);
        Response second = send(subscribe("TCP", "dev1", "presence", 1, 600, null));
        assertThat(second.getStatusCode()).isEqualTo(403);
        assertThat(second.getReasonPhrase())
                .isEqualTo("Forbidden (subscription limit per address reached: 1, max.subscriptions.per.source)");
    }
}
