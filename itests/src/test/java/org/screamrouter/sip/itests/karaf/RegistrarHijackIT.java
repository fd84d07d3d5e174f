package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.inject.Inject;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.SipResponse;
import org.screamrouter.sip.itests.support.ConfigYaml;
import org.screamrouter.sip.itests.support.DeviceAgent;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;
import org.screamrouter.sip.itests.support.Register;
import org.screamrouter.sip.itests.support.Registry;

/**
 * Issue 13 items 2 and 6 over real UDP (docs/security.md, "Registrar: device ownership and signs of life"), with
 * authentication off: a REGISTER from another socket that names a registered device's UUID in its From, for another
 * address-of-record, or removes its bindings with {@code Contact: *}, gets {@code 403} and changes neither the binding,
 * nor the device, nor its config.yaml entry; {@code sip:device --reassign} releases the UUID so the next registrant
 * takes it. An OPTIONS naming the device from a stranger's socket does not keep it online; its own does.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RegistrarHijackIT {
    private static final int INTERVAL = 2;
    private static final int TIMEOUT = 5;
    private static final Duration ANSWER = Duration.ofSeconds(5);

    @Inject
    private SessionFactory sessionFactory;

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return KarafRun.options(
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "keepalive.interval", Integer.toString(INTERVAL)),
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "offline.timeout", Integer.toString(TIMEOUT)));
    }

    /** Sends the REGISTER again unchanged (a retransmission) until it is answered with 200: the registrar may still be starting. */
    private static void registered(DeviceAgent agent, Register register) throws Exception {
        String text = register.toString();
        Await.until("200 to the REGISTER from port " + agent.port(), Duration.ofSeconds(30),
                () -> agent.exchange(text, KarafRun.sipPort(), Duration.ofMillis(500)), r -> r != null && r.status() == 200);
    }

    private static SipResponse send(DeviceAgent agent, String message) throws Exception {
        SipResponse r = agent.exchange(message, KarafRun.sipPort(), ANSWER);
        assertNotNull("no answer within " + ANSWER + " to:\n" + message, r);
        return r;
    }

    private static Register device(String uuid, DeviceAgent agent) {
        return new Register(uuid, KarafRun.sipPort(), agent.port()).expires(600).sdp(Register.sinkSdp(uuid, 40030));
    }

    /** A REGISTER from the attacker's socket naming the victim's UUID in From, for the attacker's own AOR. */
    private static Register hijack(String uuid, DeviceAgent attacker) {
        return new Register(uuid, KarafRun.sipPort(), attacker.port()).to("<sip:mallory@127.0.0.1>")
                .contact("<sip:mallory@127.0.0.1:" + attacker.port() + ">").expires(600);
    }

    /** The rows of {@code sip:device} that a hijack would change (not the ages). */
    private static String identity(KarafShell shell, String uuid) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String line : shell.run("sip:device " + uuid).split("\\R")) {
            if (line.startsWith("Address-of-record") || line.startsWith("Contact") || line.startsWith("Flow")
                    || line.startsWith("Online") || line.startsWith("Role") || line.startsWith("RTP")) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    @Test
    public void aHijackIsRefusedWith403AndTheOperatorReassignsTheUuid() throws Exception {
        KarafShell shell = new KarafShell(sessionFactory);
        Registry registry = new Registry(context);
        Path config = ConfigYaml.inKarafData();
        String victim = UUID.randomUUID().toString();
        try (DeviceAgent device = new DeviceAgent(); DeviceAgent attacker = new DeviceAgent()) {
            registered(device, device(victim, device));
            Map<String, String> sink = Await.until(victim + " in config.yaml", Duration.ofSeconds(10),
                    () -> ConfigYaml.byUuid(ConfigYaml.read(config), "sinks", victim).orElse(null), e -> e != null && "true".equals(e.get("enabled")));
            String before = identity(shell, victim);
            assertTrue(before, before.contains("sip:" + victim + "@screamrouter.local"));
            List<Registry.BindingRow> bindings = registry.bindings();

            SipResponse takeOver = send(attacker, hijack(victim, attacker).toString());
            assertEquals(takeOver.toString(), 403, takeOver.status());
            assertEquals(takeOver.toString(), "Forbidden (device UUID belongs to another address-of-record)", takeOver.reason());
            SipResponse wipe = send(attacker, hijack(victim, attacker).contact("*").expires(0).toString());
            assertEquals(wipe.toString(), 403, wipe.status());

            assertEquals("the victim's binding is unchanged", bindings, registry.bindings());
            assertEquals("the victim's device is unchanged", before, identity(shell, victim));
            assertEquals("the victim's config.yaml entry is unchanged", sink, ConfigYaml.byUuid(ConfigYaml.read(config), "sinks", victim).orElse(null));

            // the operator moves the UUID: released and unregistered; the next registrant owns it
            String released = shell.run("sip:device --reassign " + victim);
            assertTrue(released, released.contains("Released " + victim));
            Await.until(victim + " offline after --reassign", Duration.ofSeconds(5), () -> shell.deviceRow(victim), r -> "no".equals(KarafShell.online(r)));
            registered(attacker, hijack(victim, attacker));
            String after = identity(shell, victim);
            assertTrue(after, after.contains("sip:mallory@127.0.0.1"));
            assertTrue(after, after.contains("127.0.0.1:" + attacker.port()));

            // now the first owner is the stranger
            SipResponse back = send(device, device(victim, device).toString());
            assertEquals(back.toString(), 403, back.status());
            assertEquals(back.toString(), "Forbidden (device UUID belongs to another address-of-record)", back.reason());
        }
    }

    private static String options(String uuid, DeviceAgent from) {
        String callId = UUID.randomUUID() + "@127.0.0.1";
        return "OPTIONS sip:127.0.0.1:" + KarafRun.sipPort() + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + from.port() + ";branch=z9hG4bK" + UUID.randomUUID().toString().replace("-", "") + ";rport\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:" + uuid + "@127.0.0.1>;tag=" + Integer.toHexString(callId.hashCode()) + "\r\n"
                + "To: <sip:screamrouter@127.0.0.1>\r\nCall-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    }

    @Test
    public void onlyTheDevicesOwnOptionsKeepItOnline() throws Exception {
        KarafShell shell = new KarafShell(sessionFactory);
        String uuid = UUID.randomUUID().toString();
        try (DeviceAgent device = new DeviceAgent(); DeviceAgent stranger = new DeviceAgent()) {
            device.answerPings(false); // the server's pings get no answer: only the OPTIONS below can keep it online
            registered(device, device(uuid, device));

            // its own OPTIONS, one a second, keep it online for twice the offline timeout
            Instant until = Instant.now().plusSeconds(2L * TIMEOUT);
            while (Instant.now().isBefore(until)) {
                assertEquals(200, send(device, options(uuid, device)).status());
                assertEquals("online while its own OPTIONS come", "yes", KarafShell.online(shell.deviceRow(uuid)));
                Thread.sleep(1000); // pacing of the keep-alives, not a wait for a result
            }

            // a stranger's OPTIONS naming it are answered but keep nobody online
            Instant quiet = Instant.now();
            Await.until(uuid + " offline although a stranger sends OPTIONS naming it", Duration.ofSeconds(TIMEOUT + 2L * INTERVAL + 4), () -> {
                SipResponse r = send(stranger, options(uuid, stranger));
                assertEquals(r.toString(), 200, r.status());
                return KarafShell.online(shell.deviceRow(uuid));
            }, "no"::equals);
            System.out.println("offline " + Duration.between(quiet, Instant.now()).toMillis() + " ms after its own OPTIONS stopped (timeout "
                    + TIMEOUT + " s), a stranger's OPTIONS naming it notwithstanding");
        }
    }
}
