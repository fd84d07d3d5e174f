package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sip.address.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.testsupport.FakeExchange;

/** The registry on its own: bindings and devices with their store, the DeviceRegistry operations, events, the tick. */
class RegistryTest {
    @TempDir
    Path dir;
    private final TestHarness h = new TestHarness();
    private volatile RegistrarConfig config = TestHarness.config(Map.of());
    private Registry registry;

    @BeforeEach
    void start() {
        registry = open();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private Registry open() {
        Registry r = new Registry(FakeExchange.MESSAGES, h.client, h.clock, () -> config, dir.resolve("registrar.mv"));
        r.setEventAdmin(h.eventAdmin);
        return r;
    }

    private static InetSocketAddress source(int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
    }

    /** What a REGISTER of device {@code uuid} from {@code port} does to the registry, for {@code seconds}. */
    private Binding register(String uuid, int port, long seconds) throws Exception {
        Instant now = h.clock.instant();
        String aor = "sip:" + uuid + "@screamrouter.local";
        String contact = "sip:" + uuid + "@127.0.0.1:" + port;
        Binding b = new Binding(aor, contact, "<" + contact + ">", "udp", source(port), now.plusSeconds(seconds), -1f,
                "call-" + uuid, 1, List.of(), now);
        URI uri = FakeExchange.MESSAGES.addresses().createURI(contact);
        assertThat(registry.table().apply(aor, List.of(new BindingTable.Update(uri, b, seconds)), b.callId(), 1, now, 16, 1000,
                source(port).getAddress(), 1000)).isInstanceOf(BindingTable.Outcome.Applied.class);
        boolean written = registry.bound(b, null);
        registry.book().registered(uuid, b, written, null, null, "test", null, now);
        return b;
    }

    @Test
    void aBoundBindingAndItsDeviceAreListedPostedAndSurviveAReopen() throws Exception {
        register("dev1", 40000, 300);
        assertThat(registry.bindings()).hasSize(1);
        assertThat(registry.bindings("dev1@screamrouter.local")).singleElement()
                .satisfies(b -> assertThat(b.contactUri()).isEqualTo("sip:dev1@127.0.0.1:40000"));
        assertThat(registry.bindings("no such thing <>")).isEmpty();
        assertThat(registry.device("dev1")).hasValueSatisfying(d -> assertThat(d.online()).isTrue());
        assertThat(h.topics()).containsExactly("ONLINE");

        registry.close();
        registry = open();
        assertThat(registry.bindings()).hasSize(1);
        assertThat(registry.devices()).singleElement().satisfies(d -> assertThat(d.uuid()).isEqualTo("dev1"));
    }

    @Test
    void aRemovedBindingLeavesTheStoreAndTakesItsDeviceOffline() throws Exception {
        Binding b = register("dev1", 40000, 300);
        assertThat(registry.table().remove(b)).isTrue();
        registry.removed(b, "Expires: 0");
        assertThat(registry.device("dev1")).hasValueSatisfying(d -> assertThat(d.online()).isFalse());
        assertThat(h.topics()).containsExactly("ONLINE", "OFFLINE");

        registry.close();
        registry = open();
        assertThat(registry.bindings()).isEmpty();
    }

    @Test
    void theTickPingsADueDeviceOnItsFlowAndTakesASilentOneOffline() throws Exception {
        register("dev1", 40000, 3600);
        h.clock.advance(Duration.ofSeconds(config.keepalive_interval()));
        registry.tick();
        assertThat(h.sent).singleElement().satisfies(s -> {
            assertThat(s.request().getMethod()).isEqualTo("OPTIONS");
            assertThat(s.flow()).isEqualTo(new Flow("udp", source(40000)));
        });
        h.clock.advance(Duration.ofSeconds(config.offline_timeout()));
        registry.tick();
        assertThat(registry.device("dev1")).hasValueSatisfying(d -> assertThat(d.online()).isFalse());
        assertThat(h.topics()).containsExactly("ONLINE", "OFFLINE");
    }

    @Test
    void theTickDropsAnExpiredBindingFromTableAndStore() throws Exception {
        register("dev1", 40000, 60);
        h.clock.advance(Duration.ofSeconds(61));
        registry.tick();
        assertThat(registry.bindings()).isEmpty();
        registry.close();
        registry = open();
        assertThat(registry.bindings()).isEmpty();
    }

    @Test
    void aKeepAliveOnTheDevicesFlowIsASignOfLifeAnotherFlowIsNot() throws Exception {
        register("dev1", 40000, 3600);
        Instant registered = registry.device("dev1").orElseThrow().lastSeen();
        h.clock.advance(Duration.ofSeconds(5));
        registry.keptAlive(new Flow("udp", source(40001)));
        assertThat(registry.device("dev1").orElseThrow().lastSeen()).isEqualTo(registered);
        registry.keptAlive(new Flow("udp", source(40000)));
        assertThat(registry.device("dev1").orElseThrow().lastSeen()).isEqualTo(registered.plusSeconds(5));
    }

    @Test
    void unregisterAndReleaseByTheOperator() throws Exception {
        register("dev1", 40000, 300);
        assertThat(registry.unregister("nobody")).isFalse();
        assertThat(registry.unregister("dev1")).isTrue();
        assertThat(registry.bindings()).isEmpty();
        assertThat(registry.device("dev1")).hasValueSatisfying(d -> assertThat(d.online()).isFalse());
        assertThat(registry.release("nobody")).isFalse();
        assertThat(registry.release("dev1")).isTrue();
    }

    @Test
    void aPingOfAnUnknownDeviceFailsAndOfAKnownOneGoesToItsFlow() throws Exception {
        assertThat(registry.ping("nobody").toCompletableFuture()).isCompletedExceptionally();
        register("dev1", 40000, 300);
        registry.ping("dev1");
        assertThat(h.sent).singleElement().satisfies(s -> assertThat(s.flow().remote()).isEqualTo(source(40000)));
    }

    @Test
    void withoutEventAdminNothingIsPostedAndUnsettingAnotherKeepsTheCurrent() throws Exception {
        registry.unsetEventAdmin(new TestHarness().eventAdmin);
        register("dev1", 40000, 300);
        assertThat(h.topics()).containsExactly("ONLINE");
        registry.unsetEventAdmin(h.eventAdmin);
        register("dev2", 40002, 300);
        assertThat(h.topics()).containsExactly("ONLINE");
    }

    @Test
    void theStoreStatusIsTheStoresAndOpen() {
        assertThat(registry.storeStatus().file()).isEqualTo(dir.resolve("registrar.mv"));
        assertThat(registry.storeStatus().state()).isEqualTo(org.screamrouter.sip.registrar.StoreStatus.State.OK);
    }
}
