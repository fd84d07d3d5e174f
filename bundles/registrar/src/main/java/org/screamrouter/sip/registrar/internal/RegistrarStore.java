package org.screamrouter.sip.registrar.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 */
final class RegistrarStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrarStore.class);
    static final int COMMIT_DELAY_MS = 500;
    private static final int FORMAT = 1;

    /**
     * A device as stored: the SDP body is kept as text and parsed again on load; {@code owner} is who it belongs to,
     * {@code null} once the operator released it.
     */
    record StoredDevice(String uuid, String aor, String contactUri, String transport, InetSocketAddress source,
            String sdp, String userAgent, boolean online, Instant firstSeen, Instant lastSeen, Instant expires,
            DeviceBook.Owner owner) {}

    private final MVStore store;
    private final MVMap<String, byte[]> bindings;
    private final MVMap<String, byte[]> devices;
    private final StoreStatus status;

    RegistrarStore(Path file) {
        StoreFile.Opened opened = StoreFile.open(file, LOG, "bindings", "devices");
        this.store = opened.store();
        this.status = opened.status();
        store.setAutoCommitDelay(COMMIT_DELAY_MS);
        this.bindings = store.openMap("bindings");
        this.devices = store.openMap("devices");
    }

    /** Whether the file was opened, moved aside (the store started empty) or left alone (the store is in memory). */
    StoreStatus status() {
        return status;
    }

    static String key(Binding b) {
        return b.addressOfRecord() + '\n' + b.contactUri();
    }

    void put(Binding b) {
        bindings.put(key(b), encode(b));
    }

    void remove(Binding b) {
        bindings.remove(key(b));
    }

    void put(StoredDevice d) {
        devices.put(d.uuid(), encode(d));
    }

    void removeDevice(String uuid) {
        devices.remove(uuid);
    }

    List<Binding> loadBindings() {
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

    List<StoredDevice> loadDevices() {
        List<StoredDevice> out = new ArrayList<>(devices.size());
        devices.forEach((k, v) -> {
            try {
                out.add(decodeDevice(v));
            } catch (IOException | RuntimeException e) {
                LOG.warn("skipping an unreadable stored device {}: {}", k, e.toString());
            }
        });
        return out;
    }

    @Override
    public void close() {
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
            byte[] sdp = d.sdp() == null ? null : d.sdp().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(sdp == null ? -1 : sdp.length);
            if (sdp != null) out.write(sdp);
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

    private static StoredDevice decodeDevice(byte[] data) throws IOException {
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
            sdp = new String(b, java.nio.charset.StandardCharsets.UTF_8);
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
        return new StoredDevice(uuid, aor, contact, transport, source, sdp, userAgent, online, firstSeen, lastSeen, expires, owner);
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
