package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.SipResponse;
import org.screamrouter.sip.itests.support.Bulk;
import org.screamrouter.sip.itests.support.ConfigYaml;
import org.screamrouter.sip.itests.support.DeviceAgent;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;
import org.screamrouter.sip.itests.support.Register;
import org.screamrouter.sip.itests.support.Registry;

/**
 * State across hot swaps in one running container: 1,000 devices registered over one UDP socket survive a
 * {@code bundle:update} of the registrar from a {@code file:} jar with the same contacts and the same absolute
 * expiry (DeviceRegistry.bindings() compared before and after), and config.yaml entries survive a
 * {@code bundle:restart} of the config bundle, which goes on writing new devices afterwards. The bulk devices are
 * not kept alive: the keep-alive interval is long here so 1,000 unanswered pings do not blur the figures.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RegistrarHotSwapIT {
    private static final int DEVICES = 1000;

    /**
     * Karaf's boot provisioning has ended (docs/architecture.md, "Boot"): while the features service still deploys,
     * Felix can refuse a bundle update ("Unable to acquire global lock for resolve").
     */
    @Inject
    @Filter(timeout = 120_000)
    private BootFinished bootFinished;

    @Inject
    private BundleContext context;

    @Inject
    private SessionFactory sessionFactory;

    @Configuration
    public Option[] config() {
        return KarafRun.options(
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "keepalive.interval", "3600"),
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "offline.timeout", "7200"));
    }

    private Bundle bundle(String bsn) {
        for (Bundle b : context.getBundles()) if (bsn.equals(b.getSymbolicName())) return b;
        throw new AssertionError("bundle " + bsn + " is not installed");
    }

    private static String uuid(String run, int i) {
        return String.format("%s-%04d", run, i);
    }

    private SipResponse registerSink(DeviceAgent device, String uuid) throws Exception {
        int server = KarafRun.sipPort();
        return Await.until("200 for sink " + uuid, Duration.ofSeconds(30), () -> device.exchange(
                new Register(uuid, server, device.port()).expires(3600).sdp(Register.sinkSdp(uuid, 40100)).toString(), server,
                Duration.ofMillis(500)), r -> r != null && r.status() == 200);
    }

    @Test
    public void bundleUpdateOfTheRegistrarKeeps1000BindingsWithTheirExpiry() throws Exception {
        Registry registry = new Registry(context);
        KarafShell shell = new KarafShell(sessionFactory);
        int server = KarafRun.sipPort();
        String run = "hs" + UUID.randomUUID().toString().substring(0, 8);
        try (Bulk bulk = new Bulk(); DeviceAgent probe = new DeviceAgent()) {
            Await.until("the registrar answers", Duration.ofSeconds(30), () -> probe.exchange(
                    new Register("probe", server, probe.port()).expires(60).toString(), server, Duration.ofMillis(500)),
                    r -> r != null && r.status() == 200);
            long t0 = System.nanoTime();
            Map<String, Bulk.Answer> answers = bulk.exchangeAll(server, bulk.registers(server, DEVICES, i -> uuid(run, i), 3600), 64,
                    Duration.ofSeconds(60));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("registered %d devices over one socket in %d ms (%.0f REGISTER/s)%n", DEVICES, ms, DEVICES * 1000.0 / Math.max(1, ms));
            assertTrue("every REGISTER answered 200", answers.values().stream().allMatch(a -> a.response().status() == 200));

            Map<String, Registry.BindingRow> before = ours(registry.bindings(), run);
            assertEquals("bindings of this run before the update", DEVICES, before.size());

            File jar = new File(System.getProperty("itest.registrar.jar"));
            assertTrue(jar + " is missing", jar.isFile());
            Bundle registrar = bundle("org.screamrouter.sip.registrar");
            long modified = registrar.getLastModified();
            long start = System.nanoTime();
            String output = shell.run("bundle:update " + registrar.getBundleId() + " " + jar.toURI());
            Await.until("REGISTER answered 200 after bundle:update", Duration.ofSeconds(30), () -> probe.exchange(
                    new Register("probe", server, probe.port()).expires(60).toString(), server, Duration.ofMillis(300)),
                    r -> r != null && r.status() == 200);
            long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Map<String, Registry.BindingRow> after = Await.until("1,000 bindings back", Duration.ofSeconds(30),
                    () -> registry.available() ? ours(registry.bindings(), run) : Map.of(), m -> m.size() == DEVICES);
            long restoredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.println("bundle:update of the registrar: REGISTER answered after " + answeredMs + " ms, "
                    + DEVICES + " bindings visible after " + restoredMs + " ms");
            assertTrue("the registrar bundle was not updated (" + output + ")", registrar.getLastModified() > modified);
            assertEquals("same bindings, contacts, flows and absolute expiry after bundle:update", before, after);

            // and the answer a device gets still lists its contact with the remaining time of the original expiry
            String sample = uuid(run, 123);
            SipResponse fetched = probe.exchange(new Register(sample, server, probe.port()).contact(null).toString(), server, Duration.ofSeconds(3));
            assertNotNull(fetched);
            assertEquals(fetched.toString(), 1, fetched.contacts().size());
            long remaining = Bulk.expiresOf(fetched.contacts().get(0));
            long expected = (before.values().stream().filter(b -> b.aor().startsWith("sip:" + sample + "@")).findFirst().orElseThrow()
                    .expiresMillis() - System.currentTimeMillis()) / 1000;
            assertTrue("remaining " + remaining + " s, original expiry says " + expected + " s", Math.abs(remaining - expected) <= 2);
        }
    }

    @Test
    public void bundleRestartOfTheConfigBundleKeepsConfigYamlEntries() throws Exception {
        KarafShell shell = new KarafShell(sessionFactory);
        Path file = ConfigYaml.inKarafData();
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> sinks = List.of(run + "-aaaa-4000-8000-000000000001", run + "-bbbb-4000-8000-000000000002",
                run + "-cccc-4000-8000-000000000003");
        try (DeviceAgent device = new DeviceAgent()) {
            for (String s : sinks) registerSink(device, s);
            Await.until("3 sinks in config.yaml", Duration.ofSeconds(15), () -> ConfigYaml.read(file),
                    y -> sinks.stream().allMatch(s -> ConfigYaml.byUuid(y, "sinks", s).isPresent()));
            Map<String, Map<String, String>> before = sinkEntries(ConfigYaml.read(file), sinks);

            Bundle config = bundle("org.screamrouter.sip.config");
            long start = System.nanoTime();
            shell.run("bundle:restart " + config.getBundleId());
            Await.until("config bundle active", Duration.ofSeconds(30), config::getState, s -> s == Bundle.ACTIVE);
            assertEquals("entries after bundle:restart", before, sinkEntries(ConfigYaml.read(file), sinks));

            // the restarted manager still writes: a new sink joins the file, the old entries stay as they were
            String fourth = run + "-dddd-4000-8000-000000000004";
            registerSink(device, fourth);
            Await.until("the 4th sink in config.yaml after the restart", Duration.ofSeconds(30), () -> ConfigYaml.read(file),
                    y -> ConfigYaml.byUuid(y, "sinks", fourth).isPresent());
            System.out.println("config bundle restarted; a new device written " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                    + " ms after bundle:restart");
            assertEquals("entries after the next write", before, sinkEntries(ConfigYaml.read(file), sinks));
        }
    }

    private static Map<String, Map<String, String>> sinkEntries(String yaml, List<String> uuids) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (String u : uuids) out.put(u, ConfigYaml.byUuid(yaml, "sinks", u).orElse(null));
        return out;
    }

    private static Map<String, Registry.BindingRow> ours(List<Registry.BindingRow> all, String run) {
        return all.stream().filter(b -> b.aor().startsWith("sip:" + run + "-"))
                .collect(Collectors.toMap(Registry.BindingRow::key, b -> b, (x, y) -> x, TreeMap::new));
    }
}
