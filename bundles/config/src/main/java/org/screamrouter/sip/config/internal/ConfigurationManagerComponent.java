package org.screamrouter.sip.config.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.config.ConfigFileStatus;
import org.screamrouter.sip.http.ScreamRouterHttp;
import org.screamrouter.sip.config.ConfigurationManager;
import org.screamrouter.sip.config.SinkEntry;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceEvents;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ConfigurationManager}: follows the registrar's {@link DeviceEvents} and writes ScreamRouter's
 * config.yaml (see {@link ConfigDocument} for what is written, {@link ConfigFile} for how).
 *
 * <p>Threading: the EventAdmin thread and other callers only merge the change into {@code pending} (newest change per
 * device wins) and make sure a write is scheduled {@code write.delay.ms} later; every file access, read, merge and
 * write, runs on the component's own single-thread scheduled executor. So a burst of events gives one write, and a
 * slow disk never holds up event delivery. The file is polled on the same executor; when it changed it is read again,
 * and changes held back by a parse error are written as soon as it parses. Deactivation writes what is pending
 * before the executor ends.
 *
 * <p>When the {@link DeviceRegistry} arrives (at activation or later, e.g. after a registrar update), every device it
 * knows is merged once, without overriding a change an event brought meanwhile: events are newer.
 */
@Component(service = {ConfigurationManager.class, EventHandler.class}, configurationPid = ConfigFileConfig.PID,
        immediate = true, property = EventConstants.EVENT_TOPIC + "=" + DeviceEvents.ALL)
