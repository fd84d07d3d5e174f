package org.screamrouter.sip.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sip.header.ToHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.event.Event;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceEvents;
import org.screamrouter.sip.testsupport.FakeExchange;
import org.screamrouter.sip.testsupport.Sent;

class PresenceComponentTest {
    @TempDir
    Path dir;
    private final Harness h = new Harness();
    private PresenceComponent presence;

    @BeforeEach
    void start() {
        presence = h.start(dir.resolve("presence.mv"), Map.of("reg_all_watchers", new String[] {"watcher"}));
    }

    @AfterEach
    void stop() {
        presence.deactivate();
    }

    static String subscribe(String user, String event, int cseq, Integer expires, String toTag, String... extra) {
        // over TCP: the watcher's address is proven by the connection (the UDP rules have tests of their own below)
        StringBuilder s = new StringBuilder("SUBSCRIBE sip:" + user + "@127.0.0.1:5060 SIP/2.0\n"
                + "Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bKs" + cseq + "\n"
                + "Max-Forwards: 70\nFrom: <sip:watcher@127.0.0.1>;tag=w1\n"
                + "To: <sip:" + user + "@127.0.0.1>" + (toTag == null ? "" : ";tag=" + toTag) + "\n"
                + "Call-ID: sub-call-1\nCSeq: " + cseq + " SUBSCRIBE\n");
        if (event != null) s.append("Event: ").append(event).append('\n');
        s.append("Contact: <sip:watcher@127.0.0.1:5070>\n");
        if (expires != null) s.append("Expires: ").append(expires).append('\n');
        for (String e : extra) s.append(e).append('\n');
        return s.append("Content-Length: 0\n\n").toString();
    }

    static String publish(String user, String etag, Integer expires, String type, String body) {
        StringBuilder s = new StringBuilder("PUBLISH sip:" + user + "@127.0.0.1:5060 SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKp" + System.nanoTime() + "\n"
                + "Max-Forwards: 70\nFrom: <sip:" + user + "@127.0.0.1>;tag=d1\nTo: <sip:" + user + "@127.0.0.1>\n"
                + "Call-ID: pub-" + System.nanoTime() + "\nCSeq: 1 PUBLISH\nEvent: presence\n");
        if (etag != null) s.append("SIP-If-Match: ").append(etag).append('\n');
        if (expires != null) s.append("Expires: ").append(expires).append('\n');
        if (body == null) return s.append("Content-Length: 0\n\n").toString();
        return s.append("Content-Type: ").append(type).append("\nContent-Length: ").append(body.length()).append("\n\n").append(body).toString();
    }

    private Response send(String raw) throws Exception {
        FakeExchange x = new FakeExchange(raw);
        presence.handle(x);
        assertThat(x.responses).hasSize(1);
        return x.last();
    }

    private void event(String topic, Device d) {
        presence.handleEvent(new Event(topic, Map.of(DeviceEvents.UUID, d.uuid(), DeviceEvents.DEVICE, d)));
    }

    private static String basic(Sent n) {
        String body = n.body();
        return body.substring(body.indexOf("<basic>") + 7, body.indexOf("</basic>"));
    }

