package org.screamrouter.sip.config.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ScreamRouter's config.yaml on disk: read before every merge (so that edits made by ScreamRouter or by hand are
 * merged, not overwritten) and parsed again only when its text differs from what the server last read or wrote (a
 * SHA-256 of that text is kept, not the text);
 * otherwise the merge goes into the document kept from then, so that it costs what its changes cost, not what parsing
 * the file costs. Written through a {@link ConfigFileWriter} only when a change brings something new. A merge that
 * could not be written drops the kept document: the next one starts from the file again. A file that cannot be parsed
 * is never written; its error is kept (and logged once) until the file changes.
 *
 * <p>Confined to the component's executor, except the snapshot accessors, which any thread may call.
 */
final class ConfigFile {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigFile.class);
    /**
     * How long a file someone else changed must be left alone before it is merged: ScreamRouter (Python's
     * {@code open(path, 'w')}) and editors truncate and then write, so a read right then could see half a file, and a
     * merge of that would write the half back.
     */
    static final Duration SETTLE = Duration.ofMillis(250);
    /** How often per-device lines are summed up in one INFO line, and how many of each interval are logged one by one. */
    static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(10);
    static final int DETAILED_PER_INTERVAL = 5;

    /** What became of a merge. */
    enum Outcome {
        /** The changes are in the file (written, or there was nothing new to write). */
        DONE,
        /** The file cannot be read, parsed or written: the changes wait (see {@link ConfigFile#error()}). */
        BLOCKED,
        /** Someone else is writing the file right now: try again a little later. */
        BUSY
    }

    private final Path path;
    private final ConfigFileWriter writer;
    private final Clock clock;
    private final DeviceIds ids;
    private final ActivityLog activity;

    // executor only
    /** The document as last read or written, while the file on disk is still that ({@code null}: read it). */
    private ConfigDocument doc;
    /** SHA-256 of the text as last read or written: whether the file is still that (its text is not kept, 25 MB at 100,000 devices). */
    private byte[] lastHash;
    private Stamp stamp;
    private Stamp written;
    private boolean unparseable;

    // any thread
    private volatile Map<String, Map<String, Object>> entries = Map.of();
    private volatile java.util.List<Map<String, Object>> sinks = java.util.List.of();
    private volatile String error;
    private volatile Instant lastWrite;
    private final AtomicLong writes = new AtomicLong();

    ConfigFile(Path path, ConfigFileWriter writer, Clock clock) {
        this.path = path;
        this.writer = writer;
        this.clock = clock;
        this.ids = new DeviceIds(DeviceIds.beside(path), new AtomicFileWriter());
        this.activity = new ActivityLog(LoggerFactory.getLogger(ConfigDocument.class), "config.yaml devices", SUMMARY_INTERVAL,
                DETAILED_PER_INTERVAL, clock);
    }

    /** Logs the summary of device changes when its interval is over ({@code early}: now, at deactivation). */
    void summarize(boolean early) {
        activity.summarize(early);
    }

    Path path() { return path; }

    /** The device-id map (executor only): the HTTP API path keys ScreamRouter's entries by it too. */
    DeviceIds ids() { return ids; }

    String error() { return error; }

    Instant lastWrite() { return lastWrite; }

    long writes() { return writes.get(); }

    /** The file as last read could not be parsed: reading it again is pointless until it changes on disk. */
    boolean waitsForEdit() { return unparseable; }

    /** The devices' sources and sinks, by device uuid, as last read or written. */
    Map<String, Map<String, Object>> entries() { return entries; }

    /** The entries under {@code sinks:} as last read or written. */
    java.util.List<Map<String, Object>> sinks() { return sinks; }

    /** The sink a call's target names, as of the last read or write ({@code ConfigurationManager.sinkEntry}). */
    java.util.Optional<org.screamrouter.sip.config.SinkEntry> sinkEntry(String target) {
        return sinks instanceof EntryViews.ListView view ? view.sinkEntry(target) : java.util.Optional.empty();
    }

    /** Whether the file's modification time, size or identity differ from when it was last read or written. */
    boolean changedOnDisk() {
        return !Objects.equals(Stamp.of(path), stamp);
    }

    /**
     * Reads the file now; {@code null} when it cannot be read or parsed (then {@link #error()} says why). When its text
     * is the one last read or written, the document kept from then is the answer: parsing is what costs.
     */
    ConfigDocument read() {
        byte[] bytes;
        Stamp now;
        try {
            now = Stamp.of(path);
            bytes = now == null ? new byte[0] : Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            now = null;
            bytes = new byte[0];
        } catch (IOException e) {
            fail("cannot read " + path + ": " + e, null);
            return null;
        }
        byte[] hash = sha256(bytes);
        if (doc != null && java.util.Arrays.equals(hash, lastHash)) { // ours, or touched, or written back as it was: nothing to parse
            if (error != null) {
                LOG.info("{} is readable again", path);
            }
            error = null;
            stamp = now;
            return doc;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            fail("cannot read " + path + ": " + e, null);
            return null;
        }
        bytes = null; // not kept through the parse
        ConfigDocument doc;
        try {
            doc = ConfigDocument.parse(text);
        } catch (ConfigParseException e) {
            stamp = now;
            lastHash = hash;
            unparseable = true;
            this.doc = null;
            fail(path + " cannot be parsed, it is left as it is and device changes wait until it can: " + e.getMessage(), null);
            return null;
        }
        if (error != null) {
            LOG.info("{} is readable again", path);
        } else if (lastHash != null && !java.util.Arrays.equals(lastHash, hash)) {
            LOG.info("{} changed outside the server: reloaded", path);
        }
        error = null;
        unparseable = false;
        stamp = now;
        lastHash = hash;
        this.doc = doc;
        entries = doc.entriesByUuid(ids);
        sinks = doc.sinks(ids);
        return doc;
    }

    /** Merges the changes into the file as it is now, and writes it if anything changed. */
    Outcome apply(Collection<PendingChange> changes) {
        if (beingWritten()) {
            return Outcome.BUSY;
        }
        ConfigDocument doc = read(); // its text always: a modification time can miss an edit, a comparison cannot
        if (doc == null) {
            return Outcome.BLOCKED;
        }
        boolean changed = false;
        try {
            for (PendingChange change : changes) {
                changed |= doc.apply(change, ids, activity);
            }
        } catch (RuntimeException e) {
            this.doc = null; // half merged: start from the file next time
            throw e;
        }
        if (!changed && !ids.dirty()) {
            return Outcome.DONE;
        }
        if (!changed) {
            try {
                ids.save();
            } catch (IOException | RuntimeException e) {
                fail("cannot write " + ids.path() + ": " + e, e);
                return Outcome.BLOCKED;
            }
            entries = doc.entriesByUuid(ids);
            return Outcome.DONE;
        }
        // from here the kept document holds changes the file does not: unless they are written, it is read again
        this.doc = null;
        String text = doc.dump();
        if (!YamlNodes.readable(text)) {
            // never write what could not be read back: the next merge would be blocked for good
            fail("not writing " + path + ": it would be larger than the " + YamlNodes.MAX_CODE_POINTS
                    + " code points the server reads; device changes wait", null);
            return Outcome.BLOCKED;
        }
        if (!Objects.equals(Stamp.of(path), stamp)) {
            return Outcome.BUSY; // changed while it was merged: merge again with what is there now
        }
        try {
            ids.save(); // first: an entry written without its mapping could be taken for someone else's
        } catch (IOException | RuntimeException e) {
            fail("cannot write " + ids.path() + ": " + e, e);
            return Outcome.BLOCKED;
        }
        try {
            writer.write(path, text);
        } catch (IOException | RuntimeException e) {
            fail("cannot write " + path + ": " + e, e);
            return Outcome.BLOCKED;
        }
        this.doc = doc;
        lastHash = sha256(text.getBytes(StandardCharsets.UTF_8));
        written = Stamp.of(path);
        // not taken for what was read: an edit right after the rename would carry this stamp and never be read. The
        // next poll reads the file once and compares its text (cheap: the kept document is reused when it is ours).
        stamp = null;
        writes.incrementAndGet();
        lastWrite = clock.instant();
        entries = doc.entriesByUuid(ids);
        sinks = doc.sinks(ids);
        LOG.debug("wrote {} ({} device changes)", path, changes.size());
        return Outcome.DONE;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** Someone else changed the file within {@link #SETTLE}: perhaps still writing it. */
    private boolean beingWritten() {
        Stamp now = Stamp.of(path);
        if (now == null || now.equals(written)) {
            return false;
        }
        return now.modified().toInstant().isAfter(clock.instant().minus(SETTLE));
    }

    private void fail(String message, Throwable cause) {
        if (!message.equals(error)) {
            LOG.error(message, cause);
        }
        error = message;
    }

    /** What a poll compares: cheap, and a rename (ScreamRouter's or ours) changes the file key too. */
    private record Stamp(FileTime modified, long size, Object fileKey) {
        static Stamp of(Path path) {
            try {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
                return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
            } catch (IOException e) {
                return null;
            }
        }
    }
}
