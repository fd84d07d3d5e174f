package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import javax.inject.Inject;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;

/**
 * Issue 16 item 7: the shell's commands ship without pulling every subsystem. The container boots only the shell and
 * the registrar features (not the whole server): {@code sip:devices} works, no audio engine, libwebrtc, calls or
 * presence bundle is installed, and a command whose subsystem is missing says which feature brings it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellAloneIT {
    private static final Duration SETTLE = Duration.ofSeconds(30);

    @Inject
    private BundleContext context;

    @Inject
    private SessionFactory sessionFactory;

    @Configuration
    public Option[] config() {
        String karaf = System.getProperty("itest.karafVersion");
        String ours = System.getProperty("itest.projectVersion").replace("-SNAPSHOT", ".SNAPSHOT");
        String boot = String.join(", ", Arrays.asList("package", "scr", "log", "ssh", "framework", "system", "eventadmin", "feature",
                "shell", "service", "jaas", "diagnostic", "deployer", "bundle", "config", "kar").stream().map(f -> f + "/" + karaf).toList())
                + ", screamrouter-sip-shell/" + ours + ", screamrouter-sip-registrar/" + ours;
        return KarafRun.options(editConfigurationFilePut("etc/org.apache.karaf.features.cfg", "featuresBoot", boot));
    }

    @Test
    public void sipDevicesWorksWithTheRegistrarAloneAndAMissingSubsystemIsNamed() throws Exception {
        KarafShell shell = new KarafShell(sessionFactory);
        String devices = Await.until("sip:devices", SETTLE, () -> {
            try {
                return shell.run("sip:devices");
            } catch (ExecutionException e) {
                return "";
            }
        }, out -> out.contains("UUID"));
        assertTrue(devices, devices.contains("UUID"));

        List<String> ours = Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName)
                .filter(n -> n != null && n.startsWith("org.screamrouter.sip.")).sorted().toList();
        for (String absent : List.of("org.screamrouter.sip.audio", "org.screamrouter.sip.webrtc", "org.screamrouter.sip.calls",
                "org.screamrouter.sip.presence", "org.screamrouter.sip.whep", "org.screamrouter.sip.config")) {
            assertTrue(absent + " installed: " + ours, !ours.contains(absent));
        }
        assertTrue(ours.toString(), ours.contains("org.screamrouter.sip.registrar") && ours.contains("org.screamrouter.sip.shell"));

        String missing;
        try {
            missing = shell.run("sip:calls");
        } catch (ExecutionException e) {
            missing = String.valueOf(e.getCause().getMessage());
        }
        assertTrue(missing, missing.contains("sip:calls needs the calls subsystem: feature:install screamrouter-sip-calls"));
    }
}
