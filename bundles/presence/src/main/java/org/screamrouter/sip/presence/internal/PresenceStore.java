package org.screamrouter.sip.presence.internal;

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
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.screamrouter.sip.registrar.StoreStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscriptions and publications on disk, so a hot swap of the presence bundle (or a restart) keeps every
 * dialog: an H2 MVStore file as the registrar's, committed in the background at most {@value #COMMIT_DELAY_MS}
 * ms behind, and on {@link #close()}. A file that cannot be opened does not stop the bundle ({@link StoreFile},
 * {@link #status()}).
 */
final class PresenceStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PresenceStore.class);
    static final int COMMIT_DELAY_MS = 200;
    private static final int FORMAT = 1;

    private final MVStore store;
    private final MVMap<String, byte[]> subscriptions;
    private final MVMap<String, byte[]> publications;
    private final StoreStatus status;

    PresenceStore(Path file) {
        StoreFile.Opened opened = StoreFile.open(file, LOG, "subscriptions", "publications");
        this.store = opened.store();
        this.status = opened.status();
        store.setAutoCommitDelay(COMMIT_DELAY_MS);
        this.subscriptions = store.openMap("subscriptions");
        this.publications = store.openMap("publications");
    }

    /** Whether the file was opened, moved aside (the store started empty) or left alone (the store is in memory). */
    StoreStatus status() {
        return status;
    }

    void put(Subscription s) {
        subscriptions.put(s.id(), encode(s));
    }

    void removeSubscription(String id) {
        subscriptions.remove(id);
    }

    void put(Publication p) {
        publications.put(p.entityTag(), encode(p));
    }

    void removePublication(String entityTag) {
        publications.remove(entityTag);
    }

    List<Subscription> loadSubscriptions() {
        List<Subscription> out = new ArrayList<>(subscriptions.size());
        subscriptions.forEach((k, v) -> {
            try {
                out.add(decodeSubscription(v));
            } catch (IOException | RuntimeException e) {
                LOG.warn("skipping an unreadable stored subscription {}: {}", k, e.toString());
            }
        });
        return out;
    }

    List<Publication> loadPublications() {
        List<Publication> out = new ArrayList<>(publications.size());
        publications.forEach((k, v) -> {
            try {
                out.add(decodePublication(v));
            } catch (IOException | RuntimeException e) {
                LOG.warn("skipping an unreadable stored publication {}: {}", k, e.toString());
            }
        });
        return out;
    }

    @Override
    public void close() {
        store.close();
    }

    // --- encoding: a format byte, then the fields in order

    static byte[] encode(Subscription s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(s.id());
            out.writeUTF(s.event());
            out.writeUTF(s.resource());
            out.writeUTF(s.localUri());
            out.writeUTF(s.watcherUri());
            out.writeUTF(s.callId());
            writeNullable(out, s.remoteTag());
            out.writeUTF(s.remoteTarget());
            out.writeInt(s.routeSet().size());
            for (String r : s.routeSet()) out.writeUTF(r);
            writeNullable(out, s.eventId());
            out.writeUTF(s.transport());
            byte[] ip = s.remote().getAddress().getAddress();
            out.writeByte(ip.length);
            out.write(ip);
            out.writeShort(s.remote().getPort());
            out.writeLong(s.expires().toEpochMilli());
            out.writeLong(s.cseq());
            out.writeLong(s.remoteCseq());
            out.writeUTF(s.lastState());
            out.writeLong(s.version());
            out.writeLong(s.notifiesSent());
            out.writeBoolean(s.terminating());
            out.writeBoolean(s.proven());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Subscription decodeSubscription(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        checkFormat(in);
        String id = in.readUTF();
        String event = in.readUTF();
        String resource = in.readUTF();
        String localUri = in.readUTF();
        String watcherUri = in.readUTF();
        String callId = in.readUTF();
        String remoteTag = readNullable(in);
        String remoteTarget = in.readUTF();
        int routes = in.readInt();
        List<String> routeSet = new ArrayList<>(routes);
        for (int i = 0; i < routes; i++) routeSet.add(in.readUTF());
        String eventId = readNullable(in);
        String transport = in.readUTF();
        byte[] ip = in.readNBytes(in.readByte());
        // from raw bytes: no name lookup
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByAddress(ip), in.readUnsignedShort());
        Instant expires = Instant.ofEpochMilli(in.readLong());
        long cseq = in.readLong();
        long remoteCseq = in.readLong();
        String lastState = in.readUTF();
        long version = in.readLong();
        long notifies = in.readLong();
        boolean terminating = in.readBoolean();
        // stored before the watcher's address had to be proven: it had been notified under the old rules
        boolean proven = in.available() > 0 ? in.readBoolean() : true;
        return new Subscription(id, event, resource, localUri, watcherUri, callId, remoteTag, remoteTarget, routeSet, eventId,
                transport, remote, expires, cseq, remoteCseq, lastState, version, notifies, terminating, proven);
    }

    static byte[] encode(Publication p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(p.entityTag());
            out.writeUTF(p.resource());
            byte[] body = p.body().getBytes(StandardCharsets.UTF_8);
            out.writeInt(body.length);
            out.write(body);
            writeNullable(out, p.basic());
            out.writeLong(p.expires().toEpochMilli());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Publication decodePublication(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        checkFormat(in);
        String tag = in.readUTF();
        String resource = in.readUTF();
        String body = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
        String basic = readNullable(in);
        return new Publication(tag, resource, body, basic, Instant.ofEpochMilli(in.readLong()));
    }

    private static void checkFormat(DataInputStream in) throws IOException {
        int format = in.readByte();
        if (format != FORMAT) throw new IOException("unknown record format " + format);
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) out.writeUTF(s);
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
