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
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
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
 * <p>Writes are queued and applied by a writer thread every {@value #WRITE_DELAY_MS} ms, newest per key, in key
 * order. The registrar's memory is the truth while it runs (the store is read only at activation), so nothing reads
 * the queue. Why: a refresh wrote its binding and device straight into the maps, and once the maps outgrow MVStore's
 * page cache (16 MB: about 20,000 ScreamRouter devices) each write read its leaf page back from the file; under sipp
 * that was a fifth of all CPU samples of re-REGISTER (docs/performance.md). In key order one pass reads each page
 * once, and a device refreshed twice in the interval is written once. The price: a crash (not a stop or a bundle
 * update, which write the queue first) loses the refreshes of the last {@value #WRITE_DELAY_MS} ms on top of
 * MVStore's {@value #COMMIT_DELAY_MS} ms: their bindings come back with the expiry of the refresh before.
 *
 * <p>Most refreshes are not even queued: {@link #refresh} leaves the stored record while it still stands for the one
 * in memory ({@link #standsFor}: only the expiry moved, within its half-interval slot).
 */
final class RegistrarStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrarStore.class);
    static final int COMMIT_DELAY_MS = 500;
    static final int WRITE_DELAY_MS = 500;
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
    private final StoreStatus status;
    /** Writes not applied yet, newest per key; {@link #removed} stands for a removal. */
    private final ConcurrentHashMap<String, byte[]> pendingBindings = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, byte[]> pendingDevices = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, byte[]> pendingSdp = new ConcurrentHashMap<>();
    private final byte[] removed = new byte[0];
    private final ScheduledExecutorService writer;
    private boolean writeFailed;

    RegistrarStore(Path file) {
        StoreFile.Opened opened = StoreFile.open(file, LOG, "bindings", "devices", "sdp");
        this.store = opened.store();
        this.status = opened.status();
        store.setAutoCommitDelay(COMMIT_DELAY_MS);
        this.bindings = store.openMap("bindings");
        this.devices = store.openMap("devices");
        this.sdp = store.openMap("sdp");
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

    /**
     * A REGISTER made {@code after} out of {@code before} (null: a new binding): queued, unless what the file holds for
     * {@code before} still stands for it ({@link #standsFor}). Returns whether it was queued.
     */
    boolean refresh(Binding before, Binding after) {
        if (standsFor(before, after)) return false;
        put(after);
        return true;
    }

    /**
     * Whether the stored record of {@code before} may stand for its refresh {@code after}, so that a refresh costs no
     * write (issue 15: the store's puts were half of a re-REGISTER's CPU). It may when the refresh changes only what a
     * refresh always changes (the expiry, the time, the CSeq and Call-ID) at the same interval, and its expiry stays in
     * the same half-interval slot as the one before. Every refresh that leaves its slot is written, so the stored
     * expiry is always in the slot of the binding in memory, less than half an interval behind it: after a restart or
     * a crash a binding comes back with at least half its interval left from its last refresh, so a device that
     * refreshes within half its interval never lapses, and one that refreshes later leaves its slot at every refresh
     * and is written each time. The slots start at an offset of each binding's own, so that bindings do not all leave
     * their slots at the same moment (docs/registrar-state.md).
     */
    static boolean standsFor(Binding before, Binding after) {
        if (before == null) return false;
        long expires = after.expires().toEpochMilli();
        long interval = expires - after.registeredAt().toEpochMilli();
        if (interval != before.expires().toEpochMilli() - before.registeredAt().toEpochMilli() || interval < 2) return false;
        if (!Objects.equals(before.addressOfRecord(), after.addressOfRecord()) || !Objects.equals(before.contactUri(), after.contactUri())
                || !Objects.equals(before.contactHeader(), after.contactHeader()) || !Objects.equals(before.transport(), after.transport())
                || !Objects.equals(before.source(), after.source()) || before.q() != after.q() || !before.path().equals(after.path())) {
            return false;
        }
        long slot = interval / 2;
        long offset = Math.floorMod(31L * after.addressOfRecord().hashCode() + after.contactUri().hashCode(), slot);
        return Math.floorDiv(before.expires().toEpochMilli() + offset, slot) == Math.floorDiv(expires + offset, slot);
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

    /** Applies the queued writes to the maps (the writer's pass; also before a load and at close). */
    synchronized void flush() {
        try {
            apply(pendingBindings, bindings);
            apply(pendingDevices, devices);
            apply(pendingSdp, sdp);
            writeFailed = false;
        } catch (RuntimeException e) {
            // a store that failed (its file gone, the disk full): said once, and the writer goes on with later writes
            if (!writeFailed) LOG.error("registrar store {}: writing failed, bindings stay in memory only: {}", status.file(), e.toString());
            writeFailed = true;
        }
    }

    private void apply(ConcurrentHashMap<String, byte[]> pending, MVMap<String, byte[]> map) {
        if (pending.isEmpty()) return;
        String[] keys = pending.keySet().toArray(new String[0]);
        // the maps' order: neighbouring keys share a leaf page, so a pass reads each page once
        Arrays.sort(keys);
        for (String key : keys) {
            byte[] value = pending.remove(key); // a write that comes meanwhile stays queued for the next pass
            if (value == null) continue;
            if (value == removed) {
                map.remove(key);
            } else {
                map.put(key, value);
            }
        }
    }

    List<Binding> loadBindings() {
        flush();
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
        flush();
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
        flush();
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
