package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.RequestFields;
import org.screamrouter.sip.stack.SipStackStatus;
import org.screamrouter.sip.testsupport.FakeExchange;

/** OPTIONS on its own: the capabilities answered to anyone, a sign of life only on the flow of the device's binding. */
class OptionsHandlerTest {
    private static final String DEV = "5f7c1a2e-0000-4000-8000-0000000000aa";
    @TempDir
    Path dir;
    private final TestHarness h = new TestHarness();
    private Registry registry;
    private RegisterHandler register;
    private OptionsHandler options;

    @BeforeEach
    void start() {
        RegistrarConfig config = TestHarness.config(Map.of());
        registry = new Registry(FakeExchange.MESSAGES, h.client, h.clock, () -> config, dir.resolve("registrar.mv"));
        register = new RegisterHandler(FakeExchange.MESSAGES, h.stack, h.clock, () -> config, registry);
        options = new OptionsHandler(FakeExchange.MESSAGES, h.stack, registry.book(), h.clock);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private static String options(String fromUser) {
        return "OPTIONS sip:screamrouter.local SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKo" + System.nanoTime()
                + "\nMax-Forwards: 70\nTo: <sip:screamrouter.local>\nFrom: <sip:" + fromUser + "@127.0.0.1>;tag=o\n"
                + "Call-ID: o-" + System.nanoTime() + "\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n";
    }

    private Response ask(String fromUser, int port) throws Exception {
        FakeExchange x = new FakeExchange(options(fromUser), "127.0.0.1", port);
        options.options(x);
        assertThat(x.responses).hasSize(1);
        return x.last();
    }

    private Instant lastSeen() {
        return registry.device(DEV).orElseThrow().lastSeen();
    }

    @Test
    void anyoneGetsTheCapabilities() throws Exception {
        Response r = ask("someone", 41000);
        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(r.getHeader("Allow").toString().trim()).isEqualTo("Allow: OPTIONS, REGISTER");
        assertThat(r.getHeader("Accept").toString().trim()).isEqualTo("Accept: application/sdp");
        assertThat(r.getHeader("Supported").toString().trim()).isEqualTo("Supported: path");
    }

    @Test
    void theAllowFollowsTheMethodsTheStackServes() throws Exception {
        // the stack makes a new set of served methods whenever its handlers change (HandlerRegistry)
        AtomicReference<SortedSet<String>> served = new AtomicReference<>(new TreeSet<>(List.of("OPTIONS", "REGISTER")));
        SipStackStatus stack = new SipStackStatus() {
            @Override public List<ListeningPoint> listeningPoints() { return h.stack.listeningPoints(); }
            @Override public SortedSet<String> servedMethods() { return served.get(); }
            @Override public Map<String, Long> counters() { return Map.of(); }
        };
        options = new OptionsHandler(FakeExchange.MESSAGES, stack, registry.book(), h.clock);
        assertThat(ask("someone", 41000).getHeader("Allow").toString().trim()).isEqualTo("Allow: OPTIONS, REGISTER");
        assertThat(ask("someone", 41000).getHeader("Allow").toString().trim()).isEqualTo("Allow: OPTIONS, REGISTER");
        served.set(new TreeSet<>(List.of("INVITE", "OPTIONS", "REGISTER", "SUBSCRIBE")));
        assertThat(ask("someone", 41000).getHeader("Allow").toString().trim()).isEqualTo("Allow: INVITE, OPTIONS, REGISTER, SUBSCRIBE");
    }

    @Test
    void anOptionsOnTheDevicesFlowIsASignOfLifeFromAnotherSocketItIsNot() throws Exception {
        registerDevice(1, 300);
        Instant registered = lastSeen();

        h.clock.advance(Duration.ofSeconds(5));
        assertThat(ask(DEV, 40001).getStatusCode()).isEqualTo(200);
        assertThat(lastSeen()).isEqualTo(registered);
        // an OPTIONS naming nobody known counts for the device registered on that flow
        assertThat(ask("someone", 40000).getStatusCode()).isEqualTo(200);
        assertThat(lastSeen()).isEqualTo(registered.plusSeconds(5));
        h.clock.advance(Duration.ofSeconds(5));
        assertThat(ask(DEV, 40000).getStatusCode()).isEqualTo(200);
        assertThat(lastSeen()).isEqualTo(registered.plusSeconds(10));
    }

    /** An OPTIONS the stack read without a parse, from this user part (as written) and source port. */
    private byte[] askPlain(String fromUser, int port) throws Exception {
        Flow flow = new Flow("udp", new InetSocketAddress("127.0.0.1", port));
        return options.okHeaders(new RequestFields() {
            @Override public String method() { return "OPTIONS"; }
            @Override public Flow flow() { return flow; }
            @Override public String fromUser() { return fromUser; }
        });
    }

    /**
     * The plain path ({@code okHeaders}) gives the same lines as the usual answer's Allow, Accept and Supported, and the
     * same sign of life: only on the device's flow, the device named by the From URI's user part, else the device
     * registered on the flow.
     */
    @Test
    void aPlainOptionsGetsTheUsualLinesAndIsASignOfLifeOnlyOnTheDevicesFlow() throws Exception {
        Response usual = ask("someone", 41000);
        String lines = new String(askPlain("someone", 41000), StandardCharsets.US_ASCII);
        assertThat(lines).isEqualTo(usual.getHeader("Allow").toString() + usual.getHeader("Accept") + usual.getHeader("Supported"));

        registerDevice(1, 300);
        Instant registered = lastSeen();
        h.clock.advance(Duration.ofSeconds(5));
        askPlain(DEV, 40001);
        assertThat(lastSeen()).as("another socket naming the device").isEqualTo(registered);
        askPlain(null, 40000);
        assertThat(lastSeen()).as("no user part: the device on the flow").isEqualTo(registered.plusSeconds(5));
        h.clock.advance(Duration.ofSeconds(5));
        askPlain(DEV, 40000);
        assertThat(lastSeen()).as("the device named, on its flow").isEqualTo(registered.plusSeconds(10));
    }

    /**
     * A keep-alive moves the device's last sign of life in place (DeviceBook.Entry), not in a new record: the time of
     * the last one must still be the one the device goes offline with, and the one stored for the next start.
     */
    @Test
    void theLastKeepAlivesTimeGoesOfflineWithTheDeviceAndToTheStore() throws Exception {
        registerDevice(1, 300);
        Instant registered = lastSeen();
        for (int i = 1; i <= 3; i++) {
            h.clock.advance(Duration.ofSeconds(5));
            assertThat(ask(DEV, 40000).getStatusCode()).isEqualTo(200);
            assertThat(lastSeen()).isEqualTo(registered.plusSeconds(5L * i));
        }
        h.clock.advance(Duration.ofSeconds(1));
        registerDevice(2, 0);
        assertThat(registry.device(DEV).orElseThrow().online()).isFalse();
        assertThat(lastSeen()).isEqualTo(registered.plusSeconds(15));

        registry.close();
        registry = new Registry(FakeExchange.MESSAGES, h.client, h.clock, () -> TestHarness.config(Map.of()), dir.resolve("registrar.mv"));
        assertThat(registry.device(DEV).orElseThrow().online()).isFalse();
        assertThat(lastSeen()).isEqualTo(registered.plusSeconds(15));
    }

    /** The device registers (Expires: 0 unregisters) from 127.0.0.1:40000 and gets a 200. */
    private void registerDevice(int cseq, int expires) throws Exception {
        FakeExchange x = new FakeExchange(registerOf(cseq, expires), "127.0.0.1", 40000);
        register.register(x);
        assertThat(x.last().getStatusCode()).isEqualTo(200);
    }

    private static String registerOf(int cseq, int expires) {
        return "REGISTER sip:screamrouter.local SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKr" + System.nanoTime() + "\n"
                + "Max-Forwards: 70\nTo: <sip:screamrouter@screamrouter.local>\nFrom: <sip:" + DEV + "@127.0.0.1>;tag=t\n"
                + "Call-ID: r1\nCSeq: " + cseq + " REGISTER\nContact: <sip:" + DEV + "@127.0.0.1:5999>\nExpires: " + expires
                + "\nContent-Length: 0\n\n";
    }
}
