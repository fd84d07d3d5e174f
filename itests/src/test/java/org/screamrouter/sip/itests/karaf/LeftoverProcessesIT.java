package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.JUnitCore;
import org.junit.runner.Result;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.osgi.framework.BundleContext;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.ParentWatchdog;
import org.screamrouter.sip.itests.support.ProcessReaper;

/**
 * No process outlives its test: a Karaf test container that never comes up (its test bundles cannot be resolved) is
 * ended when its test class ends, and a container whose test JVM dies halts by itself.
 */
public class LeftoverProcessesIT {

    /** Run by the test below, never by failsafe itself (a nested class): its container cannot start. */
    @RunWith(PaxExam.class)
    public static class BrokenContainer {
        @Inject
        private BundleContext context;

        @Configuration
        public Option[] config() {
            // the container resolves Pax Exam's own feature offline from a repository that does not exist: it boots,
            // but its test bundles never install (the failure a fresh machine used to see)
            return KarafRun.options(Duration.ofSeconds(20), editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg",
                    "org.ops4j.pax.url.mvn.localRepository", System.getProperty("itest.target") + "/no-such-repository"));
        }

        @Test
        public void neverRuns() {
            assertTrue("the container came up although a boot feature does not exist", false);
        }
    }

    private static Set<Long> descendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    @Test
    public void aContainerThatNeverComesUpIsEndedWithItsTestClass() {
        Set<Long> before = descendants();
        JUnitCore junit = new JUnitCore();
        ProcessReaper reaper = new ProcessReaper(false); // this container is left on purpose: not reported
        junit.addListener(reaper);

        Result result = junit.run(BrokenContainer.class);

        assertFalse("the broken container's test passed", result.wasSuccessful());
        String failures = result.getFailures().stream().map(f -> f.getTrace()).collect(Collectors.joining("\n"));
        assertTrue("the container was expected never to give its bundle context, got " + failures,
                failures.contains("Cannot get the remote bundle context") || failures.contains("RemoteBundleContextClientImpl.getRemoteBundleContext"));
        assertTrue("no Karaf process was ended: Pax Exam stopped it itself, or none was started", reaper.ended() >= 1);
        Set<Long> left = descendants();
        left.removeAll(before);
        assertEquals("processes left by the broken container", Set.of(), left);
    }

    @Test
    public void aContainerWhoseTestJvmDiesHaltsByItself() throws Exception {
        // a stand-in for the test JVM that this test can kill; the child carries the agent every Karaf container gets
        Process parent = new ProcessBuilder("sleep", "600").start();
        Process child = null;
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            child = new ProcessBuilder(java, "-javaagent:" + KarafRun.watchdogAgent() + "=" + parent.pid(),
                    "-cp", KarafRun.watchdogAgent().toString(), ParentWatchdog.class.getName()).redirectErrorStream(true).start();
            Process started = child;
            Await.until("the child JVM to run", Duration.ofSeconds(30), () -> started.getInputStream().available(), n -> n > 0);
            assertTrue("the child ended before its parent did", child.isAlive());
            parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            assertTrue("the child JVM ran on after its parent died", child.waitFor(10, TimeUnit.SECONDS));
            assertEquals("the watchdog's exit status (0 would be the child's own end)", 143, child.exitValue());
        } finally {
            parent.destroyForcibly();
            if (child != null) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
