package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
import org.screamrouter.sip.itests.support.ConfigYaml;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;
import org.screamrouter.sip.itests.support.Registry;

/**
 * The device simulator as users run it ({@code bin/screamrouter-sim} of the distribution, a process of its own)
 * registers 1,000 devices: every one is bound, listed by {@code sip:devices} and written to config.yaml as a sink;
 * when the simulator is stopped (SIGTERM) it unregisters them all.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SimulatorIT {
    private static final int DEVICES = 1000;

    @Inject
    private SessionFactory sessionFactory;

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return KarafRun.options();
    }

    @Test
    public void thousandSimulatedDevicesRegisterShowEverywhereAndUnregisterOnExit() throws Exception {
        Registry registry = new Registry(context);
        Await.until("the registry", Duration.ofSeconds(60), registry::available, a -> a);
        String prefix = "simit-" + UUID.randomUUID();
        // the simulator's documented UUIDs: name-based UUIDs of <prefix>-<n>
        Set<String> uuids = new HashSet<>();
        for (int i = 0; i < DEVICES; i++) {
            uuids.add(UUID.nameUUIDFromBytes((prefix + "-" + i).getBytes(StandardCharsets.UTF_8)).toString());
        }
        Path script = Path.of(System.getProperty("karaf.home"), "bin", "screamrouter-sim");
        assertTrue(script + " is in the distribution", Files.isRegularFile(script));
        // in the container's own folder (under itests/target), not in /tmp, where one was left per run
        Path log = Path.of(System.getProperty("karaf.data"), "simulator.log");
        List<String> command = List.of("sh", script.toString(), "--server", "127.0.0.1:" + KarafRun.sipPort(), "--count",
                Integer.toString(DEVICES), "--uuid-prefix", prefix, "--expires", "600", "--keepalive", "10");
        long start = System.nanoTime();
        Process simulator = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Await.until(DEVICES + " simulated bindings", Duration.ofSeconds(120), () -> ours(registry, uuids), n -> n == DEVICES);
            System.out.printf("simulator: %d devices bound %d ms after its start%n", DEVICES, (System.nanoTime() - start) / 1_000_000);

            String table = new KarafShell(sessionFactory).run("sip:devices");
            long rows = table.lines().filter(l -> uuids.contains(l.split("\\|", 2)[0].trim())).count();
            assertEquals("rows of simulated devices in sip:devices", DEVICES, rows);
            assertTrue("simulated devices are online in sip:devices", table.lines()
                    .filter(l -> uuids.contains(l.split("\\|", 2)[0].trim())).allMatch(l -> "yes".equals(KarafShell.online(l))));

            Path yaml = ConfigYaml.inKarafData();
            List<Map<String, String>> sinks = Await.until(DEVICES + " sinks in config.yaml", Duration.ofSeconds(30),
                    () -> {
                        String y = ConfigYaml.read(yaml); // entries are found by config_id through the server's map
                        return uuids.stream().map(u -> ConfigYaml.byUuid(y, "sinks", u)).flatMap(java.util.Optional::stream).toList();
                    },
                    l -> l.size() == DEVICES);
            assertTrue("every simulated sink is enabled", sinks.stream().allMatch(e -> "true".equals(e.get("enabled"))));
            assertTrue("simulator still running", simulator.isAlive());
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\nsimulator output:\n" + Files.readString(log), e);
        } finally {
            simulator.destroy(); // SIGTERM: the simulator unregisters its devices
            if (!simulator.waitFor(60, TimeUnit.SECONDS)) simulator.destroyForcibly();
        }
        Await.until("no simulated binding left after the simulator stopped", Duration.ofSeconds(30),
                () -> ours(registry, uuids), n -> n == 0);
        assertTrue("the simulator says it unregistered:\n" + Files.readString(log),
                Files.readString(log).contains("unregistered " + DEVICES + " device(s)"));
    }

    private static long ours(Registry registry, Set<String> uuids) throws Exception {
        return registry.bindings().stream().filter(b -> uuids.contains(userOf(b.aor()))).count();
    }

    private static String userOf(String aor) {
        int at = aor.indexOf('@');
        return at < 0 ? "" : aor.substring(aor.indexOf(':') + 1, at);
    }
}