    @Test
    void subscriberSeesOpenClosedOpenInOrderWithIncreasingCSeq() throws Exception {
        h.device("dev1", false);
        Response ok = send(subscribe("dev1", "presence;id=7", 1, 600, null));
        assertThat(ok.getStatusCode()).isEqualTo(200);
        String tag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
        assertThat(tag).isNotBlank();
        assertThat(ok.getHeader("Expires").toString()).contains("600");
        assertThat(ok.getHeader("Contact").toString()).contains("sip:127.0.0.1").contains("transport=tcp");
        assertThat(basic(h.awaitSent(1).get(0))).isEqualTo("closed");

        event(DeviceEvents.ONLINE, h.device("dev1", true));
        h.awaitSent(2);
        event(DeviceEvents.UPDATED, h.device("dev1", true)); // same state: no NOTIFY
        event(DeviceEvents.OFFLINE, h.device("dev1", false));
        h.awaitSent(3);
        event(DeviceEvents.ONLINE, h.device("dev1", true));
        List<Sent> n = h.awaitSent(4);
        Thread.sleep(100);
        assertThat(h.sent).hasSize(4);
        assertThat(n).extracting(PresenceComponentTest::basic).containsExactly("closed", "open", "closed", "open");
        assertThat(n).extracting(Sent::cseq).containsExactly(1L, 2L, 3L, 4L);
        Sent first = n.get(0);
        assertThat(first.request().getMethod()).isEqualTo("NOTIFY");
        assertThat(first.request().getRequestURI().toString()).isEqualTo("sip:watcher@127.0.0.1:5070");
        assertThat(first.flow().toString()).isEqualTo("tcp:127.0.0.1:5070");
        assertThat(first.header("Call-ID")).isEqualTo("sub-call-1");
        assertThat(first.header("From")).contains("tag=" + tag);
        assertThat(first.header("To")).contains("tag=w1");
        assertThat(first.header("Event")).isEqualTo("presence;id=7");
        assertThat(first.header("Subscription-State")).startsWith("active;expires=");
        assertThat(first.header("Content-Type")).isEqualTo("application/pidf+xml");

        // unsubscribe: 200 with Expires 0, then a final NOTIFY, terminated
        Response bye = send(subscribe("dev1", "presence;id=7", 2, 0, tag));
        assertThat(bye.getStatusCode()).isEqualTo(200);
        Sent last = h.awaitSent(5).get(4);
        assertThat(last.header("Subscription-State")).isEqualTo("terminated;reason=timeout");
        assertThat(last.cseq()).isEqualTo(5);
        awaitNoSubscriptions();
        assertThat(send(subscribe("dev1", "presence;id=7", 3, 600, tag)).getStatusCode()).as("gone after unsubscribe").isEqualTo(481);
    }

