package org.screamrouter.sip.mdns.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceEvent;
import javax.jmdns.ServiceInfo;
import javax.jmdns.ServiceListener;

/** A DNS-SD browser on 127.0.0.1 that records what it resolves and what is removed, for condition waits. */
final class Browser implements ServiceListener, AutoCloseable {
    /** What the browser saw: a resolution (with port and TXT) or a removal. */
    record Seen(boolean removed, String name, int port, Map<String, String> txt) {}

    private final JmDNS jmdns;
    private final String type;
    private final List<Seen> seen = new ArrayList<>();

    Browser(String hostLabel, String type) throws IOException {
        this.type = type;
        this.jmdns = JmDNS.create(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), hostLabel);
        jmdns.addServiceListener(type, this);
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Browser.class);

    @Override public void serviceAdded(ServiceEvent event) {
        LOG.debug("browser: added '{}'", event.getName());
        // ask for SRV and TXT now rather than wait for the next announcement
        jmdns.requestServiceInfo(event.getType(), event.getName(), 1000);
    }

    @Override public synchronized void serviceRemoved(ServiceEvent event) {
        LOG.debug("browser: removed '{}'", event.getName());
        seen.add(new Seen(true, event.getName(), 0, Map.of()));
        notifyAll();
    }

    @Override public synchronized void serviceResolved(ServiceEvent event) {
        ServiceInfo info = event.getInfo();
        Map<String, String> txt = new LinkedHashMap<>();
        for (String key : Collections.list(info.getPropertyNames())) {
            txt.put(key, info.getPropertyString(key));
        }
        LOG.debug("browser: resolved '{}' port {} TXT {}", event.getName(), info.getPort(), txt);
        seen.add(new Seen(false, event.getName(), info.getPort(), txt));
        notifyAll();
    }

    /** Waits until something seen matches, at most {@code deadline}. */
    synchronized Optional<Seen> await(Predicate<Seen> condition, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        int from = 0;
        while (true) {
            for (; from < seen.size(); from++) {
                if (condition.test(seen.get(from))) {
                    return Optional.of(seen.get(from));
                }
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /**
     * Resolves {@code name} from what the browser holds now (its cache, or a query), as a client does before it
     * sends: a listener is told of an instance once, not of a record changed in place. Null when nothing answers.
     */
    Seen resolveNow(String name) {
        ServiceInfo info = jmdns.getServiceInfo(type, name, 200);
        if (info == null || info.getPort() == 0) {
            return null;
        }
        Map<String, String> txt = new LinkedHashMap<>();
        for (String key : Collections.list(info.getPropertyNames())) {
            txt.put(key, info.getPropertyString(key));
        }
        return new Seen(false, info.getName(), info.getPort(), txt);
    }

    /** Forgets what was seen, so the next wait looks only at what happens after now. */
    synchronized void forget() {
        seen.clear();
    }

    synchronized List<Seen> history() {
        return List.copyOf(seen);
    }

    @Override public void close() throws IOException {
        jmdns.removeServiceListener(type, this);
        jmdns.close();
    }
}
