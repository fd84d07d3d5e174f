package org.screamrouter.sip.mdns.internal;

import java.net.InetAddress;
import java.util.Timer;
import javax.jmdns.impl.DNSIncoming;
import javax.jmdns.impl.DNSTaskStarter;
import javax.jmdns.impl.JmDNSImpl;
import javax.jmdns.impl.ServiceInfoImpl;
import javax.jmdns.impl.constants.DNSConstants;
import javax.jmdns.impl.tasks.state.Announcer;

/**
 * JmDNS's task starter, except that a changed record is announced at once (RFC 6762 section 8.4) instead of one
 * second later, which is when JmDNS 3.6.5 starts every announcer.
 *
 * <p>Only announcers started inside {@link #announcingAtOnce} on the calling thread start at once; the announcer that
 * follows probing keeps JmDNS's one-second start (it covers RFC 6762's 250 ms wait for answers to the last probe,
 * section 8.1). Announcers run on a timer of this starter's own; every other task is JmDNS's default, on its timers.
 *
 * <p>JmDNS picks a starter through a static factory delegate. JmDNS's classes are a private copy inside this bundle
 * ({@code bnd.bnd}), so the delegate reaches only this bundle's responders (and, in unit tests, their browsers).
 */
final class PromptUpdateTaskStarter implements DNSTaskStarter {
    private final JmDNSImpl jmdns;
    private final DNSTaskStarter defaults;
    private final Timer announceTimer;
    /** The thread inside {@link #announcingAtOnce}, or null. */
    private volatile Thread updating;

    private PromptUpdateTaskStarter(JmDNSImpl jmdns) {
        this.jmdns = jmdns;
        this.defaults = new DNSTaskStarter.DNSTaskStarterImpl(jmdns);
        this.announceTimer = new DNSTaskStarter.DNSTaskStarterImpl.StarterTimer("JmDNS(" + jmdns.getName() + ").AnnounceTimer", true);
    }

    /** Makes JmDNS instances created from now on use this starter; idempotent. */
    static void install() {
        if (!(DNSTaskStarter.Factory.classDelegate() instanceof Delegate)) {
            DNSTaskStarter.Factory.setClassDelegate(new Delegate());
        }
    }

    /** The starter of {@code jmdns}, or null when JmDNS was created without {@link #install}. */
    static PromptUpdateTaskStarter of(JmDNSImpl jmdns) {
        return DNSTaskStarter.Factory.getInstance().getStarter(jmdns) instanceof PromptUpdateTaskStarter s ? s : null;
    }

    /** Runs {@code change} (a JmDNS call that re-announces, such as {@code setText}); its announcer starts at once. */
    void announcingAtOnce(Runnable change) {
        updating = Thread.currentThread();
        try {
            change.run();
        } finally {
            updating = null;
        }
    }

    private static final class Delegate implements DNSTaskStarter.Factory.ClassDelegate {
        @Override
        public DNSTaskStarter newDNSTaskStarter(JmDNSImpl jmdns) {
            return new PromptUpdateTaskStarter(jmdns);
        }
    }

    @Override public void purgeTimer() { defaults.purgeTimer(); }

    @Override
    public void purgeStateTimer() {
        defaults.purgeStateTimer();
        announceTimer.purge();
    }

    @Override public void cancelTimer() { defaults.cancelTimer(); }

    @Override
    public void cancelStateTimer() {
        defaults.cancelStateTimer();
        announceTimer.cancel();
    }

    @Override public void startProber() { defaults.startProber(); }

    @Override
    public void startAnnouncer() {
        long delay = updating == Thread.currentThread() ? 0 : DNSConstants.ANNOUNCE_WAIT_INTERVAL;
        new DelayedAnnouncer(jmdns, delay).start(announceTimer);
    }

    @Override public void startRenewer() { defaults.startRenewer(); }

    @Override public void startCanceler() { defaults.startCanceler(); }

    @Override public void startReaper() { defaults.startReaper(); }

    @Override public void startServiceInfoResolver(ServiceInfoImpl info) { defaults.startServiceInfoResolver(info); }

    @Override public void startTypeResolver() { defaults.startTypeResolver(); }

    @Override public void startServiceResolver(String type) { defaults.startServiceResolver(type); }

    @Override public void startResponder(DNSIncoming in, InetAddress addr, int port) { defaults.startResponder(in, addr, port); }

    /** JmDNS's announcer (two announcements one second apart, then its renewer), starting after {@code delayMs}. */
    private static final class DelayedAnnouncer extends Announcer {
        private final long delayMs;

        DelayedAnnouncer(JmDNSImpl jmdns, long delayMs) {
            super(jmdns);
            this.delayMs = delayMs;
        }

        @Override
        public void start(Timer timer) {
            if (!getDns().isCanceling() && !getDns().isCanceled()) {
                timer.schedule(this, delayMs, DNSConstants.ANNOUNCE_WAIT_INTERVAL);
            }
        }
    }
}
