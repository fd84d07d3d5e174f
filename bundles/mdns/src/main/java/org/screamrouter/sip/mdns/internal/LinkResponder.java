package org.screamrouter.sip.mdns.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import org.screamrouter.sip.mdns.MdnsAnnouncement;
import org.screamrouter.sip.mdns.internal.InterfaceSelection.LinkAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One multicast DNS responder (RFC 6762) on one interface address, and the service instances it announces.
 *
 * <p>Confined to the publisher's executor: JmDNS blocks while it sends probes and goodbyes, so it is never driven from
 * a DS callback thread. What a responder announces is fixed when it opens: a change closes it (goodbyes, RFC 6762
 * section 10.1) and a fresh one probes and announces the new records (sections 8.1 and 8.3).
 */
final class LinkResponder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LinkResponder.class);

    private final LinkAddress link;
    private final JmDNS jmdns;
    /** service type -> what is registered for it */
    private final Map<String, Registered> registered = new LinkedHashMap<>();

    /** @param announcedName the name last logged, to log a rename by conflict resolution once */
    private record Registered(ServiceInstance instance, ServiceInfo info, String announcedName) {}

    private LinkResponder(LinkAddress link, JmDNS jmdns) {
        this.link = link;
        this.jmdns = jmdns;
    }

    /**
     * Opens a responder. {@code hostLabel} names the JmDNS instance and its host record ({@code hostLabel.local.});
     * giving it keeps JmDNS from asking the resolver for the machine's name.
     */
    static LinkResponder open(LinkAddress link, String hostLabel) throws IOException {
        return new LinkResponder(link, JmDNS.create(link.address(), hostLabel));
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

    /** Sends goodbyes for every instance and closes the socket; JmDNS's threads end before this returns. */
    @Override
    public void close() {
        try {
            jmdns.close();
        } catch (IOException | RuntimeException e) {
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
