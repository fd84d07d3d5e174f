package org.screamrouter.sip.mdns.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.mdns.MdnsAnnouncement;
import org.screamrouter.sip.mdns.MdnsPublication;
import org.screamrouter.sip.stack.ListeningPoint;

/**
 * The publisher on 127.0.0.1, seen by JmDNS browsing on 127.0.0.1 (a real peer). Nothing here touches a
 * real interface. Every wait is a condition with a deadline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MdnsPublisherTest {
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final String VERSION = "0.1.0";
    /** Issue 15: a port change within a second; the margin is for slow CI machines. */
    private static final Duration PORT_CHANGE_BOUND = Duration.ofSeconds(2);

    private Browser browser;

    @BeforeAll
    void startBrowser() throws Exception {
        browser = new Browser("srsip-test-browser", MdnsPublication.SERVICE_TYPE);
    }

    @AfterAll
    void stopBrowser() throws Exception {
        browser.close();
    }

    @Test
    void announcesTheStacksUdpPortWithTheTxtRecord() throws Exception {
        String uuid = UUID.randomUUID().toString();
        MdnsPublisher publisher = new MdnsPublisher();
        publisher.bindListeningPoint(new ListeningPoint("udp", "0.0.0.0", 25161));
        publisher.bindListeningPoint(new ListeningPoint("tcp", "0.0.0.0", 25161));
        publisher.bindListeningPoint(new ListeningPoint("ws", "0.0.0.0", 25188));
        publisher.start(Configs.loopback("SR txt"), uuid, VERSION);
        try {
            Browser.Seen seen = resolved("SR txt", 25161);
            assertThat(seen.txt()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "router_uuid", uuid, "srv_version", "2.0", "transport", "udp,tcp,ws", "ws_port", "25188",
                    "sip_domain", "screamrouter.local", "version", VERSION));
            assertThat(publisher.state()).isEqualTo("published");
            assertThat(publisher.announcements()).singleElement().satisfies(a -> {
                assertThat(a.address()).isEqualTo("127.0.0.1");
                assertThat(a.serviceType()).isEqualTo(MdnsPublication.SERVICE_TYPE);
                assertThat(a.port()).isEqualTo(25161);
                assertThat(a.txt()).containsEntry("router_uuid", uuid);
            });
        } finally {
            publisher.deactivate();
        }
    }

    @Test
    void followsAUdpPortChangeAndWithdrawsWhenTheStackGoesAway() throws Exception {
        MdnsPublisher publisher = new MdnsPublisher();
        ListeningPoint before = new ListeningPoint("udp", "0.0.0.0", 25171);
        publisher.bindListeningPoint(before);
        publisher.start(Configs.loopback("SR follows"), UUID.randomUUID().toString(), VERSION);
        try {
            resolved("SR follows", 25171);

            // the stack re-binds: old service unregistered, new one registered
            ListeningPoint after = new ListeningPoint("udp", "0.0.0.0", 25172);
            browser.forget();
            publisher.unbindListeningPoint(before);
            long bound = System.nanoTime();
            publisher.bindListeningPoint(after);
            Browser.Seen moved = resolvedNow("SR follows", 25172);
            long ms = (System.nanoTime() - bound) / 1_000_000;
            System.out.printf("MdnsPublisherTest: port change resolved %d ms after the new point was bound%n", ms);
            // updated in place (RFC 6762 8.4): no goodbye, no new probe, the same name, well within a second
            assertThat(ms).isLessThan(PORT_CHANGE_BOUND.toMillis());
            assertThat(moved.name()).isEqualTo("SR follows");
            assertThat(moved.txt()).containsEntry("transport", "udp").doesNotContainKey("ws_port");
            assertThat(browser.history()).noneMatch(Browser.Seen::removed);
            assertThat(publisher.announcements()).singleElement().satisfies(a -> {
                assertThat(a.port()).isEqualTo(25172);
                assertThat(a.instanceName()).isEqualTo("SR follows");
            });

            browser.forget();
            publisher.unbindListeningPoint(after);
            removed("SR follows");
            awaitTrue(() -> publisher.announcements().isEmpty());
            assertThat(publisher.state()).contains("waiting for the SIP stack");
        } finally {
            publisher.deactivate();
        }
    }

    @Test
    void aStackThatComesBackWithinTheGraceIsNotWithdrawn() throws Exception {
        MdnsPublisher publisher = new MdnsPublisher();
        ListeningPoint point = new ListeningPoint("udp", "0.0.0.0", 25221);
        publisher.bindListeningPoint(point);
        publisher.start(Configs.loopback("SR grace"), UUID.randomUUID().toString(), VERSION);
        try {
            resolved("SR grace", 25221);
            browser.forget();
            publisher.unbindListeningPoint(point);
            Thread.sleep(MdnsPublisher.WITHDRAW_GRACE.toMillis() / 3); // the stack re-binding slowly
            publisher.bindListeningPoint(point);
            // a goodbye, had one been sent, is seen within milliseconds on loopback
            assertThat(browser.await(s -> s.removed() && s.name().equals("SR grace"), MdnsPublisher.WITHDRAW_GRACE.multipliedBy(2)))
                    .isEmpty();
            assertThat(publisher.state()).isEqualTo("published");
        } finally {
            publisher.deactivate();
        }
    }

    @Test
    void deactivationSaysGoodbyeLeavesNoThreadAndReactivationKeepsTheRouterUuid(@TempDir Path data) throws Exception {
        String uuid = new RouterUuidStore(data).routerUuid();
        MdnsPublisher first = new MdnsPublisher();
        first.bindListeningPoint(new ListeningPoint("udp", "0.0.0.0", 25181));
        first.start(Configs.loopback("SR restart"), uuid, VERSION);
        resolved("SR restart", 25181);

        browser.forget();
        first.deactivate();
        removed("SR restart");
        String hostLabel = "screamrouter-" + uuid.substring(0, 8);
        assertThat(threadsNamed(hostLabel)).isEmpty();
        assertThat(threadsNamed(MdnsPublisher.THREAD_NAME)).isEmpty();

        MdnsPublisher second = new MdnsPublisher();
        second.bindListeningPoint(new ListeningPoint("udp", "0.0.0.0", 25181));
        second.start(Configs.loopback("SR restart"), new RouterUuidStore(data).routerUuid(), VERSION);
        try {
            assertThat(resolved("SR restart", 25181).txt()).containsEntry("router_uuid", uuid);
        } finally {
            second.deactivate();
        }
        assertThat(threadsNamed(hostLabel)).isEmpty();
    }

    @Test
    void configurationChangesApplyLive() throws Exception {
        MdnsPublisher publisher = new MdnsPublisher();
        publisher.bindListeningPoint(new ListeningPoint("udp", "0.0.0.0", 25191));
        publisher.start(Configs.loopback("SR live"), UUID.randomUUID().toString(), VERSION);
        try {
            resolved("SR live", 25191);

            browser.forget();
            publisher.modified(Configs.loopback("SR live", "enabled", false));
            removed("SR live");
            awaitTrue(() -> publisher.state().equals("disabled by configuration"));

            publisher.modified(Configs.loopback("SR renamed", "publish_sip_udp", true, "sip_domain", "lab.example"));
            assertThat(resolved("SR renamed", 25191).txt()).containsEntry("sip_domain", "lab.example");
            awaitTrue(() -> publisher.announcements().size() == 2);
            assertThat(publisher.announcements()).extracting(MdnsAnnouncement::serviceType)
                    .containsExactly(MdnsPublication.SERVICE_TYPE, MdnsPublication.SIP_UDP_SERVICE_TYPE);
        } finally {
            publisher.deactivate();
        }
    }

    @Test
    void aNameConflictIsSettledByANewNameForTheNewcomer() throws Exception {
        MdnsPublisher one = new MdnsPublisher();
        MdnsPublisher two = new MdnsPublisher();
        one.bindListeningPoint(new ListeningPoint("udp", "0.0.0.0", 25201));
        two.bindListeningPoint(new ListeningPoint("udp", "0.0.0.0", 25202));
        one.start(Configs.loopback("SR twin"), UUID.randomUUID().toString(), VERSION);
        try {
            resolved("SR twin", 25201);
            two.start(Configs.loopback("SR twin"), UUID.randomUUID().toString(), VERSION);
            try {
                Browser.Seen renamed = browser.await(s -> !s.removed() && s.port() == 25202 && !s.txt().isEmpty(), DEADLINE)
                        .orElseThrow(() -> new AssertionError("second router never resolved: " + browser.history()));
                assertThat(renamed.name()).startsWith("SR twin").isNotEqualTo("SR twin");
                awaitTrue(() -> two.announcements().stream().anyMatch(a -> a.instanceName().equals(renamed.name())));
            } finally {
                two.deactivate();
            }
        } finally {
            one.deactivate();
        }
    }

    private Browser.Seen resolved(String name, int port) throws InterruptedException {
        Optional<Browser.Seen> seen = browser.await(
                s -> !s.removed() && s.name().equals(name) && s.port() == port && !s.txt().isEmpty(), DEADLINE);
        return seen.orElseThrow(() -> new AssertionError(name + " port " + port + " not resolved within " + DEADLINE
                + "; seen " + browser.history()));
    }

    /** Resolves afresh until {@code name} has {@code port}: a browser's listener is not told of an in-place change. */
    private Browser.Seen resolvedNow(String name, int port) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        Browser.Seen last = null;
        while (System.nanoTime() < end) {
            last = browser.resolveNow(name);
            if (last != null && last.port() == port && !last.txt().isEmpty()) {
                return last;
            }
            Thread.sleep(20); // the next resolution; each asks the cache first, then the link
        }
        throw new AssertionError(name + " port " + port + " not resolved within " + DEADLINE + "; last " + last);
    }

    private void removed(String name) throws InterruptedException {
        browser.await(s -> s.removed() && s.name().equals(name), DEADLINE)
                .orElseThrow(() -> new AssertionError(name + " not removed within " + DEADLINE + "; seen " + browser.history()));
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + DEADLINE);
            }
            Thread.sleep(20); // polling a value that has no change notification
        }
    }

    private static List<String> threadsNamed(String part) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).map(Thread::getName).filter(n -> n.contains(part)).toList();
    }
}
