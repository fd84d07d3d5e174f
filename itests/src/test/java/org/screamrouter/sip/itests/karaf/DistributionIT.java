package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
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
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.SipPeer;
import org.screamrouter.sip.itests.SipResponse;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;

/**
 * The server as users run it: the built Karaf distribution (tar.gz) booted by Pax Exam on unusual ports, the
 * {@code screamrouter-sip} feature installed, every component of our bundles active, a REGISTER from the real
 * {@code sipsak} visible in {@code sip:devices}, and a hot {@code bundle:update} of the registrar.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DistributionIT {
    private static final String BSN_PREFIX = "org.screamrouter.sip.";
    private static final Duration SETTLE = Duration.ofSeconds(30);

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

    @Inject
    private FeaturesService features;

    @Inject
    private ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() {
        // the features service's deployment steps in karaf.log (bootProvisionsTheFeaturesOnce)
        return KarafRun.options(
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.features.name", "org.apache.karaf.features.internal.service.FeaturesServiceImpl"),
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.features.level", "INFO"));
    }

    /**
     * The boot deploys the features once, without a refresh. With Event Admin a boot feature, the first deployment
     * refreshed pax-logging-api (its optional import of {@code org.osgi.service.event} had a provider now), its
     * importers and with them the features service, which then went through {@code featuresBoot} again: about 4 s more
     * of boot, during which Felix refused a {@code bundle:update} ("Unable to acquire global lock for resolve"). Event
     * Admin is a startup bundle now (distribution/pom.xml, docs/architecture.md "Boot").
     */
    @Test
    public void bootProvisionsTheFeaturesOnce() throws Exception {
        List<String> deployer = java.nio.file.Files.readAllLines(java.nio.file.Path.of(System.getProperty("karaf.data"), "log", "karaf.log"))
                .stream().filter(l -> l.contains("| FeaturesServiceImpl ")).toList();
        assertEquals("deployments of featuresBoot:\n" + String.join("\n", deployer),
                1, deployer.stream().filter(l -> l.contains("Adding features:")).count());
        assertTrue("a refresh during boot:\n" + String.join("\n", deployer), deployer.stream().noneMatch(l -> l.contains("Stopping bundles:")));
    }

    /**
     * No bundle of ours logs an ERROR while the server comes up. The WHEP servlet needs the audio bridge, and the bridge
     * took every {@code ListenerEndedListener} (the servlet is one) as it activated: Felix HTTP asking for the servlet
     * made SCR activate the bridge, which asked for the servlet again, and SCR logged "ServiceFactory.getService()
     * resulted in a cycle" at every start.
     */
    @Test
    public void bootLogsNoErrorOfOurs() throws Exception {
        Await.until("every component of our bundles ACTIVE or SATISFIED", SETTLE, this::componentStates,
                states -> !states.isEmpty() && states.stream().allMatch(s -> s.endsWith("ACTIVE") || s.endsWith("SATISFIED") || s.endsWith("NO_CONFIGURATION")));
        List<String> errors = java.nio.file.Files.readAllLines(java.nio.file.Path.of(System.getProperty("karaf.data"), "log", "karaf.log"))
                .stream().filter(l -> l.contains("| ERROR |") && l.contains(BSN_PREFIX)).toList();
        assertEquals("ERROR lines of our bundles in karaf.log:\n" + String.join("\n", errors), List.of(), errors);
    }

    @Test
    public void screamrouterSipFeatureIsInstalledAndEveryComponentIsActive() throws Exception {
        Feature feature = features.getFeature("screamrouter-sip");
        assertNotNull("feature screamrouter-sip is not known to Karaf", feature);
        assertTrue("feature screamrouter-sip is not installed", features.isInstalled(feature));
        List<String> ours = Await.until("every component of our bundles ACTIVE or SATISFIED", SETTLE,
                this::componentStates, states -> !states.isEmpty() && states.stream().allMatch(s -> s.endsWith("ACTIVE") || s.endsWith("SATISFIED")
                        // the WHEP relay serves only once configured (docs/screamrouter.md)
                        || s.equals("org.screamrouter.sip.whep.relay/org.screamrouter.sip.whep.relay.internal.WhepRelay=NO_CONFIGURATION")));
        for (String bsn : List.of("stack", "registrar", "shell", "whep")) {
            assertTrue(bsn + " has no components: " + ours, bsn.equals("shell") || ours.stream().anyMatch(s -> s.startsWith(BSN_PREFIX + bsn + "/")));
        }
        String status = shell("sip:status");
        assertTrue(status, status.contains(System.getProperty("itest.sip.udp.port")));
        // TLS and secure WebSocket with the certificate generated into the container's etc/ (docs/tls.md)
        assertTrue(status, status.contains(System.getProperty("itest.sip.tls.port")) && status.contains(System.getProperty("itest.sip.wss.port")));
        assertTrue(status, status.matches("(?s).*TLS certificate \\(tls, wss\\): SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}.*")
                && status.contains("sip-tls.p12 (generated, self-signed)"));
        assertTrue(status, status.contains("Registrar store: ok (") && status.contains("registrar.mv)"));
        assertTrue(status, status.contains("Presence store: ok (") && status.contains("presence.mv)"));
        // the HTTP server (felix-http) serves the listen page on the port etc/org.apache.felix.http.cfg names
        java.net.http.HttpResponse<String> page = Await.until("the listen page", SETTLE, () -> {
            try {
                return java.net.http.HttpClient.newBuilder().proxy(java.net.http.HttpClient.Builder.NO_PROXY).build().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + Integer.getInteger("itest.http.port")
                                + "/listen/index.html")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                return null;
            }
        }, r -> r != null && r.statusCode() == 200);
        assertTrue(page.body(), page.body().contains("listen.js"));
    }

    /**
     * Felix HTTP starts before Configuration Admin reads etc/org.apache.felix.http.cfg: without the framework
     * properties in the distribution's etc/custom.properties it first opened Jetty's built-in 0.0.0.0:8080 (the listen
     * page on every interface, a failed start where another program holds 8080). Every connector it ever started
     * must be on 127.0.0.1 and the configured port.
     */
    @Test
    public void theHttpServerNeverOpensItsBuiltInDefaultOnEveryInterface() throws Exception {
        java.nio.file.Path log = java.nio.file.Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
        String port = System.getProperty("itest.http.port");
        List<String> started = Await.until("Jetty's connectors in karaf.log", SETTLE,
                () -> java.nio.file.Files.readAllLines(log).stream().filter(l -> l.contains("Started ServerConnector")).toList(),
                lines -> lines.stream().anyMatch(l -> l.contains(":" + port + "}")));
        for (String line : started) {
            assertTrue("a connector other than 127.0.0.1:" + port + ": " + line, line.contains("{127.0.0.1:" + port + "}"));
        }
    }

    @Test
    public void registerFromSipsakShowsInSipDevices() throws Exception {
        String sipsak = sipsak();
        int port = Integer.getInteger("itest.sip.udp.port");
        Await.until("stack listening on udp " + port, SETTLE, () -> optionsTo(port), r -> r != null && r.status() == 200);
        List<String> command = List.of(sipsak, "-U", "-C", "sip:dev1@127.0.0.1:5999", "-s", "sip:dev1@127.0.0.1:" + port, "-x", "300", "-i");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("sipsak did not finish within 20 s: " + command);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("sipsak exit code (0 = 2xx) for " + command + ":\n" + output, 0, process.exitValue());

        String devices = Await.until("dev1 in sip:devices", Duration.ofSeconds(10), () -> shell("sip:devices"), out -> out.contains("dev1"));
        assertTrue(devices, devices.contains("sip:dev1@127.0.0.1:5999"));
        assertTrue(devices, devices.contains("udp"));
    }

    /**
     * Issue 16 item 1: in the running server only the API and library bundles export packages, so a {@code bundle:update}
     * of any implementation bundle rewires nothing and needs no refresh (docs/architecture.md, "API bundles").
     */
    @Test
    public void onlyApiAndLibraryBundlesExportPackages() {
        List<String> exporters = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            String bsn = b.getSymbolicName();
            org.osgi.framework.wiring.BundleRevision revision = b.adapt(org.osgi.framework.wiring.BundleRevision.class);
            if (bsn != null && bsn.startsWith(BSN_PREFIX) && revision != null
                    && !revision.getDeclaredCapabilities(org.osgi.framework.namespace.PackageNamespace.PACKAGE_NAMESPACE).isEmpty()) {
                exporters.add(bsn.substring(BSN_PREFIX.length()));
            }
        }
        java.util.Collections.sort(exporters);
        assertEquals(List.of("api", "audio.api", "http", "jainsip", "sdp", "webrtc"), exporters);
    }

    @Test
    public void bundleUpdateOfTheRegistrarBringsRegisterBack() throws Exception {
        File jar = new File(System.getProperty("itest.registrar.jar"));
        assertTrue(jar + " is missing", jar.isFile());
        Bundle registrar = bundle(BSN_PREFIX + "registrar");
        long lastModifiedBefore = registrar.getLastModified();
        int port = Integer.getInteger("itest.sip.udp.port");
        try (SipPeer peer = new SipPeer()) {
            SipResponse before = peer.exchange(peer.request("REGISTER", "updater", port), Duration.ofSeconds(3));
            assertNotNull("no answer to REGISTER before the update", before);
            assertEquals(before.toString(), 200, before.status());

            long start = System.nanoTime();
            String output = shell("bundle:update " + registrar.getBundleId() + " " + jar.toURI());
            Await.until("REGISTER answered 200 after bundle:update", SETTLE,
                    () -> peer.exchange(peer.request("REGISTER", "updater", port).newBranch(), Duration.ofMillis(500)),
                    r -> r != null && r.status() == 200);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.println("registrar back after " + millis + " ms");
            assertTrue("the registrar bundle was not updated (output: " + output + ")", registrar.getLastModified() > lastModifiedBefore);
            assertEquals(Bundle.ACTIVE, registrar.getState());
        }
    }

    private SipResponse optionsTo(int port) throws Exception {
        try (SipPeer peer = new SipPeer()) {
            return peer.exchange(peer.request("OPTIONS", "probe", port), Duration.ofMillis(500));
        }
    }

    /**
     * Event Admin calls each handler on the thread that delivers the event (etc/org.apache.felix.eventadmin.impl.EventAdmin.cfg,
     * {@code Timeout = 0}; docs/performance.md, "Event Admin without handler timeouts"). With Karaf's default (a 5 s
     * timeout per handler) every handler of every event was handed to a thread of Event Admin's pool while the
     * delivering thread waited for it: two thread switches per handler and event (a tenth of the CPU of each new
     * ScreamRouter device); and a handler past the timeout once (config.yaml's, behind a long pause) would have got no
     * event again until a restart. {@code sendEvent} calls the handlers before it returns: on this thread, or on the
     * pool's if the timeout is on.
     */
    @Test
    public void eventHandlersAreCalledOnTheDeliveringThread() throws Exception {
        org.osgi.framework.ServiceReference<org.osgi.service.event.EventAdmin> admin = context.getServiceReference(org.osgi.service.event.EventAdmin.class);
        assertNotNull("no Event Admin", admin);
        String topic = "org/screamrouter/sip/itest/DELIVERY";
        List<String> called = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.Hashtable<String, Object> properties = new java.util.Hashtable<>();
        properties.put(org.osgi.service.event.EventConstants.EVENT_TOPIC, topic);
        org.osgi.framework.ServiceRegistration<org.osgi.service.event.EventHandler> handler = context.registerService(
                org.osgi.service.event.EventHandler.class, event -> called.add(Thread.currentThread().getName()), properties);
        try {
            // Event Admin decides on the timeout once it has the handler's object, after the first event: send three
            for (int i = 0; i < 3; i++) {
                context.getService(admin).sendEvent(new org.osgi.service.event.Event(topic, java.util.Map.of()));
            }
            String here = Thread.currentThread().getName();
            assertEquals("the threads the handler was called on", List.of(here, here, here), called);
        } finally {
            handler.unregister();
            context.ungetService(admin);
        }
    }

    /** One line per component configuration of our bundles: {@code bsn/component=STATE}; descriptions without any count as UNSATISFIED. */
    private List<String> componentStates() {
        List<String> states = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() == null || !b.getSymbolicName().startsWith(BSN_PREFIX)) continue;
            for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs(b)) {
                String name = b.getSymbolicName() + "/" + description.name;
                if (!scr.isComponentEnabled(description)) {
                    states.add(name + "=DISABLED");
                    continue;
                }
                var configurations = scr.getComponentConfigurationDTOs(description);
                if (configurations.isEmpty()) states.add(name + "=NO_CONFIGURATION");
                for (ComponentConfigurationDTO c : configurations) {
                    states.add(name + "=" + switch (c.state) {
                        case ComponentConfigurationDTO.ACTIVE -> "ACTIVE";
                        case ComponentConfigurationDTO.SATISFIED -> "SATISFIED";
                        case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "UNSATISFIED_REFERENCE";
                        case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "UNSATISFIED_CONFIGURATION";
                        case ComponentConfigurationDTO.FAILED_ACTIVATION -> "FAILED_ACTIVATION: " + c.failure;
                        default -> "STATE_" + c.state;
                    });
                }
            }
        }
        return states;
    }

    private String shell(String command) throws Exception {
        return new KarafShell(sessionFactory).run(command);
    }

    /** The sipsak binary on PATH; the README test command installs it. */
    private static String sipsak() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            File candidate = new File(dir, "sipsak");
            if (candidate.canExecute()) return candidate.getAbsolutePath();
        }
        fail("sipsak is not installed: install sipsak: apt-get install sipsak");
        return null;
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) return b;
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }
}
