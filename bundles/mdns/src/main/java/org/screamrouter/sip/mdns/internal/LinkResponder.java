package org.screamrouter.sip.mdns.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.screamrouter.sip.mdns.MdnsAnnouncement;
import org.screamrouter.sip.mdns.internal.DnsMessage.Name;
import org.screamrouter.sip.mdns.internal.DnsMessage.Question;
import org.screamrouter.sip.mdns.internal.DnsMessage.Record;
import org.screamrouter.sip.mdns.internal.InterfaceSelection.LinkAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One multicast DNS responder (RFC 6762) on one interface address: it claims the router's host name and service
 * instance names by probing, announces them, answers queries for them, defends them, and says goodbye.
 *
 * <p><b>Timings</b> are RFC 6762's: the first probe 0 to 250 ms after the router learnt what to announce ({@link #announce}), three probes 250 ms apart
 * (section 8.1), the first announcement 250 ms after the last probe, a second one a second later (section 8.3): the
 * router is announced 0.75 to 1 s after the stack is bound. A changed port or TXT record is announced at once and again
 * a second later, with the cache-flush bit (sections 8.4 and 10.2), under the same name.
 *
 * <p><b>Names.</b> A probe answered by another host with other data, or an announcement of another host's data under
 * a name being probed, is a conflict: the instance becomes {@code Name (2)} (the host {@code label-2}) and is probed
 * again (section 9). Two hosts probing at once settle by the tie-break of section 8.2; the loser probes again a second
 * later. An announced name is defended: a probe for it is answered at once. Another host's announcement of an
 * announced name with other data starts probing again under the same name (section 9), and whoever defended it keeps it.
 *
 * <p><b>Hostile link.</b> Only datagrams from an address on this interface's prefixes are read (section 11); a
 * response must come from port 5353; {@link DnsMessage#parse} refuses lies about sizes. A record is multicast at most
 * once a second (250 ms when defending a name against a probe, section 6), so queries cannot make the responder flood
 * the link, and answers go to the multicast group, never to an address taken from a packet, except a legacy query's
 * answer (source port other than 5353, section 6.7), which goes back to its on-link source, at most ten such answers a second. At most
 * {@link #QUEUE_LIMIT} datagrams wait for the worker; more are dropped. The unicast-response bit (section 5.4) is
 * not honoured: the answer is multicast, which every querier receives (a unicast answer to port 5353 reaches only one
 * of the sockets a host has on it, and a host may run several responders).
 *
 * <p><b>Threading.</b> One receiver thread reads and parses datagrams; everything else (state, sending, timers) runs on
 * one worker thread. The publisher calls {@link #announce}, {@link #update} and {@link #close} from its own executor.
 * {@link #close} sends the goodbyes and ends both threads before it returns.
 */
final class LinkResponder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LinkResponder.class);
    static final int MDNS_PORT = 5353;
    /** RFC 6762 section 10: records that name a host (SRV, A, AAAA) live 120 s, the others 75 minutes. */
    static final long HOST_TTL = 120;
    static final long OTHER_TTL = 4500;
    private static final Name SERVICES = Name.of("_services._dns-sd._udp.local");
    private static final long PROBE_INTERVAL_MS = 250;
    private static final long ANNOUNCE_INTERVAL_MS = 1000;
    private static final long LOST_TIE_BREAK_WAIT_MS = 1000;
    /** Section 8.1: after fifteen conflicts within ten seconds, wait five seconds before each further probe. */
    private static final int CONFLICTS_BEFORE_SLOWING = 15;
    private static final long CONFLICT_WINDOW_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long SLOW_PROBE_MS = 5000;
    private static final long MULTICAST_GAP_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long DEFENCE_GAP_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final int QUEUE_LIMIT = 256;
    /** Legacy answers go to a source from a packet (on-link only): at most this many a second, all sources together. */
    private static final int LEGACY_ANSWERS_PER_SECOND = 10;
    private static final int RECENTLY_SENT = 32;
    private static final Pattern NUMBERED = Pattern.compile("^(.*) \\((\\d+)\\)$");

    private final LinkAddress link;
    private final MulticastSocket socket;
    private final InetSocketAddress group;
    private final List<java.net.InterfaceAddress> prefixes;
    /**
     * This machine's addresses, read when a host record under our host name first arrives: another responder of ours
     * may announce the same host name on another interface. Worker only.
     */
    private Set<InetAddress> ownAddresses;
    private final ScheduledThreadPoolExecutor worker;
    private final Thread receiver;
    private final AtomicInteger queued = new AtomicInteger();

    // written by the caller's thread (the publisher's executor); the names map also by the worker on a rename
    private volatile List<ServiceInstance> requested = List.of();
    private volatile Map<String, String> names = Map.of();
    private Map<String, String> namesSeen = Map.of();

    // confined to the worker
    private final List<Owned> owned = new ArrayList<>();
    private Name hostName;
    private final String hostLabel;
    private int hostNumber = 1;
    private boolean announced;
    /** Bumped to cancel the probe and announcement steps already scheduled. */
    private int generation;
    private final ArrayDeque<Long> conflictTimes = new ArrayDeque<>();
    private final Map<Record, Long> lastMulticast = new HashMap<>();
    private final ArrayDeque<byte[]> recentlySent = new ArrayDeque<>();
    private long legacySecond;
    private int legacyAnswers;

    /** A service instance this responder claims, under the name it holds now. */
    private static final class Owned {
        ServiceInstance instance;
        String name;

        Owned(ServiceInstance instance) {
            this.instance = instance;
            this.name = instance.name();
        }

        Name type() {
            return Name.of(instance.type());
        }

        Name full() {
            return type().prefixed(name);
        }
    }

    private LinkResponder(LinkAddress link, String hostLabel, MulticastSocket socket, InetSocketAddress group,
                          List<java.net.InterfaceAddress> prefixes) {
        this.link = link;
        this.hostLabel = hostLabel;
        this.hostName = new Name(List.of(hostLabel, "local"));
        this.socket = socket;
        this.group = group;
        this.prefixes = prefixes;
        String thread = "sip-mdns-" + hostLabel + "-" + link;
        this.worker = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, thread);
            t.setDaemon(true);
            return t;
        });
        worker.setRemoveOnCancelPolicy(true);
        this.receiver = new Thread(this::receive, thread + "-receiver");
        receiver.setDaemon(true);
    }

    /**
     * Opens a responder on {@code link}: a socket on port 5353 that joined the mDNS group on the link's interface.
     * {@code hostLabel} names the host record ({@code hostLabel.local.}).
     */
    static LinkResponder open(LinkAddress link, String hostLabel) throws IOException {
        NetworkInterface nif = NetworkInterface.getByInetAddress(link.address());
        if (nif == null) {
            throw new SocketException("no network interface has the address " + link.address().getHostAddress());
        }
        boolean v6 = link.address() instanceof Inet6Address;
        InetAddress groupAddress = v6 ? Inet6Address.getByAddress(null, new byte[] {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xfb}, nif)
                : InetAddress.getByAddress(new byte[] {(byte) 224, 0, 0, (byte) 251});
        InetSocketAddress group = new InetSocketAddress(groupAddress, MDNS_PORT);
        MulticastSocket socket = new MulticastSocket(null);
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(MDNS_PORT));
            socket.setNetworkInterface(nif);
            socket.setTimeToLive(255); // section 11: receivers may check for 255
            socket.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true); // other responders on this host hear us
            socket.joinGroup(group, nif);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        LinkResponder responder = new LinkResponder(link, hostLabel, socket, group, List.copyOf(nif.getInterfaceAddresses()));
        responder.receiver.start();
        return responder;
    }

    /**
     * Claims and announces {@code instances}; called once, on a fresh responder. The first probe goes a random 0 to
     * 250 ms (RFC 6762 section 8.1) after {@code readySince} (System.nanoTime), when the router learnt what to announce:
     * opening the responder, tens of milliseconds in a JVM just started, is done within that delay, not before it.
     */
    void announce(List<ServiceInstance> instances, long readySince) {
        if (!requested.isEmpty()) {
            throw new IllegalStateException("the responder on " + link + " already announces " + requested);
        }
        Map<String, String> named = new LinkedHashMap<>();
        List<Owned> claimed = new ArrayList<>();
        for (ServiceInstance instance : instances) {
            DnsMessage.nameBytes(Name.of(instance.type()).prefixed(instance.name())); // refuses a name DNS cannot carry
            DnsMessage.txt(Name.of(instance.type()), instance.txt(), OTHER_TTL);      // and a TXT entry too long
            claimed.add(new Owned(instance));
            named.put(instance.type(), instance.name());
            LOG.info("mDNS announces '{}' {} port {} on {} TXT {}", instance.name(), instance.type(), instance.port(), link, instance.txt());
        }
        requested = List.copyOf(instances);
        names = Map.copyOf(named);
        namesSeen = names;
        long spentMs = (System.nanoTime() - readySince) / 1_000_000;
        long delayMs = Math.max(0, ThreadLocalRandom.current().nextLong(PROBE_INTERVAL_MS + 1) - spentMs);
        onWorker(() -> {
            owned.addAll(claimed);
            startProbing(delayMs);
        });
    }

    /** Whether this responder announces exactly {@code instances}. */
    boolean announces(List<ServiceInstance> instances) {
        return requested.equals(instances);
    }

    /**
     * Whether {@link #update} can bring this responder to {@code instances}: the same service types with the same
     * names, in the same order; ports and TXT records may differ.
     */
    boolean canUpdateTo(List<ServiceInstance> instances) {
        List<ServiceInstance> now = requested;
        if (now.size() != instances.size()) {
            return false;
        }
        for (int i = 0; i < now.size(); i++) {
            if (!now.get(i).type().equals(instances.get(i).type()) || !now.get(i).name().equals(instances.get(i).name())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Changes the SRV port and TXT record of the instances in place (see {@link #canUpdateTo}). Announced: the new
     * records go out at once and again a second later, with the cache-flush bit, which replaces the old ones in every
     * cache (RFC 6762 sections 8.4 and 10.2). Still probing: the announcement to come carries them. The names stay.
     * Returns whether anything changed.
     */
    boolean update(List<ServiceInstance> instances) {
        if (!canUpdateTo(instances)) {
            throw new IllegalArgumentException("not an in-place update of " + requested + ": " + instances);
        }
        if (requested.equals(instances)) {
            return false;
        }
        for (ServiceInstance instance : instances) {
            DnsMessage.txt(Name.of(instance.type()), instance.txt(), OTHER_TTL);
        }
        for (int i = 0; i < instances.size(); i++) {
            ServiceInstance instance = instances.get(i);
            if (!instance.equals(requested.get(i))) {
                LOG.info("mDNS announces '{}' {} port {} on {} TXT {} (updated in place)", names.get(instance.type()),
                        instance.type(), instance.port(), link, instance.txt());
            }
        }
        requested = List.copyOf(instances);
        onWorker(() -> {
            for (Owned o : owned) {
                for (ServiceInstance instance : instances) {
                    if (instance.type().equals(o.instance.type())) {
                        o.instance = instance;
                    }
                }
            }
            if (announced) {
                int g = generation;
                multicast(announcement(HOST_TTL, OTHER_TTL));
                worker.schedule(() -> repeatAnnouncement(g), ANNOUNCE_INTERVAL_MS, TimeUnit.MILLISECONDS);
            }
        });
        return true;
    }

    /** Whether a name changed by a conflict since the last call (the worker logs each rename when it makes it). */
    boolean noticeRenames() {
        Map<String, String> now = names;
        boolean changed = !now.equals(namesSeen);
        namesSeen = now;
        return changed;
    }

    List<MdnsAnnouncement> announcements() {
        Map<String, String> current = names;
        List<MdnsAnnouncement> out = new ArrayList<>();
        for (ServiceInstance instance : requested) {
            out.add(new MdnsAnnouncement(link.interfaceName(), link.address().getHostAddress(), instance.type(),
                    current.getOrDefault(instance.type(), instance.name()), instance.port(), instance.txt()));
        }
        return out;
    }

    /** Sends the goodbyes (RFC 6762 section 10.1) and closes; both threads have ended when this returns. */
    @Override
    public void close() {
        try {
            worker.submit(this::goodbye).get(2, TimeUnit.SECONDS);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
            LOG.warn("mDNS goodbye on {} failed: {}", link, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.shutdownNow();
        socket.close();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
            receiver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        requested.forEach(i -> LOG.info("mDNS withdrew '{}' {} on {}", names.get(i.type()), i.type(), link));
    }

    // ---- the worker

    private void onWorker(Runnable task) {
        try {
            worker.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("mDNS responder on {}: {}", link, e.toString(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("mDNS responder on {} is closing; dropped a task", link);
        }
    }

    private void startProbing(long delayMs) {
        int g = ++generation;
        announced = false;
        worker.schedule(() -> probe(g, 1), delayMs, TimeUnit.MILLISECONDS);
    }

    /** Probe {@code n} of three (section 8.1): a question for each name claimed, the records proposed as authority. */
    private void probe(int g, int n) {
        if (g != generation) {
            return;
        }
        List<Question> questions = new ArrayList<>();
        for (Owned o : owned) {
            questions.add(new Question(o.full(), DnsMessage.TYPE_ANY, DnsMessage.CLASS_IN, false));
        }
        questions.add(new Question(hostName, DnsMessage.TYPE_ANY, DnsMessage.CLASS_IN, false));
        List<Record> proposed = new ArrayList<>(proposedUnique());
        multicast(new DnsMessage(0, 0, questions, List.of(), proposed, List.of()));
        if (n < 3) {
            worker.schedule(() -> probe(g, n + 1), PROBE_INTERVAL_MS, TimeUnit.MILLISECONDS);
        } else {
            worker.schedule(() -> firstAnnouncement(g), PROBE_INTERVAL_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void firstAnnouncement(int g) {
        if (g != generation) {
            return;
        }
        announced = true;
        multicast(announcement(HOST_TTL, OTHER_TTL));
        LOG.info("mDNS on {}: {} probed and announced", link, names.values());
        worker.schedule(() -> repeatAnnouncement(g), ANNOUNCE_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    private void repeatAnnouncement(int g) {
        if (g == generation && announced) {
            multicast(announcement(HOST_TTL, OTHER_TTL));
        }
    }

    private void goodbye() {
        generation++;
        if (announced) {
            announced = false;
            multicast(announcement(0, 0));
        }
    }

    /** Every record this responder holds, with the TTLs given (0 for goodbyes). */
    private DnsMessage announcement(long hostTtl, long otherTtl) {
        List<Record> records = new ArrayList<>();
        for (Record r : ownRecords()) {
            records.add(r.withTtl(r.type() == DnsMessage.TYPE_SRV || isAddress(r) ? hostTtl : otherTtl, r.cacheFlush()));
        }
        return response(0, List.of(), records, List.of());
    }

    private List<Record> ownRecords() {
        Set<Record> out = new LinkedHashSet<>();
        for (Owned o : owned) {
            Name type = o.type();
            Name full = o.full();
            out.add(DnsMessage.ptr(type, full, OTHER_TTL));
            out.add(DnsMessage.srv(full, o.instance.port(), hostName, HOST_TTL));
            out.add(DnsMessage.txt(full, o.instance.txt(), OTHER_TTL));
            out.add(DnsMessage.ptr(SERVICES, type, OTHER_TTL));
        }
        out.add(DnsMessage.address(hostName, link.address(), HOST_TTL));
        return new ArrayList<>(out);
    }

    /** The unique records a probe proposes (no cache-flush bit in a probe's authority section). */
    private List<Record> proposedUnique() {
        return ownRecords().stream().filter(r -> r.type() != DnsMessage.TYPE_PTR).map(r -> r.withTtl(r.ttl(), false)).toList();
    }

    private static boolean isAddress(Record r) {
        return r.type() == DnsMessage.TYPE_A || r.type() == DnsMessage.TYPE_AAAA;
    }

    private static DnsMessage response(int id, List<Question> questions, List<Record> answers, List<Record> additionals) {
        return new DnsMessage(id, DnsMessage.FLAG_RESPONSE | DnsMessage.FLAG_AUTHORITATIVE, questions, answers, List.of(), additionals);
    }

    private void multicast(DnsMessage message) {
        byte[] bytes = message.encode();
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, group));
        } catch (IOException e) {
            LOG.debug("mDNS send on {} failed: {}", link, e.toString());
            return;
        }
        recentlySent.addLast(bytes);
        if (recentlySent.size() > RECENTLY_SENT) {
            recentlySent.removeFirst();
        }
        long now = System.nanoTime();
        for (Record r : message.answers()) {
            lastMulticast.put(r.withTtl(0, false), now);
        }
    }

    /** A datagram from an on-link address, parsed; on the worker. */
    private void received(DnsMessage message, byte[] raw, InetSocketAddress from) {
        if (owned.isEmpty()) {
            return; // nothing claimed yet
        }
        for (byte[] sent : recentlySent) {
            if (Arrays.equals(sent, raw)) {
                return; // our own, looped back
            }
        }
        if (message.isResponse()) {
            if (from.getPort() != MDNS_PORT) {
                return; // section 11: a response from another port is not mDNS
            }
            for (Record r : message.answers()) {
                conflict(r);
            }
            for (Record r : message.additionals()) {
                conflict(r);
            }
        } else if (announced) {
            answer(message, from);
        } else {
            tieBreak(message);
        }
    }

    /** Section 9: another host's record under a name claimed here, with other data. */
    private void conflict(Record theirs) {
        if (theirs.ttl() == 0) {
            return; // a goodbye claims nothing
        }
        if (theirs.name().equals(hostName) && isAddress(theirs)) {
            try {
                if (ownAddresses().contains(InetAddress.getByAddress(theirs.data()))) {
                    return; // this machine, through another responder of ours or another interface
                }
            } catch (java.net.UnknownHostException e) {
                return; // not an address
            }
            noteConflict();
            if (!announced) {
                hostName = new Name(List.of(hostLabel + "-" + (++hostNumber), "local"));
                LOG.info("mDNS name conflict on {}: another host holds {}; the host is now {}", link, theirs.name(), hostName);
                startProbing(probeDelayAfterConflict());
            } else {
                LOG.info("mDNS on {}: another host announces {}; probing it again", link, hostName);
                startProbing(probeDelayAfterConflict());
            }
            return;
        }
        for (Owned o : owned) {
            if (!theirs.name().equals(o.full()) || (theirs.type() != DnsMessage.TYPE_SRV && theirs.type() != DnsMessage.TYPE_TXT)) {
                continue;
            }
            boolean same = ownRecords().stream().anyMatch(r -> r.type() == theirs.type() && r.name().equals(theirs.name())
                    && Arrays.equals(r.data(), theirs.data()));
            if (same) {
                continue;
            }
            noteConflict();
            if (!announced) {
                String old = o.name;
                o.name = nextName(o.name);
                Map<String, String> named = new LinkedHashMap<>(names);
                named.put(o.instance.type(), o.name);
                names = Map.copyOf(named);
                LOG.info("mDNS name conflict on {}: another host holds '{}' {}; announcing '{}' instead", link, old,
                        o.instance.type(), o.name);
            } else {
                LOG.info("mDNS on {}: another host announces '{}' {}; probing it again", link, o.name, o.instance.type());
            }
            startProbing(probeDelayAfterConflict());
            return;
        }
    }

    private Set<InetAddress> ownAddresses() {
        if (ownAddresses == null) {
            Set<InetAddress> own = new java.util.HashSet<>();
            try {
                for (NetworkInterface each : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    own.addAll(java.util.Collections.list(each.getInetAddresses()));
                }
            } catch (SocketException e) {
                own.add(link.address());
            }
            ownAddresses = Set.copyOf(own);
        }
        return ownAddresses;
    }

    /** Section 8.2: a probe from another host for a name probed here; the lexicographically later data wins. */
    private void tieBreak(DnsMessage query) {
        if (query.authorities().isEmpty()) {
            return;
        }
        List<Record> ours = proposedUnique();
        Set<Name> probed = new LinkedHashSet<>();
        ours.forEach(r -> probed.add(r.name()));
        for (Name name : probed) {
            List<Record> theirs = query.authorities().stream().filter(r -> r.name().equals(name)).toList();
            if (theirs.isEmpty()) {
                continue;
            }
            int c = compare(ours.stream().filter(r -> r.name().equals(name)).toList(), theirs);
            if (c < 0) {
                LOG.debug("mDNS on {}: lost the tie-break for {}; probing again in a second", link, name);
                startProbing(LOST_TIE_BREAK_WAIT_MS);
                return;
            }
        }
    }

    private static final Comparator<Record> CANONICAL = Comparator.comparingInt(Record::dnsClass)
            .thenComparingInt(Record::type).thenComparing(Record::data, Arrays::compareUnsigned);

    static int compare(List<Record> ours, List<Record> theirs) {
        List<Record> a = ours.stream().sorted(CANONICAL).toList();
        List<Record> b = theirs.stream().sorted(CANONICAL).toList();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = CANONICAL.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private void noteConflict() {
        long now = System.nanoTime();
        conflictTimes.addLast(now);
        while (!conflictTimes.isEmpty() && now - conflictTimes.peekFirst() > CONFLICT_WINDOW_NS) {
            conflictTimes.removeFirst();
        }
    }

    private long probeDelayAfterConflict() {
        return conflictTimes.size() >= CONFLICTS_BEFORE_SLOWING ? SLOW_PROBE_MS : ThreadLocalRandom.current().nextLong(PROBE_INTERVAL_MS + 1);
    }

    /** {@code Name} becomes {@code Name (2)}, {@code Name (2)} becomes {@code Name (3)}. */
    static String nextName(String name) {
        Matcher m = NUMBERED.matcher(name);
        if (m.matches() && m.group(2).length() < 9) {
            return m.group(1) + " (" + (Integer.parseInt(m.group(2)) + 1) + ")";
        }
        return name + " (2)";
    }

    /** Answers a query for records held here (section 6); only once announced. */
    private void answer(DnsMessage query, InetSocketAddress from) {
        List<Record> all = ownRecords();
        Set<Record> answers = new LinkedHashSet<>();
        for (Question q : query.questions()) {
            for (Record r : all) {
                if (q.answeredBy(r)) {
                    answers.add(r);
                }
            }
        }
        // known-answer suppression (section 7.1): the querier holds it with at least half its lifetime left
        answers.removeIf(r -> query.answers().stream().anyMatch(k -> k.sameRecordAs(r) && k.ttl() >= r.ttl() / 2));
        if (answers.isEmpty()) {
            return;
        }
        Set<Record> additionals = new LinkedHashSet<>();
        for (Record r : answers) {
            for (Owned o : owned) {
                Name full = o.full();
                boolean pointsHere = r.type() == DnsMessage.TYPE_PTR && Arrays.equals(r.data(), DnsMessage.nameBytes(full));
                if (pointsHere || (r.type() == DnsMessage.TYPE_SRV && r.name().equals(full))) {
                    all.stream().filter(x -> x.name().equals(full) || (isAddress(x) && x.name().equals(hostName))).forEach(additionals::add);
                }
            }
        }
        additionals.removeAll(answers);
        additionals.removeIf(r -> r.type() == DnsMessage.TYPE_PTR);
        if (from.getPort() != MDNS_PORT) {
            legacyAnswer(query, from, answers, additionals);
            return;
        }
        boolean probe = !query.authorities().isEmpty();
        long now = System.nanoTime();
        long gap = probe ? DEFENCE_GAP_NS : MULTICAST_GAP_NS;
        answers.removeIf(r -> {
            Long last = lastMulticast.get(r.withTtl(0, false));
            return last != null && now - last < gap;
        });
        if (answers.isEmpty()) {
            return;
        }
        DnsMessage response = response(0, List.of(), List.copyOf(answers), List.copyOf(additionals));
        boolean shared = answers.stream().anyMatch(r -> r.type() == DnsMessage.TYPE_PTR);
        if (shared && !probe) {
            // section 6: an answer with shared records waits 20 to 120 ms, so that several responders do not collide
            worker.schedule(() -> multicast(response), 20 + ThreadLocalRandom.current().nextLong(101), TimeUnit.MILLISECONDS);
        } else {
            multicast(response); // unique records and the defence of a name: at once
        }
    }

    /** Section 6.7: a one-shot query from another port gets a unicast answer with its ID and question, TTLs <= 10 s. */
    private void legacyAnswer(DnsMessage query, InetSocketAddress from, Set<Record> answers, Set<Record> additionals) {
        long second = System.nanoTime() / 1_000_000_000L;
        if (second != legacySecond) {
            legacySecond = second;
            legacyAnswers = 0;
        }
        if (++legacyAnswers > LEGACY_ANSWERS_PER_SECOND) {
            return; // a source address can be forged: no more than this toward anyone
        }
        List<Record> a = answers.stream().map(r -> r.withTtl(Math.min(r.ttl(), 10), false)).toList();
        List<Record> b = additionals.stream().map(r -> r.withTtl(Math.min(r.ttl(), 10), false)).toList();
        byte[] bytes = response(query.id(), query.questions(), a, b).encode();
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, from));
        } catch (IOException e) {
            LOG.debug("mDNS legacy answer on {} to {} failed: {}", link, from, e.toString());
        }
    }

    // ---- the receiver

    private void receive() {
        byte[] buffer = new byte[DnsMessage.MAX_SIZE];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.debug("mDNS receive on {}: {}", link, e.toString());
                }
                continue;
            }
            InetSocketAddress from = (InetSocketAddress) packet.getSocketAddress();
            if (!onLink(from.getAddress())) {
                continue; // section 11: another link's traffic, or a spoofed source
            }
            byte[] raw = Arrays.copyOf(buffer, packet.getLength());
            DnsMessage message;
            try {
                message = DnsMessage.parse(raw, raw.length);
            } catch (DnsMessage.Malformed e) {
                LOG.debug("mDNS on {}: a malformed datagram from {} dropped: {}", link, from, e.getMessage());
                continue;
            }
            if (queued.incrementAndGet() > QUEUE_LIMIT) {
                queued.decrementAndGet();
                continue;
            }
            try {
                worker.execute(() -> {
                    queued.decrementAndGet();
                    try {
                        received(message, raw, from);
                    } catch (RuntimeException e) {
                        LOG.warn("mDNS responder on {}: a datagram from {}: {}", link, from, e.toString(), e);
                    }
                });
            } catch (RejectedExecutionException e) {
                return; // closing
            }
        }
    }

    /** Whether {@code source} is on one of this interface's prefixes (IPv6 link-local included for an IPv6 link). */
    boolean onLink(InetAddress source) {
        if (source instanceof Inet6Address v6 && v6.isLinkLocalAddress() && link.address() instanceof Inet6Address) {
            return true;
        }
        byte[] s = source.getAddress();
        for (java.net.InterfaceAddress prefix : prefixes) {
            byte[] p = prefix.getAddress().getAddress();
            if (p.length != s.length) {
                continue;
            }
            int bits = prefix.getNetworkPrefixLength();
            boolean match = true;
            for (int i = 0; i < p.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((p[i] & mask) != (s[i] & mask)) {
                    match = false;
                    break;
                }
            }
            if (match) {
                return true;
            }
        }
        return false;
    }
}