@Designate(ocd = ConfigFileConfig.class)
public final class ConfigurationManagerComponent implements ConfigurationManager, EventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigurationManagerComponent.class);
    static final String THREAD_NAME = "sip-config-yaml";
    private static final Duration SHUTDOWN_DEADLINE = Duration.ofSeconds(10);
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");
    /**
     * Pacing under load: a write starts at least this long after the previous one ended, and at least
     * {@link #BUSY_FACTOR} times as long as that one took. So there are at most four writes a second, and the
     * {@code sip-config-yaml} thread is busy at most about a quarter of the time however many devices change, and
     * however large the file is (a write of 100k entries costs a few hundred ms): the UDP threads keep the CPU.
     */
    static final Duration MIN_GAP = Duration.ofMillis(250);
    static final int BUSY_FACTOR = 3;

    /** Newest change per device, in the order devices first changed (so new entries are added in event order). */
    private final Map<String, PendingChange> pending = new LinkedHashMap<>(); // guarded by itself
    private final Object lifecycle = new Object();

    // guarded by lifecycle
    private ScheduledExecutorService executor;
    private boolean writeScheduled;

    private volatile ConfigFile file;
    private volatile Duration writeDelay = Duration.ofMillis(500);
    private volatile DeviceRegistry registry;
    /** Newest change per device since start, for a reconcile with ScreamRouter's API (guarded by {@code pending}). */
    private final Map<String, PendingChange> known = new LinkedHashMap<>();
    /** The HTTP API path, or {@code null} when {@code screamrouter.url} is empty (executor-confined but for status). */
    private volatile ScreamRouterPush push;
    private ExecutorService httpExecutor; // guarded by lifecycle
    private volatile boolean closing;
    /** When the last merge ended ({@link System#nanoTime}) and what it cost; {@code lastWriteEnd} 0: none yet. */
    private volatile long lastWriteEnd;
    private volatile long lastWriteCost;

    public ConfigurationManagerComponent() {}

    @Activate
    void activate(BundleContext context, ConfigFileConfig config) {
        start(resolvePath(config.path(), context), Duration.ofMillis(config.write_delay_ms()),
                Duration.ofMillis(Math.max(50, config.poll_interval_ms())), new AtomicFileWriter(), Clock.systemUTC(),
                ApiSettings.of(config));
    }

    /** Activation without a framework, for tests: the file, the pace and the writer are given. */
    void start(Path path, Duration writeDelay, Duration pollInterval, ConfigFileWriter writer, Clock clock) {
        start(path, writeDelay, pollInterval, writer, clock, null);
    }

    /**
     * The HTTP API settings of the PID; {@code url} is already checked ({@link ScreamRouterHttp#checkUrl}), or
     * {@code null}: the file only.
     */
    record ApiSettings(java.net.URI url, Duration timeout, int tries, Duration backoff, Duration probeInterval,
                       java.security.cert.X509Certificate certificate) {

        /** The PID's settings; {@code null} when the URL is empty or refused (logged once, with why). */
        static ApiSettings of(ConfigFileConfig config) {
            String url = config.screamrouter_url();
            if (url == null || url.isBlank()) {
                LOG.info("ScreamRouter API: off (screamrouter.url is empty): device changes go to config.yaml only");
                return null;
            }
            java.net.URI checked;
            try {
                checked = ScreamRouterHttp.checkUrl(url);
            } catch (IllegalArgumentException e) {
                LOG.error("ScreamRouter API: screamrouter.url '{}' refused ({}): device changes go to config.yaml only", url, e.getMessage());
                return null;
            }
            java.security.cert.X509Certificate cert = null;
            String pem = config.screamrouter_certificate();
            if (pem != null && !pem.isBlank() && checked.getScheme().equals("https")) {
                try {
                    cert = ScreamRouterHttp.readCertificate(resolvePath(pem, null));
                } catch (java.io.IOException e) {
                    LOG.error("ScreamRouter API: screamrouter.certificate {} cannot be read ({}): device changes go to config.yaml only", pem, e.getMessage());
                    return null;
                }
            }
            return new ApiSettings(checked, Duration.ofMillis(Math.max(100, config.screamrouter_timeout_ms())),
                    Math.max(1, Math.min(10, config.screamrouter_tries())), Duration.ofMillis(Math.max(0, config.screamrouter_backoff_ms())),
                    Duration.ofMillis(Math.max(100, config.screamrouter_probe_interval_ms())), cert);
        }
    }

    /** Activation without a framework, for tests, with the HTTP API ({@code api} {@code null}: the file only). */
    void start(Path path, Duration writeDelay, Duration pollInterval, ConfigFileWriter writer, Clock clock, ApiSettings api) {
        ConfigFile f = new ConfigFile(path, writer, clock);
        this.file = f;
        this.writeDelay = writeDelay;
        this.closing = false;
        synchronized (lifecycle) {
            ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, THREAD_NAME);
                t.setDaemon(true);
                return t;
            });
            // at shutdown the final write is queued explicitly; a write scheduled for later must not hold it up
            ex.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            executor = ex;
            executor.execute(f::read);
            executor.scheduleWithFixedDelay(this::poll, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
            executor.scheduleWithFixedDelay(() -> summarize(false), 1, 1, TimeUnit.SECONDS); // logs once per SUMMARY_INTERVAL
            if (api != null) {
                httpExecutor = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, THREAD_NAME + "-http");
                    t.setDaemon(true);
                    return t;
                });
                push = new ScreamRouterPush(new ScreamRouterApi(api.url(), api.timeout(), httpExecutor, api.certificate()),
                        api.tries(), api.backoff(), clock);
                executor.scheduleWithFixedDelay(this::probe, api.probeInterval().toMillis(), api.probeInterval().toMillis(),
                        TimeUnit.MILLISECONDS);
                LOG.info("ScreamRouter API: device changes go to {} ({} tries, backoff from {} ms, timeout {} ms{}); to "
                        + "config.yaml only while it does not answer (probed every {} ms)", api.url(), api.tries(),
                        api.backoff().toMillis(), api.timeout().toMillis(), api.certificate() == null ? "" : ", pinned certificate",
                        api.probeInterval().toMillis());
            } else {
                push = null;
            }
        }
        if (pendingCount() > 0) {
            scheduleWrite(); // changes handed in before activation
        }
        LOG.info("ScreamRouter config.yaml: {} (writes coalesced over {} ms)", path, writeDelay.toMillis());
        if (registry != null) {
            syncFromRegistry();
        }
    }

    @Deactivate
    void deactivate() {
        ScheduledExecutorService ex;
        synchronized (lifecycle) {
            ex = executor;
            executor = null;
        }
        if (ex == null) {
            return;
        }
        closing = true; // the last write tries the API once, not with the retries
        ex.execute(this::write); // what is pending goes to the file before the executor ends
        ex.execute(() -> summarize(true));
        ex.shutdown();
        try {
            if (!ex.awaitTermination(SHUTDOWN_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("config.yaml writer did not finish within {} s; interrupting", SHUTDOWN_DEADLINE.toSeconds());
                ex.shutdownNow();
            }
        } catch (InterruptedException e) {
            ex.shutdownNow();
            Thread.currentThread().interrupt();
        }
        synchronized (lifecycle) {
            if (httpExecutor != null) {
                httpExecutor.shutdownNow();
                httpExecutor = null;
            }
        }
        int left = pendingCount();
        if (left > 0) {
            LOG.warn("config.yaml: {} device changes not written ({}); they are written again from the registry on the next start",
                    left, file.error());
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setRegistry(DeviceRegistry registry) {
        this.registry = registry;
        syncFromRegistry();
    }

    void unsetRegistry(DeviceRegistry registry) {
        if (this.registry == registry) {
            this.registry = null;
        }
    }

    // EventHandler: called on an EventAdmin thread; only records the change

    @Override
    public void handleEvent(Event event) {
        Object uuid = event.getProperty(DeviceEvents.UUID);
        Object device = event.getProperty(DeviceEvents.DEVICE);
        switch (event.getTopic()) {
            case DeviceEvents.ONLINE, DeviceEvents.UPDATED -> {
                DeviceRegistry r = registry;
                if (device instanceof Device d) {
                    handleSipRegistration(d);
                } else if (uuid instanceof String u && r != null) {
                    r.device(u).ifPresent(this::handleSipRegistration);
                } else {
                    LOG.debug("event {} without a device: ignored", event.getTopic());
                }
            }
            case DeviceEvents.OFFLINE -> {
                if (uuid instanceof String u) {
                    handleSipDeviceOffline(u);
                } else if (device instanceof Device d) {
                    handleSipDeviceOffline(d.uuid());
                }
            }
            case DeviceEvents.REMOVED -> {
                if (uuid instanceof String u) {
                    record(PendingChange.removal(u), true);
                } else if (device instanceof Device d) {
                    record(PendingChange.removal(d.uuid()), true);
                }
            }
            default -> LOG.debug("event {} ignored", event.getTopic());
        }
    }

    // ConfigurationManager

    @Override
    public void handleSipRegistration(Device device) {
        if (device.role() == null) {
            LOG.debug("device {} declared no role (a=x-screamrouter-role): not in config.yaml until it does", device.uuid());
            return;
        }
        Optional<SipEntry> entry = SipEntry.of(device); // empty when it has no address an entry may hold (logged)
        if (entry.isEmpty()) {
            return;
        }
        record(PendingChange.registration(entry.get(), device.online()), true);
    }

    @Override
    public void handleSipDeviceOffline(String uuid) {
        record(PendingChange.offline(uuid), true);
    }

    @Override
    public Optional<Map<String, Object>> getSipConfigForDevice(String uuid) {
        ConfigFile f = file;
        if (f == null || uuid == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(f.entries().get(uuid)); // by uuid ignoring case, the one entry read (not every one)
    }

    @Override
    public List<Map<String, Object>> sinks() {
        ConfigFile f = file;
        return f == null ? List.of() : f.sinks();
    }

    @Override
    public Optional<SinkEntry> sinkEntry(String target) {
        ConfigFile f = file;
        return f == null ? Optional.empty() : f.sinkEntry(target);
    }

    @Override
    public ConfigFileStatus status() {
        ConfigFile f = file;
        if (f == null) {
            return new ConfigFileStatus(null, "not active", null, 0, pendingCount(), 0);
        }
        ScreamRouterPush p = push;
        return new ConfigFileStatus(f.path(), f.error(), f.lastWrite(), f.writes(), pendingCount(), f.entries().size(),
                p == null ? null : p.status());
    }

    /** Runs a write now on the executor (tests; and what a shell "flush" would call); completes when it is done. */
    CompletableFuture<Void> flush() {
        synchronized (lifecycle) {
            if (executor == null) {
                return CompletableFuture.failedFuture(new IllegalStateException("not active"));
            }
            return CompletableFuture.runAsync(this::write, executor);
        }
    }

    // internals

    /**
     * Keeps the newest change of the device. An event overrides; a registry sync only fills gaps (the registry's view
     * may be older than an event that arrived meanwhile), such as the details an offline event does not carry.
     */
    private void record(PendingChange change, boolean overrides) {
        synchronized (pending) {
            for (Map<String, PendingChange> m : List.of(pending, known)) {
                if (overrides) {
                    m.merge(change.uuid(), change, (earlier, now) -> now.after(earlier));
                } else {
                    m.merge(change.uuid(), change, (newer, synced) -> !newer.removed() && newer.entry() == null && synced.entry() != null
                            ? new PendingChange(newer.uuid(), synced.entry(), newer.enabled()) : newer);
                }
            }
        }
        scheduleWrite();
    }

    private int pendingCount() {
        synchronized (pending) {
            return pending.size();
        }
    }

    private void scheduleWrite() {
        scheduleWrite(writeDelay);
    }

    private void scheduleWrite(Duration delay) {
        synchronized (lifecycle) {
            if (executor == null || writeScheduled) {
                return;
            }
            writeScheduled = true;
            executor.schedule(this::pacedWrite, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Executor only: the scheduled write, unless the last one ended too recently ({@link #MIN_GAP}, {@link #BUSY_FACTOR}
     * times its cost): then it runs when that pause is over. Judged here, when it is due, not when it was scheduled: a
     * change that arrives while a write runs schedules the next one before the running one's cost is known.
     */
    private void pacedWrite() {
        long end = lastWriteEnd;
        long wait = end == 0 ? 0 : end + Math.max(MIN_GAP.toNanos(), BUSY_FACTOR * lastWriteCost) - System.nanoTime();
        if (wait > 0) {
            synchronized (lifecycle) {
                if (executor != null) { // still scheduled (writeScheduled stays set): nobody schedules another meanwhile
                    executor.schedule(this::pacedWrite, wait, TimeUnit.NANOSECONDS);
                    return;
                }
            }
        }
        write();
    }

    /** Executor only: applies every pending change in one read-merge-write; changes that arrive meanwhile stay pending. */
    private void write() {
        synchronized (lifecycle) {
            writeScheduled = false;
        }
        List<PendingChange> batch;
        synchronized (pending) {
            batch = List.copyOf(pending.values());
        }
        if (batch.isEmpty()) {
            return;
        }
        // One decision per change: to ScreamRouter's API while it is up, else to the file; never both.
        List<PendingChange> toFile = batch;
        List<PendingChange> fileChanges = batch;
        ScreamRouterPush p = push;
        if (p != null) {
            toFile = new java.util.ArrayList<>();
            fileChanges = new java.util.ArrayList<>();
            for (PendingChange c : batch) {
                PendingChange full = c.after(knownOf(c.uuid())); // an offline keeps the details known of the device
                ScreamRouterPush.Result r = ScreamRouterPush.Result.FILE;
                if (p.up()) {
                    try {
                        r = p.push(full, file.ids(), file.entries(), closing);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return; // deactivation ran out of time: what is left stays pending (logged there)
                    }
                }
                if (r == ScreamRouterPush.Result.FILE) {
                    toFile.add(c);
                    fileChanges.add(full);
                } else {
                    synchronized (pending) {
                        pending.remove(c.uuid(), c);
                        forgetRemoved(c);
                    }
                }
            }
            if (toFile.isEmpty()) {
                return;
            }
        }
        List<PendingChange> done = toFile;
        long start = System.nanoTime();
        try {
            ConfigFile.Outcome outcome = file.apply(fileChanges);
            long now = System.nanoTime();
            lastWriteCost = now - start;
            lastWriteEnd = now == 0 ? 1 : now;
            switch (outcome) {
                case DONE -> {
                    synchronized (pending) {
                        done.forEach(c -> {
                            pending.remove(c.uuid(), c);
                            forgetRemoved(c);
                        });
                    }
                }
                case BUSY -> scheduleWrite(ConfigFile.SETTLE);
                case BLOCKED -> LOG.debug("config.yaml: {} device changes wait: {}", batch.size(), file.error());
            }
        } catch (RuntimeException e) {
            LOG.error("config.yaml: device changes could not be merged; they stay pending", e);
        }
    }

    /**
     * Executor only: picks up edits made outside the server, and retries the changes a bad file or a failed write held
     * back, through the normal window: a poll never writes ahead of it.
     */
    private void poll() {
        try {
            boolean blocked = file.error() != null;
            if (file.changedOnDisk()) {
                file.read();
            }
            if (blocked && !file.waitsForEdit() && pendingCount() > 0) {
                scheduleWrite();
            }
        } catch (RuntimeException e) {
            LOG.error("config.yaml poll failed", e);
        }
    }

    /** Executor only: the INFO summaries of per-device lines, when their interval is over ({@code now}: at once). */
    private void summarize(boolean now) {
        file.summarize(now);
        ScreamRouterPush p = push;
        if (p != null) {
            p.summarize(now);
        }
    }

    /** A removal that is done leaves nothing behind: the device is not known any more (bounded by the registrar's devices). */
    private void forgetRemoved(PendingChange done) {
        if (done.removed()) {
            known.remove(done.uuid(), done);
        }
    }

    /** The newest change known of a device, or {@code null}. */
    private PendingChange knownOf(String uuid) {
        synchronized (pending) {
            return known.get(uuid);
        }
    }

    /** Executor only: while ScreamRouter's API is down, tries it; when it answers, pushes every device and then what waits. */
    private void probe() {
        ScreamRouterPush p = push;
        if (p == null || p.up() || closing) {
            return;
        }
        List<PendingChange> all;
        synchronized (pending) {
            all = List.copyOf(known.values());
        }
        try {
            if (p.probe(all, file.ids(), file.entries()) && pendingCount() > 0) {
                scheduleWrite();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("ScreamRouter API probe failed", e);
        }
    }

    private void syncFromRegistry() {
        ScheduledExecutorService ex;
        synchronized (lifecycle) {
            ex = executor;
        }
        DeviceRegistry r = registry;
        if (ex == null || r == null) {
            return; // activation syncs when the registry came first
        }
        ex.execute(() -> {
            try {
                List<Device> devices = r.devices();
                for (Device d : devices) {
                    SipEntry.of(d).ifPresent(entry -> record(PendingChange.registration(entry, d.online()), false));
                }
                LOG.debug("config.yaml: {} devices of the registry merged", devices.size());
            } catch (RuntimeException e) {
                LOG.warn("config.yaml: the device registry could not be read ({}); events still apply", e.toString());
            }
        });
    }

    /** {@code ${name}} is a system property; {@code ${karaf.data}} outside Karaf means the bundle's data area. */
    static Path resolvePath(String configured, BundleContext context) {
        String path = configured == null || configured.isBlank() ? "${karaf.data}/screamrouter/config.yaml" : configured.trim();
        if (path.contains("${karaf.data}") && System.getProperty("karaf.data") == null && context != null) {
            String rest = path.substring(path.indexOf("${karaf.data}") + "${karaf.data}".length()).replaceFirst("^[/\\\\]+", "");
            return context.getDataFile(rest.isEmpty() ? "config.yaml" : rest).toPath();
        }
        Matcher m = PROPERTY.matcher(path);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(System.getProperty(m.group(1), m.group())));
        }
        m.appendTail(out);
        return Path.of(out.toString());
    }
}
