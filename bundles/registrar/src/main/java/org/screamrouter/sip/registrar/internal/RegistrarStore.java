package org.screamrouter.sip.registrar.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.StoreStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bindings and devices on disk, so a bundle update or a restart loses no registration (see
 * docs/registrar-state.md). An H2 MVStore file under the Karaf data folder: copy-on-write pages, so a crash
 * leaves the last commit intact; its background commit batches writes (at most {@value #COMMIT_DELAY_MS} ms
 * behind), so a burst of REGISTERs costs no fsync each; {@link #close()} commits what is left. A file that cannot
 * be opened does not stop the registrar ({@link StoreFile}, {@link #status()}).
 *
 * <p>Writes are queued and a writer thread appends them every {@value #WRITE_DELAY_MS} ms, newest per key, to a log
 * (a map keyed by a sequence number); once the log holds as many records as the maps (at least {@value #MERGE_MIN}),
 * the writer merges it into the maps in key order and empties it. The registrar's memory is the truth while it runs
 * (the store is read only at activation), so nothing reads the queue or the log. Why: written straight into the maps,
 * refreshes spread over every leaf page, so each 500 ms commit wrote nearly every page of both maps again, and once
 * the maps outgrow MVStore's page cache each write read its page back from the file: half of a re-REGISTER's CPU
 * (docs/performance.md, "The store's log"). An append touches only the log's last page; a merge writes each page
 * once for as many changes as the maps hold records. A load and {@link #close()} (a bundle update, a stop) merge
 * first, so the maps alone are the state and a version before the log reads the file completely. A crash keeps the
 * log; the next load merges it (a merge is idempotent: the newest record per key wins, and the log is emptied only
 * after the merged maps are committed). The price of the queue: a crash loses the refreshes of the last
 * {@value #WRITE_DELAY_MS} ms on top of MVStore's {@value #COMMIT_DELAY_MS} ms: their bindings come back with the
 * expiry of the refresh before.
 */
final class RegistrarStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrarStore.class);
    static final int COMMIT_DELAY_MS = 500;
    static final int WRITE_DELAY_MS = 500;
    /** The fewest log records worth a merge (a small store would otherwise merge at every pass). */
    static final int MERGE_MIN = 20_000;
    /** The kinds of a log record: the map it belongs to. */
    private static final byte BINDING = 0, DEVICE = 1, SDP = 2, REMOVAL = 0x40;
    private static final int FORMAT = 1;

    /** A device as stored; {@code owner} is who it belongs to, {@code null} once the operator released it. */
    record StoredDevice(String uuid, String aor, String contactUri, String transport, InetSocketAddress source,
            String userAgent, boolean online, Instant firstSeen, Instant lastSeen, Instant expires,
            DeviceBook.Owner owner) {}

    /** A device read back with its SDP body ({@code null} when it registered none), to be parsed again. */
    record LoadedDevice(StoredDevice device, String sdp) {}

    private final MVStore store;
    private final MVMap<String, byte[]> bindings;
    private final MVMap<String, byte[]> devices;
    /**
     * The SDP body of each device, by UUID: written when the device's capabilities change, not with each refresh of
     * its record, and not kept in memory (the registrar holds the parsed capabilities; issue 15, heap per device).
     */
    private final MVMap<String, byte[]> sdp;
    /**
     * Changes not merged into the maps yet, one entry per pass of the writer, in order: the pass's records (kind, key,
     * value) in one array. One array per pass rather than one per record: the log lives for seconds, and a few large
     * arrays cost the young collections nothing, where a record each were copied by every one of them.
     */
    private final MVMap<Long, byte[]> log;
    private final int mergeMin;
    private final StoreStatus status;
    /** Writes not applied yet, newest per key; {@link #removed} stands for a removal. */
    private final ConcurrentHashMap<String, byte[]> pendingBindings = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, byte[]> pendingDevices = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, byte[]> pendingSdp = new ConcurrentHashMap<>();
    private final byte[] removed = new byte[0];
    private final ScheduledExecutorService writer;
    private long nextSequence;
    /** Records in the log (a load merges what a crash left, so this starts at 0). */
    private long logged;
    private boolean writeFailed;

    RegistrarStore(Path file) {
        this(file, MERGE_MIN);
    }

    /** With another smallest merge (tests). */
    RegistrarStore(Path file, int mergeMin) {
        this.mergeMin = mergeMin;
        StoreFile.Opened opened = StoreFile.open(file, LOG, "bindings", "devices", "sdp", "log");
        this.store = opened.store();
        this.status = opened.status();
        store.setAutoCommitDelay(COMMIT_DELAY_MS);
        this.bindings = store.openMap("bindings");
        this.devices = store.openMap("devices");
        this.sdp = store.openMap("sdp");
        this.log = store.openMap("log");
        Long last = log.lastKey();
        this.nextSequence = last == null ? 0 : last + 1;
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-registrar-store");
            t.setDaemon(true);
            return t;
        });
        writer.scheduleWithFixedDelay(this::flush, WRITE_DELAY_MS, WRITE_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    /** Whether the file was opened, moved aside (the store started empty) or left alone (the store is in memory). */
    StoreStatus status() {
        return status;
    }

    static String key(Binding b) {
        return b.addressOfRecord() + '\n' + b.contactUri();
    }

    void put(Binding b) {
        pendingBindings.put(key(b), encode(b));
    }

    void remove(Binding b) {
        pendingBindings.put(key(b), removed);
    }

    void put(StoredDevice d) {
        pendingDevices.put(d.uuid(), encode(d));
    }

    /** The device's SDP body, the one its capabilities were parsed from. */
    void putSdp(String uuid, String body) {
        pendingSdp.put(uuid, body.getBytes(StandardCharsets.UTF_8));
    }

    void removeDevice(String uuid) {
        pendingDevices.put(uuid, removed);
        pendingSdp.put(uuid, removed);
    }

    /** Writes not applied to the maps yet (tests). */
    int pending() {
        return pendingBindings.size() + pendingDevices.size() + pendingSdp.size();
    }

    /** Records in the log, not merged into the maps yet. */
    synchronized long logged() {
        return logged;
    }

    /** Appends the queued writes to the log, and merges the log once it is as big as the maps (the writer's pass). */
    synchronized void flush() {
        write(false);
    }

    /** Appends the queued writes and merges the whole log into the maps (a load, a close). */
    synchronized void flushAndMerge() {
        write(true);
    }

    private void write(boolean merge) {
        try {
            ByteArrayOutputStream batch = new ByteArrayOutputStream(4096);
            DataOutputStream out = new DataOutputStream(batch);
            int records = append(pendingBindings, BINDING, out) + append(pendingDevices, DEVICE, out) + append(pendingSdp, SDP, out);
            if (records > 0) {
                log.put(nextSequence++, batch.toByteArray());
                logged += records;
            }
            if (merge || logged >= Math.max(mergeMin, bindings.sizeAsLong() + devices.sizeAsLong())) merge();
            writeFailed = false;
        } catch (IOException | RuntimeException e) {
            // a store that failed (its file gone, the disk full): said once, and the writer goes on with later writes
            if (!writeFailed) LOG.error("registrar store {}: writing failed, bindings stay in memory only: {}", status.file(), e.toString());
            writeFailed = true;
        }
    }

    /**
     * The queued writes of one map as log records: its kind ({@link #REMOVAL} added for a removal), its key, its value.
     */
    private int append(ConcurrentHashMap<String, byte[]> pending, byte kind, DataOutputStream out) throws IOException {
        int records = 0;
        for (String key : pending.keySet()) {
            byte[] value = pending.remove(key); // a write that comes meanwhile stays queued for the next pass
            if (value == null) continue;
            out.writeByte(value == removed ? kind | REMOVAL : kind);
            out.writeUTF(key);
            out.writeInt(value.length);
            out.write(value);
            records++;
        }
        return records;
    }

    /**
     * The log's newest record per key into the maps, in each map's key order (neighbouring keys share a leaf page, so
     * each page is read and written once), then the maps committed, and only then the log emptied: a crash at any
     * point leaves maps and log that a merge turns into the same state.
     */
    private void merge() throws IOException {
        if (!log.isEmpty()) {
            List<TreeMap<String, byte[]>> newest = List.of(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
            for (byte[] batch : log.values()) {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(batch));
                while (in.available() > 0) {
                    int kind = in.readByte();
                    String key = in.readUTF();
                    byte[] value = in.readNBytes(in.readInt());
                    newest.get(kind & ~REMOVAL).put(key, (kind & REMOVAL) != 0 ? removed : value);
                }
            }
            apply(newest.get(BINDING), bindings);
            apply(newest.get(DEVICE), devices);
            apply(newest.get(SDP), sdp);
            store.commit();
            log.clear();
        }
        logged = 0;
    }

    private void apply(TreeMap<String, byte[]> newest, MVMap<String, byte[]> map) {
        newest.forEach((key, value) -> {
            if (value == removed) {
                map.remove(key);
            } else {
                map.put(key, value);
            }
        });
    }

    List<Binding> loadBindings() {
        flushAndMerge();
        List<Binding> out = new ArrayList<>(bindings.size());
        bindings.forEach((k, v) -> {
            try {
                out.add(decodeBinding(v));
            } catch (IOException | RuntimeException e) {
                LOG.warn("skipping an unreadable stored binding {}: {}", k.replace('\n', ' '), e.toString());
            }
        });
        return out;
    }

    /**
     * The stored devices with their SDP. A record written before the SDP had its own map carries it inline: it is
     * queued for that map, since the device's next record is written without it.
     */
    List<LoadedDevice> loadDevices() {
        flushAndMerge();
        List<LoadedDevice> out = new ArrayList<>(devices.size());
        devices.forEach((k, v) -> {
            try {
                LoadedDevice read = decodeDevice(v);
                if (read.sdp() != null) {
                    // only a version before the map writes it inline, so it is newer than what the map may hold
                    pendingSdp.put(k, read.sdp().getBytes(StandardCharsets.UTF_8));
                    out.add(read);
                } else {
                    byte[] body = sdp.get(k);
                    out.add(new LoadedDevice(read.device(), body == null ? null : new String(body, StandardCharsets.UTF_8)));
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("skipping an unreadable stored device {}: {}", k, e.toString());
            }
        });
        return out;
    }

    @Override
    public void close() {
        // not shutdownNow: an interrupt inside MVStore's file I/O closes its channel and breaks the store
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) LOG.warn("registrar store writer did not stop within 5 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushAndMerge();
        store.close();
    }

    // --- encoding: a version byte, then fields in order; null strings as a flag

    private static byte[] encode(Binding b) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(b.addressOfRecord());
            out.writeUTF(b.contactUri());
            out.writeUTF(b.contactHeader());
            out.writeUTF(b.transport());
            writeAddress(out, b.source());
            out.writeLong(b.expires().toEpochMilli());
            out.writeFloat(b.q());
            out.writeUTF(b.callId());
            out.writeLong(b.cseq());
            out.writeInt(b.path().size());
            for (String p : b.path()) out.writeUTF(p);
            out.writeLong(b.registeredAt().toEpochMilli());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Binding decodeBinding(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        checkFormat(in);
        String aor = in.readUTF();
        String contactUri = in.readUTF();
        String contactHeader = in.readUTF();
        String transport = in.readUTF();
        InetSocketAddress source = readAddress(in);
        Instant expires = Instant.ofEpochMilli(in.readLong());
        float q = in.readFloat();
        String callId = in.readUTF();
        long cseq = in.readLong();
        int paths = in.readInt();
        List<String> path = new ArrayList<>(paths);
        for (int i = 0; i < paths; i++) path.add(in.readUTF());
        Instant registeredAt = Instant.ofEpochMilli(in.readLong());
        return new Binding(aor, contactUri, contactHeader, transport, source, expires, q, callId, cseq, path, registeredAt);
    }

    private static byte[] encode(StoredDevice d) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(d.uuid());
            writeNullable(out, d.aor());
            writeNullable(out, d.contactUri());
            writeNullable(out, d.transport());
            writeAddress(out, d.source());
            out.writeInt(-1); // where the SDP body was before it had its own map: a version before that reads "none"
            writeNullable(out, d.userAgent());
            out.writeBoolean(d.online());
            out.writeLong(d.firstSeen().toEpochMilli());
            out.writeLong(d.lastSeen().toEpochMilli());
            out.writeLong(d.expires().toEpochMilli());
            // added after format 1 was in use, at the end of the record: a reader that does not know it stops before
            // it (a downgrade keeps the devices), and a record written without it is owned by its AOR
            out.writeBoolean(d.owner() != null);
            if (d.owner() != null) {
                out.writeUTF(d.owner().aor());
                writeNullable(out, d.owner().user());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A device record, with the SDP body a record written before the SDP map carries inline. */
    private static LoadedDevice decodeDevice(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        checkFormat(in);
        String uuid = in.readUTF();
        String aor = readNullable(in);
        String contact = readNullable(in);
        String transport = readNullable(in);
        InetSocketAddress source = readAddress(in);
        int len = in.readInt();
        String sdp = null;
        if (len >= 0) {
            byte[] b = in.readNBytes(len);
            sdp = new String(b, StandardCharsets.UTF_8);
        }
        String userAgent = readNullable(in);
        boolean online = in.readBoolean();
        Instant firstSeen = Instant.ofEpochMilli(in.readLong());
        Instant lastSeen = Instant.ofEpochMilli(in.readLong());
        Instant expires = Instant.ofEpochMilli(in.readLong());
        DeviceBook.Owner owner;
        if (in.available() > 0) {
            owner = in.readBoolean() ? new DeviceBook.Owner(in.readUTF(), readNullable(in)) : null;
        } else {
            owner = aor == null ? null : new DeviceBook.Owner(aor, null); // stored before ownership: its AOR owns it
        }
        return new LoadedDevice(new StoredDevice(uuid, aor, contact, transport, source, userAgent, online, firstSeen, lastSeen, expires, owner), sdp);
    }

    private static void checkFormat(DataInputStream in) throws IOException {
        int format = in.readByte();
        if (format != FORMAT) throw new IOException("unknown record format " + format);
    }

    private static void writeAddress(DataOutputStream out, InetSocketAddress a) throws IOException {
        byte[] ip = a.getAddress().getAddress();
        out.writeByte(ip.length);
        out.write(ip);
        out.writeShort(a.getPort());
    }

    private static InetSocketAddress readAddress(DataInputStream in) throws IOException {
        byte[] ip = in.readNBytes(in.readByte());
        // an address from raw bytes: no name lookup
        return new InetSocketAddress(InetAddress.getByAddress(ip), in.readUnsignedShort());
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) out.writeUTF(s);
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
