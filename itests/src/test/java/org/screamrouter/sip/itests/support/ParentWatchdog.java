package org.screamrouter.sip.itests.support;

/**
 * A Java agent for the JVMs a test forks (the Karaf test containers): when the test JVM that started it is gone
 * (killed by failsafe's fork timeout, or by a signal), the child halts within a second instead of running on as an
 * orphan that holds its ports. Its argument is the parent's pid. {@link KarafRun} packs this one class into
 * {@code target/parent-watchdog.jar} and adds {@code -javaagent:} to the container's JVM options.
 */
public final class ParentWatchdog {
    private ParentWatchdog() {
    }

    public static void premain(String parentPid) {
        long pid = Long.parseLong(parentPid.trim());
        Thread watcher = new Thread(() -> {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("parent process " + pid + " (the test JVM) is gone: halting this test container");
            Runtime.getRuntime().halt(143);
        }, "itest-parent-watchdog");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** A JVM that only waits (at most a minute) for its watchdog: what LeftoverProcessesIT starts with the agent. */
    public static void main(String[] args) throws InterruptedException {
        System.out.println("waiting");
        System.out.flush();
        Thread.sleep(60_000);
    }
}