    private void awaitNoSubscriptions() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!presence.subscriptions().isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(presence.subscriptions()).isEmpty();
    }

    @Test
    void badRequestsGetPreciseAnswers() throws Exception {
        h.device("dev1", true);
        Response bad = send(subscribe("dev1", "dialog", 1, 600, null));
        assertThat(bad.getStatusCode()).isEqualTo(489);
        assertThat(bad.toString()).containsPattern("Allow-Events: ?presence").containsPattern("(Allow-Events: ?|,)reg");
        assertThat(send(subscribe("dev1", null, 1, 600, null)).getReasonPhrase()).isEqualTo("Missing Event header");
        assertThat(send(subscribe("nobody", "presence", 1, 600, null)).getStatusCode()).isEqualTo(404);
        Response brief = send(subscribe("dev1", "presence", 1, 10, null));
        assertThat(brief.getStatusCode()).isEqualTo(423);
        assertThat(brief.getHeader("Min-Expires").toString()).contains("60");
        assertThat(send(subscribe("dev1", "presence", 1, 600, "unknown")).getStatusCode()).isEqualTo(481);
        String noContact = subscribe("dev1", "presence", 1, 600, null).replace("Contact: <sip:watcher@127.0.0.1:5070>\n", "");
        assertThat(send(noContact).getReasonPhrase()).isEqualTo("Missing Contact header");
        Response notAcceptable = send(subscribe("dev1", "presence", 1, 600, null, "Accept: application/xpidf+xml"));
        assertThat(notAcceptable.getStatusCode()).isEqualTo(406);
        assertThat(notAcceptable.getHeader("Accept").toString()).contains("application/pidf+xml");
        assertThat(h.sent).isEmpty();
        assertThat(send(subscribe("dev1", "presence", 1, 600, null, "Accept: application/pidf+xml, application/xpidf+xml"))
                .getStatusCode()).isEqualTo(200);
    }

    @Test
    void anInitialSubscribeWithExpiresZeroIsAFetch() throws Exception {
        h.device("dev1", true);
        Response ok = send(subscribe("dev1", "presence", 1, 0, null));
        assertThat(ok.getStatusCode()).isEqualTo(200);
        Sent only = h.awaitSent(1).get(0);
        assertThat(basic(only)).isEqualTo("open");
        assertThat(only.header("Subscription-State")).isEqualTo("terminated;reason=timeout");
        awaitNoSubscriptions();
    }

    @Test
    void aRefreshWithAnOldCSeqIsRefusedAndTheSubscriptionKept() throws Exception {
        h.device("dev1", true);
        Response ok = send(subscribe("dev1", "presence", 5, 600, null));
        String tag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
        h.awaitSent(1);
        Response stale = send(subscribe("dev1", "presence", 5, 600, tag));
        assertThat(stale.getStatusCode()).isEqualTo(500);
        assertThat(stale.getReasonPhrase()).contains("CSeq");
        assertThat(send(subscribe("dev1", "presence", 6, 1200, tag)).getStatusCode()).isEqualTo(200);
        assertThat(h.awaitSent(2).get(1).header("Subscription-State")).as("a NOTIFY on refresh").startsWith("active;expires=1");
        assertThat(presence.subscriptions()).hasSize(1);
    }

    @Test
    void subscriptionLimitAnswers503WithRetryAfter() throws Exception {
        presence.deactivate();
        presence = h.start(dir.resolve("limited.mv"), Map.of("max_subscriptions", 1));
        h.device("dev1", true);
        assertThat(send(subscribe("dev1", "presence", 1, 600, null)).getStatusCode()).isEqualTo(200);
        Response full = send(subscribe("dev1", "presence", 1, 600, null).replace("sub-call-1", "sub-call-2"));
        assertThat(full.getStatusCode()).isEqualTo(503);
        assertThat(full.getHeader("Retry-After")).isNotNull();
    }

    @Test
    void subscriptionsFromOneAddressAreCappedWith403NamingTheLimit() throws Exception {
        // issue 13 item 4: one address could take the whole subscription table (and every NOTIFY it costs)
        presence.deactivate();
        presence = h.start(dir.resolve("per-source.mv"), Map.of("max_subscriptions_per_source", 2));
        h.device("dev1", true);
        java.net.InetAddress one = java.net.InetAddress.getByName("127.0.0.61");
        for (int i = 1; i <= 2; i++) {
            assertThat(sendFrom(subscribe("dev1", "presence", 1, 600, null).replace("sub-call-1", "per-source-" + i), one)
                    .getStatusCode()).isEqualTo(200);
        }
        Response refused = sendFrom(subscribe("dev1", "presence", 1, 600, null).replace("sub-call-1", "per-source-3"), one);
        assertThat(refused.getStatusCode()).isEqualTo(403);
        assertThat(refused.getReasonPhrase()).isEqualTo("Forbidden (subscription limit per address reached: 2, max.subscriptions.per.source)");
        assertThat(presence.subscriptions()).hasSize(2);
        assertThat(sendFrom(subscribe("dev1", "presence", 1, 600, null).replace("sub-call-1", "per-source-4"),
                java.net.InetAddress.getByName("127.0.0.62")).getStatusCode()).as("another address").isEqualTo(200);
    }

    private Response sendFrom(String raw, java.net.InetAddress source) throws Exception {
        FakeExchange x = new FakeExchange(raw, source);
        presence.handle(x);
        assertThat(x.responses).hasSize(1);
        return x.last();
    }

    @Test
    void aNotifyWaitsForTheAnswerToThePreviousOne() throws Exception {
        h.device("dev1", false);
        h.sender.autoAnswer = false;
        send(subscribe("dev1", "presence", 1, 600, null));
        Sent first = h.awaitSent(1).get(0);
        event(DeviceEvents.ONLINE, h.device("dev1", true));
        Thread.sleep(200);
        assertThat(h.sent).as("nothing while the first NOTIFY is unanswered").hasSize(1);
        first.answer(200);
        Sent second = h.awaitSent(2).get(1);
        assertThat(basic(second)).isEqualTo("open");
        event(DeviceEvents.OFFLINE, h.device("dev1", false));
        event(DeviceEvents.ONLINE, h.device("dev1", true));
        event(DeviceEvents.OFFLINE, h.device("dev1", false));
        Thread.sleep(200);
        assertThat(h.sent).hasSize(2);
        second.answer(200);
        // the changes queued behind the unanswered NOTIFY collapse into the current state
        Sent third = h.awaitSent(3).get(2);
        assertThat(basic(third)).isEqualTo("closed");
        assertThat(List.of(first.cseq(), second.cseq(), third.cseq())).containsExactly(1L, 2L, 3L);
        third.answer(200);
        Thread.sleep(200);
        assertThat(h.sent).as("no NOTIFY repeating what the watcher saw").hasSize(3);
    }

    @Test
    void aNotifyAnswered481EndsTheSubscription() throws Exception {
        h.device("dev1", true);
        h.sender.autoAnswer = false;
        send(subscribe("dev1", "presence", 1, 600, null));
        h.awaitSent(1).get(0).answer(481);
        awaitNoSubscriptions();
    }

    @Test
    void expirySendsTheFinalNotify() throws Exception {
        h.device("dev1", true);
        send(subscribe("dev1", "presence", 1, 60, null));
        h.awaitSent(1);
        h.clock.advance(Duration.ofSeconds(61));
        presence.tickForTest();
        assertThat(h.awaitSent(2).get(1).header("Subscription-State")).isEqualTo("terminated;reason=timeout");
        awaitNoSubscriptions();
    }

    @Test
    void withoutTheAuthenticatorNothingIsServedAfterTheWait() throws Exception {
        h.device("dev1", true);
        presence.unsetAuthenticator(Harness.OPEN); // the auth bundle stopped, and does not come back within the wait
        Response r = send(subscribe("dev1", "presence", 1, 600, null));
        assertThat(r.getStatusCode()).isEqualTo(503);
        assertThat(r.getReasonPhrase()).isEqualTo(org.screamrouter.sip.auth.AuthenticatorSlot.REASON);
        assertThat(((javax.sip.header.RetryAfterHeader) r.getHeader("Retry-After")).getRetryAfter())
                .isEqualTo(org.screamrouter.sip.auth.AuthenticatorSlot.RETRY_AFTER_SECONDS);
        assertThat(presence.subscriptions()).isEmpty();
    }

    @Test
    void withAuthenticationAUserPublishesOnlyForItsOwnDevice() throws Exception {
        h.device("dev1", true);
        String[] user = {"alice"};
        presence.setAuthenticator(new org.screamrouter.sip.auth.SipAuthenticator() {
            @Override
            public Outcome authenticate(org.screamrouter.sip.stack.SipExchange exchange) {
                return Outcome.authenticated(user[0]);
            }

            @Override
            public boolean owns(String u, String aor) {
                return aor.startsWith("sip:" + u + "@");
            }
        });
        String doc = "<?xml version='1.0'?><presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:dev1@127.0.0.1'>"
                + "<tuple id='x'><status><basic>closed</basic></status></tuple></presence>";
        Response refused = send(publish("dev1", null, 600, "application/pidf+xml", doc));
        assertThat(refused.getStatusCode()).isEqualTo(403);
        assertThat(refused.getReasonPhrase()).isEqualTo("Forbidden (not your device)");
        assertThat(presence.publications()).isEmpty();
        user[0] = "dev1";
        assertThat(send(publish("dev1", null, 600, "application/pidf+xml", doc)).getStatusCode()).isEqualTo(200);
        assertThat(presence.publications()).hasSize(1);
    }

    @Test
    void publishedStateReachesWatchersWithEntityTagLifecycle() throws Exception {
        h.device("dev1", true);
        send(subscribe("dev1", "presence", 1, 600, null));
        assertThat(basic(h.awaitSent(1).get(0))).isEqualTo("open");

        String doc = "<?xml version='1.0'?><presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:dev1@127.0.0.1'>"
                + "<tuple id='x'><status><basic>closed</basic></status><note>muted</note></tuple></presence>";
        assertThat(send(publish("dev1", null, 600, "text/plain", "hello")).getStatusCode()).isEqualTo(415);
        Response badXml = send(publish("dev1", null, 600, "application/pidf+xml", "<presence"));
        assertThat(badXml.getStatusCode()).isEqualTo(400);
        assertThat(badXml.getReasonPhrase()).startsWith("Bad PIDF body: line 1");
        assertThat(send(publish("dev1", "nope", 600, null, null)).getStatusCode()).isEqualTo(412);

        Response created = send(publish("dev1", null, 600, "application/pidf+xml", doc));
        assertThat(created.getStatusCode()).isEqualTo(200);
        String etag = value(created, "SIP-ETag");
        Sent published = h.awaitSent(2).get(1);
        assertThat(published.body()).isEqualTo(doc);
        assertThat(presence.publications()).singleElement().satisfies(p -> assertThat(p.basic()).isEqualTo("closed"));

        Response refreshed = send(publish("dev1", etag, 600, null, null));
        assertThat(refreshed.getStatusCode()).isEqualTo(200);
        String etag2 = value(refreshed, "SIP-ETag");
        assertThat(etag2).isNotEqualTo(etag);
        assertThat(send(publish("dev1", etag, 600, null, null)).getStatusCode()).as("old etag").isEqualTo(412);

        Response removed = send(publish("dev1", etag2, 0, null, null));
        assertThat(removed.getStatusCode()).isEqualTo(200);
        assertThat(basic(h.awaitSent(3).get(2))).as("back to the registrar's view").isEqualTo("open");
        assertThat(presence.publications()).isEmpty();
    }

    @Test
    void publicationExpires() throws Exception {
        h.device("dev1", true);
        String doc = "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:dev1@x'><tuple id='x'><status><basic>closed</basic></status></tuple></presence>";
        assertThat(send(publish("dev1", null, 60, "application/pidf+xml", doc)).getStatusCode()).isEqualTo(200);
        h.clock.advance(Duration.ofSeconds(60));
        presence.tickForTest();
        assertThat(presence.publications()).isEmpty();
    }

    @Test
    void regPackageOfTheRouterListsEveryBindingOnEveryChange() throws Exception {
        Device d = h.device("dev1", true);
        h.bindings.add(new Binding(d.addressOfRecord(), d.contactUri(), "<" + d.contactUri() + ">", "udp", d.source(),
                h.clock.instant().plusSeconds(300), -1, "c", 1, List.of(), h.clock.instant()));
        Response ok = send(subscribe("screamrouter", "reg", 1, 600, null));
        assertThat(ok.getStatusCode()).isEqualTo(200);
        Sent first = h.awaitSent(1).get(0);
        assertThat(first.header("Content-Type")).isEqualTo("application/reginfo+xml");
        assertThat(first.body()).contains("version=\"0\"").contains("aor=\"sip:dev1@screamrouter.local\"").contains("state=\"active\"");
        Device d2 = h.device("dev2", true);
        h.bindings.add(new Binding(d2.addressOfRecord(), d2.contactUri(), "<" + d2.contactUri() + ">", "udp", d2.source(),
                h.clock.instant().plusSeconds(300), -1, "c2", 1, List.of(), h.clock.instant()));
        event(DeviceEvents.OFFLINE, h.device("dev1", false));
        Sent second = h.awaitSent(2).get(1);
        assertThat(second.body()).contains("version=\"1\"").contains("state=\"partial\"").contains("event=\"deactivated\"")
                .doesNotContain("dev2");
        event(DeviceEvents.ONLINE, d2);
        Sent third = h.awaitSent(3).get(2);
        assertThat(third.body()).contains("version=\"2\"").contains("state=\"partial\"").contains("sip:dev2@")
                .doesNotContain("sip:dev1@");
        h.bindings.removeIf(b -> b.addressOfRecord().startsWith("sip:dev2@"));
        event(DeviceEvents.OFFLINE, h.device("dev2", false));
        Sent fourth = h.awaitSent(4).get(3);
        assertThat(fourth.body()).as("an AOR without bindings left, terminated").contains("version=\"3\"")
                .contains("aor=\"sip:dev2@screamrouter.local\"").contains("state=\"terminated\"");
    }

    @Test
    void subscriptionsSurviveARestartOfTheComponentAndContinueTheirCSeq() throws Exception {
        h.device("dev1", false);
        Response ok = send(subscribe("dev1", "presence", 1, 600, null));
        String tag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
        h.awaitSent(1);
        event(DeviceEvents.ONLINE, h.device("dev1", true));
        h.awaitSent(2);
        presence.deactivate();
        assertThat(h.sent).as("no terminated NOTIFY on deactivation").hasSize(2);

        presence = h.start(dir.resolve("presence.mv"), Map.of());
        assertThat(presence.subscriptions()).singleElement().satisfies(s -> {
            assertThat(s.id()).isEqualTo(tag);
            assertThat(s.notifiesSent()).isEqualTo(2);
        });
        event(DeviceEvents.OFFLINE, h.device("dev1", false));
        Sent third = h.awaitSent(3).get(2);
        assertThat(basic(third)).isEqualTo("closed");
        assertThat(third.cseq()).isEqualTo(3);
        assertThat(send(subscribe("dev1", "presence", 2, 600, tag)).getStatusCode()).as("refresh after the restart").isEqualTo(200);
    }

    @Test
    void aChangeWhileStoppedIsNotifiedOnRestore() throws Exception {
        h.device("dev1", true);
        send(subscribe("dev1", "presence", 1, 600, null));
        h.awaitSent(1);
        presence.deactivate();
        h.device("dev1", false);
        presence = h.start(dir.resolve("presence.mv"), Map.of());
        assertThat(basic(h.awaitSent(2).get(1))).isEqualTo("closed");
    }

    private static String value(Response r, String name) {
        String s = r.getHeader(name).toString().trim();
        return s.substring(s.indexOf(':') + 1).trim();
    }

    // --- issue 13 item 3: no state to an address that has not shown it asked for it

    private static String overUdp(String subscribe) {
        return subscribe.replace("Via: SIP/2.0/TCP", "Via: SIP/2.0/UDP");
    }

    @Test
    void aUdpSubscriberGetsNoStateUntilItAnswersThenTheState() throws Exception {
        h.sender.autoAnswer = false;
        h.device("dev1", true);
        assertThat(send(overUdp(subscribe("dev1", "presence", 1, 600, null))).getStatusCode()).isEqualTo(200);
        Sent pending = h.awaitSent(1).get(0);
        assertThat(pending.header("Subscription-State")).startsWith("pending;expires=");
        assertThat(pending.request().getRawContent()).as("no state in the first NOTIFY").isNull();
        assertThat(pending.request().getContentLength().getContentLength()).isZero();
        event(DeviceEvents.OFFLINE, h.device("dev1", false));
        Thread.sleep(200);
        assertThat(h.sent).as("no NOTIFY on a change before the proof").hasSize(1);
        pending.answer(200);
        Sent state = h.awaitSent(2).get(1);
        assertThat(state.header("Subscription-State")).startsWith("active;expires=");
        assertThat(basic(state)).isEqualTo("closed");
    }

    @Test
    void aPendingNotifyNobodyAnswersEndsTheSubscriptionWithoutState() throws Exception {
        h.sender.autoAnswer = false;
        h.device("dev1", true);
        assertThat(send(overUdp(subscribe("dev1", "presence", 1, 600, null))).getStatusCode()).isEqualTo(200);
        Sent pending = h.awaitSent(1).get(0);
        pending.answer().completeExceptionally(new java.util.concurrent.TimeoutException("no answer"));
        awaitNoSubscriptions();
        assertThat(h.sent).hasSize(1);
        assertThat(h.sent).allSatisfy(n -> assertThat(n.request().getRawContent()).isNull());
    }

    @Test
    void regOfEveryDeviceIsOnlyForTheUsersTheConfigurationNames() throws Exception {
        h.device("dev1", true);
        String stranger = subscribe("screamrouter", "reg", 1, 600, null).replace("<sip:watcher@127.0.0.1>", "<sip:mallory@127.0.0.1>");
        Response refused = send(stranger);
        assertThat(refused.getStatusCode()).isEqualTo(403);
        assertThat(refused.getReasonPhrase()).contains("reg.all.watchers");
        assertThat(send(subscribe("screamrouter", "reg", 1, 600, null)).getStatusCode()).as("watcher is named").isEqualTo(200);
    }

    @Test
    void aUdpFetchGetsNoStateAndCountsAgainstTheLimits() throws Exception {
        presence.deactivate();
        h.sent.clear();
        presence = h.start(dir.resolve("presence2.mv"), Map.of("max_subscriptions_per_source", 1, "reg_all_watchers", new String[] {"watcher"}));
        h.sender.autoAnswer = false;
        h.device("dev1", true);
        assertThat(send(overUdp(subscribe("screamrouter", "reg", 1, 600, null))).getStatusCode()).isEqualTo(200);
        String fetch = overUdp(subscribe("screamrouter", "reg", 1, 0, null)).replace("sub-call-1", "fetch-call");
        Response refused = send(fetch);
        assertThat(refused.getStatusCode()).as("a fetch counts against the per-source limit").isEqualTo(403);
        h.awaitSent(1).get(0).answer(200); // the subscription's pending NOTIFY: proven, and the full state follows
        List<Sent> sent = h.awaitSent(2);
        assertThat(sent.get(1).body()).contains("<reginfo");
        // a fetch of a device over UDP from elsewhere: one terminated NOTIFY without state
        FakeExchange x = new FakeExchange(overUdp(subscribe("dev1", "presence", 1, 0, null)).replace("sub-call-1", "fetch-2"),
                java.net.InetAddress.getByName("127.0.0.2"));
        presence.handle(x);
        assertThat(x.last().getStatusCode()).isEqualTo(200);
        Sent fetched = h.awaitSent(3).get(2);
        assertThat(fetched.header("Subscription-State")).startsWith("terminated");
        assertThat(fetched.request().getRawContent()).isNull();
    }
}
