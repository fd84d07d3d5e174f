package org.screamrouter.sip.config.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.screamrouter.sip.config.ScreamRouterApiStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes device changes to a running ScreamRouter through its HTTP API ({@link ScreamRouterApi}), and decides, per
 * change, whether that worked: the component then writes the file only for the changes this did not place.
 *
 * <p>A push is idempotent: it reads ScreamRouter's list ({@code GET /sinks}), finds the device's entry by its
 * {@code config_id} ({@link DeviceIds}), and sends only what differs: {@code POST} for a missing entry (with the
 * mapped or a new config_id, saved in the id map first), {@code PUT} of the owned fields that differ,
 * {@code enable}/{@code disable} when {@code enabled} differs; an entry of the device in the other list is disabled.
 * A device the registrar forgot ({@code removed}) is deleted ({@code DELETE}) and leaves the id map. So a push may be retried, and a reconcile is just a push of every device's current state.
 *
 * <p>Bounds: {@code tries} attempts, {@code backoff} before the second, doubled before each next one. When the last
 * attempt found ScreamRouter unreachable, it is marked down: changes go to the file, and {@link #probe} (every probe
 * interval, on the component's executor) tries {@code GET /sinks}; when that answers, every known device is pushed
 * and the API is up again. Confined to the component's executor, except {@link #status()} and {@link #up()}.
 */
final class ScreamRouterPush {
    private static final Logger LOG = LoggerFactory.getLogger(ScreamRouterPush.class);

    /** What became of a change. */
    enum Result {
        /** ScreamRouter has it (or had it already): the file is left to ScreamRouter. */
        ACCEPTED,
        /** ScreamRouter answered with an error for it: logged, not written anywhere (the next change of the device tries again). */
        REFUSED,
        /** ScreamRouter is not reachable (now marked down), or the id map could not be saved: the change goes to the file. */
        FILE
    }

    private final ScreamRouterApi api;
    private final int tries;
    private final Duration backoff;
    private final Clock clock;

    private volatile boolean down;
    /** Whether the last push that failed found ScreamRouter unreachable (executor only). */
    private boolean unreachable;
    private volatile Instant downSince;
    private volatile String lastError;
    private volatile Instant lastPush;
    private final AtomicLong pushes = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    /** Per-device lines: the first few of an interval at INFO, then a summary (issue 15). */
    private final ActivityLog activity;

    ScreamRouterPush(ScreamRouterApi api, int tries, Duration backoff, Clock clock) {
        this.api = api;
        this.tries = Math.max(1, tries);
        this.backoff = backoff;
        this.clock = clock;
        this.activity = new ActivityLog(LOG, "ScreamRouter API devices", ConfigFile.SUMMARY_INTERVAL, ConfigFile.DETAILED_PER_INTERVAL, clock);
    }

    /** Logs the summary of the pushed device changes when its interval is over ({@code early}: now). */
    void summarize(boolean early) {
        activity.summarize(early);
    }

    boolean up() {
        return !down;
    }

    ScreamRouterApiStatus status() {
        return new ScreamRouterApiStatus(api.base(), !down, downSince, lastError, lastPush, pushes.get(), refused.get());
    }

    /**
     * Pushes one change, with the bounded retries ({@code lastChance}: one attempt only, at deactivation). Called
     * while {@link #up()}, and by {@link #probe} for the catch-up.
     */
    Result push(PendingChange change, DeviceIds ids, Map<String, Map<String, Object>> fileEntries, boolean lastChance)
            throws InterruptedException {
        ScreamRouterApi.Failure last = null;
        int attempts = lastChance ? 1 : tries;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1) {
                Thread.sleep(backoff.toMillis() << (attempt - 2));
            }
            try {
                pushOnce(change, ids, fileEntries);
                pushes.incrementAndGet();
                lastPush = clock.instant();
                return Result.ACCEPTED;
            } catch (IOException e) {
                unreachable = false;
                lastError = "cannot write " + ids.path() + ": " + e;
                LOG.error("ScreamRouter API: {}; device {} goes to the file path", lastError, change.uuid());
                return Result.FILE;
            } catch (ScreamRouterApi.Failure f) {
                last = f;
                LOG.debug("ScreamRouter API: device {}, attempt {} of {}: {}", change.uuid(), attempt, attempts, f.getMessage());
                if (!f.worthRetrying()) {
                    break;
                }
            }
        }
        lastError = last.getMessage();
        unreachable = last.unreachable();
        if (unreachable) {
            markDown(last);
            return Result.FILE;
        }
        refused.incrementAndGet();
        LOG.error("ScreamRouter refused the change of device {}: {} (not written to config.yaml either: ScreamRouter owns "
                + "it while it runs; the device's next change tries again)", change.uuid(), last.getMessage());
        return Result.REFUSED;
    }

    /**
     * While down: one {@code GET /sinks}; when it answers, every known device's current state is pushed (with the
     * usual retries) and the API is up again. Returns whether it is up.
     */
    boolean probe(Collection<PendingChange> known, DeviceIds ids, Map<String, Map<String, Object>> fileEntries)
            throws InterruptedException {
        if (!down) {
            return true;
        }
        try {
            api.list("sinks");
        } catch (ScreamRouterApi.Failure f) {
            lastError = f.getMessage();
            LOG.debug("ScreamRouter API still down: {}", f.getMessage());
            return false;
        }
        LOG.info("ScreamRouter API at {} answers again: pushing the state of {} devices", api.base(), known.size());
        for (PendingChange c : known) { // still down meanwhile: status shows up only once ScreamRouter has caught up
            if (push(c, ids, fileEntries, false) == Result.FILE && unreachable) {
                return false;
            }
        }
        down = false;
        downSince = null;
        LOG.info("ScreamRouter API at {} is up: device changes go to it, not to config.yaml", api.base());
        return true;
    }

    private void markDown(ScreamRouterApi.Failure f) {
        if (!down) {
            down = true;
            downSince = clock.instant();
            LOG.warn("ScreamRouter API at {} is down ({}): device changes go to config.yaml until it answers again",
                    api.base(), f.getMessage());
        }
    }

    // one attempt

    private void pushOnce(PendingChange change, DeviceIds ids, Map<String, Map<String, Object>> fileEntries)
            throws ScreamRouterApi.Failure, InterruptedException, IOException {
        if (change.removed()) {
            boolean kept = false;
            for (String section : List.of("sinks", "sources")) {
                kept |= !delete(section, change.uuid(), ids);
            }
            if (!kept) {
                ids.forget(change.uuid());
                ids.save();
            }
            return;
        }
        if (change.entry() == null) {
            for (String section : List.of("sinks", "sources")) {
                disable(section, change.uuid(), ids);
            }
            return;
        }
        SipEntry sip = change.entry();
        String section = sip.section();
        List<Map<String, Object>> list = api.list(section);
        Map<String, Object> found = find(list, section, sip, ids);
        if (found == null) {
            String configId = ids.configId(sip.uuid(), section).orElseGet(() -> UUID.randomUUID().toString());
            String name = freeName(list, preferredName(sip, configId, fileEntries));
            ids.assign(sip.uuid(), section, configId);
            ids.save(); // first: an entry in ScreamRouter without its mapping could be taken for someone else's
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.putAll(sip.owned());
            body.put("enabled", change.enabled());
            body.put("config_id", configId);
            api.add(section, body);
            activity.record("added", "ScreamRouter API: device {} added to {} as {} (config_id {}){}", sip.uuid(), section, name, configId,
                    change.enabled() ? "" : ", disabled: offline");
        } else {
            String name = String.valueOf(found.get("name"));
            Map<String, Object> diff = new LinkedHashMap<>();
            sip.owned().forEach((k, v) -> {
                if (!same(found.get(k), v)) {
                    diff.put(k, v);
                }
            });
            if (!diff.isEmpty()) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("name", name); // unchanged: PUT renames to the body's name
                body.putAll(diff);
                api.update(section, name, body);
                activity.record("updated", "ScreamRouter API: device {} updated in {} as {}: {}", sip.uuid(), section, name, diff.keySet());
            }
            if (!same(found.get("enabled"), change.enabled())) {
                api.enable(section, name, change.enabled());
                activity.record(change.enabled() ? "enabled" : "disabled", "ScreamRouter API: device {} {} in {} ({})", sip.uuid(), change.enabled() ? "enabled" : "disabled", section, name);
            }
        }
        String other = section.equals("sinks") ? "sources" : "sinks";
        disable(other, sip.uuid(), ids);
    }

    /**
     * Deletes the device's entry of a section (the registrar forgot the device: {@code DeviceEvents.REMOVED}), as the
     * file path removes it from config.yaml. ScreamRouter refuses to delete an entry an enabled route uses (500, its
     * {@code InUseError}): that route is the user's, so the entry is kept, disabled, with its id mapping (the device,
     * should it come back, finds it again); false then. Unreachable: the failure goes up, the change to the file.
     */
    private boolean delete(String section, String uuid, DeviceIds ids) throws ScreamRouterApi.Failure, InterruptedException {
        Optional<String> configId = ids.configId(uuid, section);
        if (configId.isEmpty()) {
            return true;
        }
        boolean deleted = true;
        for (Map<String, Object> e : api.list(section)) {
            if (!configId.get().equals(e.get("config_id"))) {
                continue;
            }
            String name = String.valueOf(e.get("name"));
            try {
                api.delete(section, name);
                LOG.info("ScreamRouter API: device {} deleted from {} ({}): the registrar forgot it", uuid, section, name);
            } catch (ScreamRouterApi.Failure f) {
                if (f.unreachable()) {
                    throw f;
                }
                deleted = false;
                LOG.info("ScreamRouter API: device {} kept in {} ({}), ScreamRouter refused to delete it: {}", uuid, section, name,
                        f.getMessage());
                if (!Boolean.FALSE.equals(e.get("enabled"))) {
                    api.enable(section, name, false);
                }
            }
        }
        return deleted;
    }

    /** Disables the device's entry of a section, if it has one there and it is enabled. */
    private void disable(String section, String uuid, DeviceIds ids) throws ScreamRouterApi.Failure, InterruptedException {
        Optional<String> configId = ids.configId(uuid, section);
        if (configId.isEmpty()) {
            return;
        }
        for (Map<String, Object> e : api.list(section)) {
            if (configId.get().equals(e.get("config_id")) && !Boolean.FALSE.equals(e.get("enabled"))) {
                api.enable(section, String.valueOf(e.get("name")), false);
                activity.record("disabled", "ScreamRouter API: device {} disabled in {} ({})", uuid, section, e.get("name"));
            }
        }
    }

    /**
     * The device's entry in ScreamRouter's list: the one with its mapped config_id, else one with the server's name
     * for the device that no other device owns (adopted, as the file path does), else {@code null}.
     */
    private Map<String, Object> find(List<Map<String, Object>> list, String section, SipEntry sip, DeviceIds ids) {
        Optional<String> mapped = ids.configId(sip.uuid(), section);
        if (mapped.isPresent()) {
            for (Map<String, Object> e : list) {
                if (mapped.get().equals(e.get("config_id"))) {
                    return e;
                }
            }
        }
        for (Map<String, Object> e : list) {
            Object configId = e.get("config_id");
            if (sip.baseName().equals(e.get("name")) && configId instanceof String id && !id.isBlank()
                    && ids.deviceOf(id, section).map(sip.uuid()::equalsIgnoreCase).orElse(true)) {
                ids.assign(sip.uuid(), section, id);
                activity.record("adopted", "ScreamRouter API: the {} entry {} is device {}'s, found by its name", section, e.get("name"), sip.uuid());
                return e;
            }
        }
        return null;
    }

    /** The name the file gave the entry (same config_id), so that both agree; else the server's name for the device. */
    private static String preferredName(SipEntry sip, String configId, Map<String, Map<String, Object>> fileEntries) {
        Map<String, Object> inFile = fileEntries.get(sip.uuid());
        if (inFile != null && configId.equals(String.valueOf(inFile.get("config_id"))) && inFile.get("name") instanceof String n && !n.isBlank()) {
            return n;
        }
        return sip.baseName();
    }

    /**
     * The base name when ScreamRouter's list does not have it, else {@code <base>_<n>} above every {@code <base>_<n>}
     * the list has: one pass over the list just fetched, never a try of {@code _2}, {@code _3}, ... against it (as in
     * {@link SectionIndex#freeName}).
     */
    static String freeName(List<Map<String, Object>> list, String base) {
        boolean taken = false;
        long next = 2;
        String prefix = base + "_";
        for (Map<String, Object> e : list) {
            String name = String.valueOf(e.get("name"));
            if (name.equals(base)) {
                taken = true;
            } else if (name.startsWith(prefix) && name.length() > prefix.length() && name.length() - prefix.length() <= 9
                    && name.substring(prefix.length()).chars().allMatch(Character::isDigit)) {
                next = Math.max(next, Long.parseLong(name.substring(prefix.length())) + 1);
            }
        }
        return taken ? prefix + next : base;
    }

    /** JSON answers carry longs where we hold ints, and the ip as text: compared as text. */
    private static boolean same(Object theirs, Object ours) {
        return theirs == null ? ours == null : ours != null && Objects.equals(String.valueOf(theirs), String.valueOf(ours));
    }
}
