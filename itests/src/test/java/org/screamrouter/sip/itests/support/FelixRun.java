package org.screamrouter.sip.itests.support;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;
import org.ops4j.pax.exam.options.UrlProvisionOption;

/**
 * What every Felix test boots: Maven offline, quiet logging, JUnit, and SCR with ConfigAdmin, metatype and
 * pax-logging as runtime bundles, plus the test's own bundles.
 */
public final class FelixRun {
    private FelixRun() {
    }

    public static Option[] options(Option... extra) {
        List<Option> options = new ArrayList<>(List.of(
                cleanCaches(true),
                systemProperty("org.ops4j.pax.url.mvn.localRepository").value(System.getProperty("itest.localRepository")),
                systemProperty("org.ops4j.pax.url.mvn.offline").value("true"),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                frameworkProperty("felix.log.level").value("1"),
                junitBundles(),
                runtime("org.osgi.util.function.jar"),
                runtime("org.osgi.util.promise.jar"),
                runtime("org.osgi.service.component.jar"),
                runtime("pax-logging-api.jar"),
                runtime("org.apache.felix.log.jar"),
                runtime("org.apache.felix.configadmin.jar"),
                runtime("org.apache.felix.metatype.jar"),
                runtime("org.apache.felix.scr.jar")));
        options.addAll(Arrays.asList(extra));
        return options.toArray(new Option[0]);
    }

    /** A third-party bundle copied to the itests' runtime folder by the build. */
    public static UrlProvisionOption runtime(String jar) {
        return bundle("reference:" + existing(new File(System.getProperty("itest.runtimeBundles"), jar)).toURI());
    }

    /** One of ours, from its module's target folder. */
    public static UrlProvisionOption reactor(String folder, String bsn) {
        // copied into the framework cache at install (not reference:): a build running beside the tests may rewrite target/
        File jar = new File(System.getProperty("itest.bundles"), folder + "/target/" + bsn + "-" + System.getProperty("itest.projectVersion") + ".jar");
        return bundle(existing(jar).toURI().toString());
    }

    /** The service of this type, waiting for it for up to 10 s. */
    /**
     * Starts every installed bundle but {@code later} and fragments; a bundle that does not resolve fails here with
     * the framework's reason, not later as a ClassNotFoundException.
     */
    public static void startAllBut(BundleContext context, String... later) {
        java.util.List<String> problems = new java.util.ArrayList<>();
        for (org.osgi.framework.Bundle b : context.getBundles()) {
            if (b.getState() == org.osgi.framework.Bundle.ACTIVE || java.util.List.of(later).contains(b.getSymbolicName())
                    || b.getHeaders().get("Fragment-Host") != null) continue;
            try {
                b.start();
            } catch (Exception e) {
                problems.add(b.getSymbolicName() + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) throw new AssertionError("bundles that do not start:\n" + String.join("\n", problems));
    }

    public static <T> T service(BundleContext context, Class<T> type) {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(10_000);
            if (service == null) {
                throw new AssertionError("no " + type.getSimpleName() + " service within 10 s");
            }
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            tracker.close();
        }
    }

    public static Bundle installed(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) return b;
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }

    private static File existing(File jar) {
        if (!jar.isFile()) {
            throw new IllegalStateException(jar + " is missing: build the reactor first (mvn -o install -DskipTests)");
        }
        return jar;
    }
}
