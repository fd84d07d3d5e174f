package org.screamrouter.sip.mdns.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import javax.jmdns.impl.DNSOutgoing;
import javax.jmdns.impl.DNSRecord;
import javax.jmdns.impl.JmDNSImpl;
import javax.jmdns.impl.ServiceInfoImpl;
import javax.jmdns.impl.constants.DNSConstants;
import javax.jmdns.impl.constants.DNSRecordClass;
import org.screamrouter.sip.mdns.MdnsAnnouncement;
import org.screamrouter.sip.mdns.internal.InterfaceSelection.LinkAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One multicast DNS responder (RFC 6762) on one interface address, and the service instances it announces.
 *
 * <p>Confined to the publisher's executor: JmDNS blocks while it sends goodbyes, so it is never driven from a DS
 * callback thread. JmDNS probes and announces with its own timings, changes at once ({@link PromptUpdateTaskStarter}). A new port or TXT
 * record of an instance is changed in place and announced at once with the cache-flush bit (sections 8.4 and 10.2):
 * no goodbye, no new probe, the same name. Any other change (an instance more or fewer, a new name) closes the
 * responder (goodbyes, section 10.1) and a fresh one probes and announces the new records (sections 8.1 and 8.3).
 */
final class LinkResponder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LinkResponder.class);

    private final LinkAddress link;
    private final JmDNSImpl jmdns;
    /** service type -> what is registered for it */
    private final Map<String, Registered> registered = new LinkedHashMap<>();

    /** @param announcedName the name last logged, to log a rename by conflict resolution once */
    private record Registered(ServiceInstance instance, ServiceInfo info, String announcedName) {}

    private LinkResponder(LinkAddress link, JmDNSImpl jmdns) {
        this.link = link;
        this.jmdns = jmdns;
    }

    /**
     * Opens a responder. {@code hostLabel} names the JmDNS instance and its host record ({@code hostLabel.local.});
     * giving it keeps JmDNS from asking the resolver for the machine's name.
     */
    static LinkResponder open(LinkAddress link, String hostLabel) throws IOException {
        PromptUpdateTaskStarter.install();
        JmDNS created = JmDNS.create(link.address(), hostLabel);
        if (!(created instanceof JmDNSImpl impl) || PromptUpdateTaskStarter.of(impl) == null) {
            created.close();
            throw new IOException("JmDNS " + JmDNS.VERSION + " is not the implementation this bundle embeds: "
                    + created.getClass().getName());
        }
        return new LinkResponder(link, impl);
    }

    LinkAddress link() {
        return link;
    }

    /**
     * Registers {@code instances}; called once, on a fresh responder. A changed instance is never re-registered on
     * the same JmDNS: its cache still holds the instance's old SRV record (our own announcement, looped back, which
     * a goodbye keeps for one more second) and probing would take it for a conflict and rename the router.
     */
    void announce(List<ServiceInstance> instances) throws IOException {
        for (ServiceInstance instance : instances) {
            ServiceInfo info = ServiceInfo.create(instance.type(), instance.name(), instance.port(), 0, 0, instance.txt());
            jmdns.registerService(info);
            Registered r = new Registered(instance, info, instance.name());
            registered.put(instance.type(), r);
            LOG.info("mDNS announces {} port {} on {} TXT {}", qualified(r), instance.port(), link, instance.txt());
        }
    }

    /** Whether this responder announces exactly {@code instances}. */
    boolean announces(List<ServiceInstance> instances) {
        return registered.values().stream().map(Registered::instance).toList().equals(instances);
    }

    /**
     * Whether {@link #update} can bring this responder to {@code instances}: the same service types with the same
     * names, in the same order; ports and TXT records may differ.
     */
    boolean canUpdateTo(List<ServiceInstance> instances) {
        List<ServiceInstance> now = registered.values().stream().map(Registered::instance).toList();
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
     * Changes the SRV port and TXT record of registered instances in place (see {@link #canUpdateTo}) and has JmDNS
     * announce them at once, twice a second apart, with the cache-flush bit, which replaces the old SRV and TXT in
     * every listener's cache (RFC 6762 sections 8.4 and 10.2). The instance keeps its name: nothing is probed again.
     * Returns whether anything changed.
     */
    boolean update(List<ServiceInstance> instances) {
        if (!canUpdateTo(instances)) {
            throw new IllegalArgumentException("not an in-place update of " + registered.keySet() + ": " + instances);
        }
        boolean changed = false;
        for (ServiceInstance instance : instances) {
            Registered r = registered.get(instance.type());
            if (r.instance().equals(instance)) {
                continue;
            }
            ServiceInfoImpl info = (ServiceInfoImpl) r.info();
            if (info.getPort() != instance.port()) {
                // JmDNS has no setter for the port: it takes it from an SRV record, as for a resolved service
                info.updateRecord(jmdns.getCache(), System.currentTimeMillis(), new DNSRecord.Service(info.getQualifiedName(),
                        DNSRecordClass.CLASS_IN, DNSRecordClass.UNIQUE, DNSConstants.DNS_TTL, info.getPriority(),
                        info.getWeight(), instance.port(), jmdns.getLocalHost().getName()));
                if (info.getPort() != instance.port()) {
                    throw new IllegalStateException("JmDNS did not take port " + instance.port() + " for " + info.getQualifiedName());
                }
            }
            // announced: JmDNS announces SRV and TXT at once, twice. Still announcing (the first second after the
            // probes): JmDNS's next announcement carries the new records, and one goes out now. Still probing: the
            // announcements that follow carry them.
            PromptUpdateTaskStarter.of(jmdns).announcingAtOnce(() -> info.setText(instance.txt()));
            if (info.isAnnouncing()) {
                announceNow(info);
            }
            registered.put(instance.type(), new Registered(instance, info, r.announcedName()));
            LOG.info("mDNS announces {} port {} on {} TXT {} (updated in place)", qualified(r), instance.port(), link, instance.txt());
            changed = true;
        }
        return changed;
    }

    /**
     * Logs instances that JmDNS renamed after a conflict with another host (RFC 6762 section 9); the new name is
     * accepted. Returns whether a name changed.
     */
    boolean noticeRenames() {
        boolean changed = false;
        for (Map.Entry<String, Registered> e : registered.entrySet()) {
            Registered r = e.getValue();
            String now = r.info().getName();
            if (!now.equals(r.announcedName())) {
                LOG.info("mDNS name conflict on {}: {} is now announced as '{}'", link, r.instance().type(), now);
                e.setValue(new Registered(r.instance(), r.info(), now));
                changed = true;
            }
        }
        return changed;
    }

    List<MdnsAnnouncement> announcements() {
        List<MdnsAnnouncement> out = new ArrayList<>();
        for (Registered r : registered.values()) {
            out.add(new MdnsAnnouncement(link.interfaceName(), link.address().getHostAddress(), r.instance().type(),
                    r.info().getName(), r.instance().port(), r.instance().txt()));
        }
        return out;
    }

    /** One unsolicited response with the instance's PTR, SRV and TXT records, SRV and TXT with the cache-flush bit. */
    private void announceNow(ServiceInfoImpl info) {
        try {
            DNSOutgoing out = new DNSOutgoing(DNSConstants.FLAGS_QR_RESPONSE | DNSConstants.FLAGS_AA);
            for (DNSRecord answer : info.answers(DNSRecordClass.CLASS_ANY, DNSRecordClass.UNIQUE, DNSConstants.DNS_TTL, jmdns.getLocalHost())) {
                out.addAnswer(null, answer);
            }
            jmdns.send(out);
        } catch (IOException e) {
            LOG.warn("mDNS: announcing {} on {} now failed ({}); JmDNS's next announcement carries it", info.getQualifiedName(), link, e.toString());
        }
    }

    /** Sends goodbyes for every instance and closes the socket; JmDNS's threads end before this returns. */
    @Override
    public void close() {
        try {
            jmdns.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the mDNS responder on {}: {}", link, e.toString());
        }
        if (!registered.isEmpty()) {
            registered.values().forEach(r -> LOG.info("mDNS withdrew {} on {}", qualified(r), link));
            registered.clear();
        }
    }

    private static String qualified(Registered r) {
        return "'" + r.info().getName() + "' " + r.instance().type();
    }
}
