package org.screamrouter.sip.mdns.internal;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.mdns.MdnsAnnouncement;
import org.screamrouter.sip.mdns.MdnsPublication;
import org.screamrouter.sip.mdns.internal.InterfaceSelection.LinkAddress;
import org.screamrouter.sip.stack.ListeningPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces the router as {@code _screamrouter-sip._udp.local.} (RFC 6763 DNS-SD over RFC 6762 multicast DNS) with
 * the SRV port of the stack's live UDP listening point, following the stack's {@link ListeningPoint} services.
 *
 * <p>Threading: DS callbacks only record what changed and schedule a reconciliation on the component's own
 * single-thread executor, {@link #DEBOUNCE} after the last event, so that a burst of changes gives one announcement.
 * A port change (the stack's unregister/register pair) is announced in place ({@link LinkResponder#update}); the
 * moment between the pair, with no UDP listening point, does not withdraw anything: a withdrawal waits
 * {@link #WITHDRAW_GRACE} for the stack to come back. The responders ({@link LinkResponder}, one per interface
 * address) are opened, changed and closed on that executor. Deactivation sends goodbyes, closes every responder and
 * ends the executor before it returns.
 */
@Component(service = MdnsPublication.class, configurationPid = MdnsConfig.PID, immediate = true)
@Designate(ocd = MdnsConfig.class)
public final class MdnsPublisher implements MdnsPublication {
    private static final Logger LOG = LoggerFactory.getLogger(MdnsPublisher.class);
    static final String THREAD_NAME = "sip-mdns-publisher";
    /** The stack registers a re-bound port within milliseconds of unregistering the old one. */
    private static final Duration DEBOUNCE = Duration.ofMillis(50);
    /** How long a missing UDP listening point is taken for a re-bind under way before the goodbyes go out. */
    static final Duration WITHDRAW_GRACE = Duration.ofSeconds(1);
    /** How often the responders' names are compared with what was announced (conflict renames are asynchronous). */
    private static final Duration NAME_CHECK = Duration.ofSeconds(2);
    /** How often interfaces are looked at again, for addresses that come and go (DHCP, a veth moved). */
    private static final Duration INTERFACE_RESCAN = Duration.ofSeconds(30);
    private static final Duration GOODBYE_DEADLINE = Duration.ofSeconds(20);

    /** The stack's listening points; the same object arrives in bind and unbind, so removal is by identity. */
    private final List<ListeningPoint> points = new CopyOnWriteArrayList<>();
    private final Object lifecycle = new Object();

    // guarded by lifecycle
    private ScheduledExecutorService executor;
    private ScheduledFuture<?> pending;

    private volatile MdnsConfig config;
    private volatile String routerUuid = "";
    private volatile String version = "";
    private volatile String hostLabel = "screamrouter";
    private volatile String state = "not active";
    private volatile List<MdnsAnnouncement> announcements = List.of();

    // confined to the executor
    private final Map<LinkAddress, LinkResponder> responders = new LinkedHashMap<>();
    private final Map<LinkAddress, String> openFailures = new LinkedHashMap<>();
    private List<String> lastProblems = List.of();
    /** When the stack's UDP listening point went missing while something was announced (System.nanoTime), or null. */
    private Long missingSince;

    public MdnsPublisher() {}

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindListeningPoint(ListeningPoint point) {
        points.add(point);
        LOG.debug("stack listening point arrived: {}", point);
        schedule();
    }

    void unbindListeningPoint(ListeningPoint point) {
        points.removeIf(p -> p == point);
        LOG.debug("stack listening point went away: {}", point);
        schedule();
    }

    @Activate
    void activate(BundleContext context, MdnsConfig config) {
        String uuid;
        try {
            uuid = RouterUuidStore.forBundle(context).routerUuid();
        } catch (IOException | RuntimeException e) {
            uuid = UUID.randomUUID().toString();
            LOG.error("cannot read or store the router UUID ({}): announcing {} until the next restart", e, uuid);
        }
        // without the qualifier: a snapshot's build timestamp would change the TXT record on every build
        org.osgi.framework.Version v = context.getBundle().getVersion();
        start(config, uuid, v.getMajor() + "." + v.getMinor() + "." + v.getMicro());
    }

    /** Activation without a framework, for tests: the identity is given. */
    void start(MdnsConfig config, String routerUuid, String version) {
        this.config = config;
        this.routerUuid = routerUuid;
        this.version = version;
        // a host name of our own, never the machine's (which would take a resolver to learn)
        this.hostLabel = "screamrouter-" + routerUuid.substring(0, Math.min(8, routerUuid.length()));
        synchronized (lifecycle) {
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, THREAD_NAME);
                t.setDaemon(true);
                return t;
            });
            executor.scheduleWithFixedDelay(this::noticeRenames, NAME_CHECK.toMillis(), NAME_CHECK.toMillis(), TimeUnit.MILLISECONDS);
            executor.scheduleWithFixedDelay(this::reconcile, INTERFACE_RESCAN.toMillis(), INTERFACE_RESCAN.toMillis(), TimeUnit.MILLISECONDS);
        }
        LOG.info("mDNS publisher active: router_uuid {}, version {}", routerUuid, version);
        schedule();
    }

    @Modified
    void modified(MdnsConfig config) {
        this.config = config;
        schedule();
    }

    @Deactivate
    void deactivate() {
        ScheduledExecutorService ex;
        synchronized (lifecycle) {
            ex = executor;
            executor = null;
            if (pending != null) {
                pending.cancel(false);
                pending = null;
            }
        }
        if (ex == null) {
            return;
        }
        ex.execute(() -> withdrawAll("the mDNS publisher is stopping"));
        ex.shutdown();
        try {
            if (!ex.awaitTermination(GOODBYE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("mDNS goodbyes did not finish within {} s; interrupting", GOODBYE_DEADLINE.toSeconds());
                ex.shutdownNow();
            }
        } catch (InterruptedException e) {
            ex.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOG.info("mDNS publisher stopped");
    }

    // MdnsPublication

    @Override public String routerUuid() { return routerUuid; }

    @Override public String state() { return state; }

    @Override public List<MdnsAnnouncement> announcements() { return announcements; }

    /**
     * Coalesces a burst of changes into one reconciliation {@link #DEBOUNCE} after the last of them. While nothing is
     * announced the reconciliation runs at once: probing takes 750 ms anyway, and a change during it (the stack's other
     * transports arriving) only changes the records the announcement will carry.
     */
    private void schedule() {
        schedule(announcements.isEmpty() ? Duration.ZERO : DEBOUNCE);
    }

    private void schedule(Duration delay) {
        synchronized (lifecycle) {
            if (executor == null) {
                return; // not active yet (bind before activate) or already stopping
            }
            if (pending != null) {
                pending.cancel(false);
            }
            pending = executor.schedule(this::reconcile, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Brings the responders and their instances in line with the configuration and the stack. Executor only. */
    private void reconcile() {
        long began = System.nanoTime();
        try {
            MdnsConfig c = config;
            List<ListeningPoint> now = List.copyOf(points);
            if (!c.enabled()) {
                withdrawAll("disabled by configuration");
                return;
            }
            List<ServiceInstance> wanted = ServiceInstance.forStack(c, now, routerUuid, version);
            if (wanted.isEmpty()) {
                if (!responders.isEmpty()) {
                    long nowNanos = System.nanoTime();
                    if (missingSince == null) {
                        missingSince = nowNanos;
                    }
                    Duration left = WITHDRAW_GRACE.minusNanos(nowNanos - missingSince);
                    if (!left.isNegative() && !left.isZero()) {
                        schedule(left); // a re-bind under way registers the new point within milliseconds
                        return;
                    }
                }
                missingSince = null;
                withdrawAll("waiting for the SIP stack's UDP listening point");
                return;
            }
            missingSince = null;
            InterfaceSelection.Result chosen = InterfaceSelection.choose(c.interfaces(), ServiceInstance.udpAddress(now).orElse("0.0.0.0"));
            if (!chosen.problems().equals(lastProblems)) {
                chosen.problems().forEach(p -> LOG.warn("mDNS interface left out: {}", p));
                lastProblems = chosen.problems();
            }
            List<LinkResponder> stale = new ArrayList<>();
            for (LinkAddress link : new ArrayList<>(responders.keySet())) {
                LinkResponder responder = responders.get(link);
                if (chosen.addresses().contains(link) && !responder.announces(wanted) && responder.canUpdateTo(wanted)) {
                    try {
                        responder.update(wanted);
                    } catch (RuntimeException e) {
                        LOG.warn("mDNS: updating the announcement on {} in place failed ({}); announcing afresh", link, e.toString());
                    }
                }
                if (!chosen.addresses().contains(link) || !responder.announces(wanted)) {
                    stale.add(responders.remove(link));
                }
            }
            closeAll(stale);
            openFailures.keySet().retainAll(chosen.addresses());
            for (LinkAddress link : chosen.addresses()) {
                if (responders.containsKey(link)) {
                    continue;
                }
                LinkResponder responder = null;
                try {
                    responder = LinkResponder.open(link, hostLabel);
                    responder.announce(wanted, began);
                    responders.put(link, responder);
                    openFailures.remove(link);
                } catch (IOException | RuntimeException e) {
                    if (responder != null) {
                        responder.close();
                    }
                    // logged once per distinct failure: the periodic rescan retries
                    if (!e.toString().equals(openFailures.put(link, e.toString()))) {
                        LOG.warn("cannot announce on {}: {}", link, e.toString());
                    }
                }
            }
            if (responders.isEmpty()) {
                state = chosen.addresses().isEmpty() ? "no usable network interface" : "no responder could start";
            } else if (openFailures.isEmpty()) {
                state = "published";
            } else {
                state = "published; not on " + openFailures.keySet();
            }
            refreshAnnouncements();
        } catch (SocketException | RuntimeException e) {
            LOG.warn("mDNS reconciliation failed: {}", e.toString(), e);
        }
    }

    private void noticeRenames() {
        boolean changed = false;
        for (LinkResponder responder : responders.values()) {
            changed |= responder.noticeRenames();
        }
        if (changed) {
            refreshAnnouncements();
        }
    }

    private void withdrawAll(String reason) {
        boolean any = !responders.isEmpty();
        List<LinkResponder> closing = new ArrayList<>(responders.values());
        responders.clear();
        closeAll(closing);
        openFailures.clear();
        state = reason;
        refreshAnnouncements();
        if (any) {
            LOG.info("mDNS announcements withdrawn: {}", reason);
        }
    }

    /** Each close sends its goodbyes and ends its threads within milliseconds. */
    private static void closeAll(List<LinkResponder> closing) {
        closing.forEach(LinkResponder::close);
    }

    private void refreshAnnouncements() {
        List<MdnsAnnouncement> out = new ArrayList<>();
        responders.values().forEach(r -> out.addAll(r.announcements()));
        announcements = List.copyOf(out);
    }
}
