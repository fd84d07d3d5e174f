package org.screamrouter.sip.mdns.internal;

import java.net.InetAddress;
import java.util.Timer;
import java.util.concurrent.ThreadLocalRandom;
import javax.jmdns.impl.DNSIncoming;
import javax.jmdns.impl.DNSTaskStarter;
import javax.jmdns.impl.JmDNSImpl;
import javax.jmdns.impl.ServiceInfoImpl;
import javax.jmdns.impl.constants.DNSConstants;
import javax.jmdns.impl.tasks.state.Announcer;
import javax.jmdns.impl.tasks.state.Prober;

/**
 * JmDNS's task starter with RFC 6762's probe and announce timings instead of JmDNS's slower ones.
 *
 * <p>JmDNS 3.6.5 probes at one-second intervals until its host name is announced, and starts every announcer one
 * second late: a fresh responder is first heard about four seconds after it opens, and a record change (TXT, port)
 * one second after it is made. RFC 6762 asks for a random 0-250 ms wait, three probes 250 ms apart and the first
 * announcement 250 ms after the last probe (section 8.1, 8.3), and for an immediate re-announcement of changed
 * records without new probes (section 8.4). Probers and announcers run here on a timer of this starter's own; every
 * other task is JmDNS's default, on its timers. After conflicts JmDNS's throttle (one probe a second) still applies.
 *
 * <p>JmDNS picks a starter through a static factory delegate. JmDNS's classes are a private copy inside this bundle
 * ({@code bnd.bnd}), so the delegate reaches only this bundle's responders (and, in unit tests, their browsers).
 */
final class RfcTimedTaskStarter implements DNSTaskStarter {
    /** RFC 6762 section 8.1: the random wait before the first probe is up to 250 ms. */
    private static final int FIRST_PROBE_SPREAD_MS = 250;

    private final JmDNSImpl jmdns;
    private final DNSTaskStarter defaults;
    private final Timer stateTimer;

    private RfcTimedTaskStarter(JmDNSImpl jmdns) {
        this.jmdns = jmdns;
        this.defaults = new DNSTaskStarter.DNSTaskStarterImpl(jmdns);
        this.stateTimer = new DNSTaskStarter.DNSTaskStarterImpl.StarterTimer("JmDNS(" + jmdns.getName() + ").RfcStateTimer", true);
    }

    /** Makes JmDNS instances created from now on use this starter; idempotent. */
    static void install() {
        if (!(DNSTaskStarter.Factory.classDelegate() instanceof Delegate)) {
            DNSTaskStarter.Factory.setClassDelegate(new Delegate());
        }
    }

    /** Whether {@code jmdns} runs its probes and announcements through this starter. */
    static boolean drives(JmDNSImpl jmdns) {
        return DNSTaskStarter.Factory.getInstance().getStarter(jmdns) instanceof RfcTimedTaskStarter;
    }

    private static final class Delegate implements DNSTaskStarter.Factory.ClassDelegate {
        @Override
        public DNSTaskStarter newDNSTaskStarter(JmDNSImpl jmdns) {
            return new RfcTimedTaskStarter(jmdns);
        }
    }

    @Override public void purgeTimer() { defaults.purgeTimer(); }

    @Override
    public void purgeStateTimer() {
        defaults.purgeStateTimer();
        stateTimer.purge();
    }

    @Override public void cancelTimer() { defaults.cancelTimer(); }

    @Override
    public void cancelStateTimer() {
        defaults.cancelStateTimer();
        stateTimer.cancel();
    }

    @Override
    public void startProber() {
        new TimelyProber(jmdns, this).start(stateTimer);
    }

    /** An announcer at once: for changed records (RFC 6762 section 8.4), JmDNS's host record after a conflict. */
    @Override
    public void startAnnouncer() {
        new TimelyAnnouncer(jmdns, 0).start(stateTimer);
    }

    /** The first announcement after probing, once the 250 ms for conflicting answers to the last probe are over. */
    private void startAnnouncerAfterProbes() {
        new TimelyAnnouncer(jmdns, DNSConstants.PROBE_WAIT_INTERVAL).start(stateTimer);
    }

    @Override public void startRenewer() { defaults.startRenewer(); }

    @Override public void startCanceler() { defaults.startCanceler(); }

    @Override public void startReaper() { defaults.startReaper(); }

    @Override public void startServiceInfoResolver(ServiceInfoImpl info) { defaults.startServiceInfoResolver(info); }

    @Override public void startTypeResolver() { defaults.startTypeResolver(); }

    @Override public void startServiceResolver(String type) { defaults.startServiceResolver(type); }

    @Override public void startResponder(DNSIncoming in, InetAddress addr, int port) { defaults.startResponder(in, addr, port); }

    /** JmDNS's prober with RFC 6762's timing from the start, not only once the host is announced. */
    private static final class TimelyProber extends Prober {
        private final RfcTimedTaskStarter starter;

        TimelyProber(JmDNSImpl jmdns, RfcTimedTaskStarter starter) {
            super(jmdns);
            this.starter = starter;
        }

        @Override
        public void start(Timer timer) {
            JmDNSImpl dns = getDns();
            if (dns.isCanceling() || dns.isCanceled()) {
                return;
            }
            // JmDNS's conflict throttle, as in its Prober
            long now = System.currentTimeMillis();
            if (now - dns.getLastThrottleIncrement() < DNSConstants.PROBE_THROTTLE_COUNT_INTERVAL) {
                dns.setThrottle(dns.getThrottle() + 1);
            } else {
                dns.setThrottle(1);
            }
            dns.setLastThrottleIncrement(now);
            if (dns.getThrottle() < DNSConstants.PROBE_THROTTLE_COUNT) {
                timer.schedule(this, ThreadLocalRandom.current().nextInt(FIRST_PROBE_SPREAD_MS + 1), DNSConstants.PROBE_WAIT_INTERVAL);
            } else {
                timer.schedule(this, DNSConstants.PROBE_CONFLICT_INTERVAL, DNSConstants.PROBE_CONFLICT_INTERVAL);
            }
        }

        @Override
        protected void advanceTask() {
            setTaskState(getTaskState().advance());
            if (!getTaskState().isProbing()) {
                cancel();
                starter.startAnnouncerAfterProbes();
            }
        }
    }

    /** JmDNS's announcer (two announcements one second apart, then its renewer), starting after {@code delayMs}. */
    private static final class TimelyAnnouncer extends Announcer {
        private final long delayMs;

        TimelyAnnouncer(JmDNSImpl jmdns, long delayMs) {
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
