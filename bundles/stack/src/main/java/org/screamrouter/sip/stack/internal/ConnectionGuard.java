package org.screamrouter.sip.stack.internal;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the accepted TCP and WebSocket connections within {@link ConnectionLimits} (issue 13 items 4 and 5): a
 * connection past the cap in all or per source address is closed as soon as it is accepted, one that has sent nothing
 * for the idle time is closed by {@link #sweep}. Each accepted connection is admitted once and released once, when it
 * closes for whatever reason. Thread-safe: the selector thread admits and releases, pool threads touch, the engine's
 * timer sweeps.
 */
final class ConnectionGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    /** A connection as the guard sees it: it can be closed, and knows where it comes from. */
    interface Connection {
        InetAddress source();

        void closeIdle();
    }

    private final Counters counters;
    private final Map<Connection, AtomicLong> lastHeard = new ConcurrentHashMap<>();
    private final Map<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private volatile ConnectionLimits limits = ConnectionLimits.DEFAULTS;

    ConnectionGuard(Counters counters) {
        this.counters = counters;
    }

    void limits(ConnectionLimits limits) {
        this.limits = limits;
    }

    ConnectionLimits limits() {
        return limits;
    }

    void count(String counter) {
        counters.increment(counter);
    }

    int open() {
        return total.get();
    }

    /** Counts a just-accepted connection in, or returns why it is refused (then it is not counted). */
    synchronized String admit(Connection connection, long now) {
        ConnectionLimits l = limits;
        InetAddress source = connection.source();
        if (total.get() >= l.maxConnections()) {
            return refused(source, "the server holds " + l.maxConnections() + " connections, its limit (connections.max)");
        }
        AtomicInteger mine = perSource.computeIfAbsent(source, s -> new AtomicInteger());
        if (mine.get() >= l.perSource()) {
            return refused(source, source.getHostAddress() + " holds " + l.perSource() + " connections, the limit per address (connections.per.source)");
        }
        mine.incrementAndGet();
        total.incrementAndGet();
        lastHeard.put(connection, new AtomicLong(now));
        return null;
    }

    private String refused(InetAddress source, String why) {
        counters.increment("rejected.connection-cap");
        LOG.debug("connection from {} refused: {}", source.getHostAddress(), why);
        return why;
    }

    /** The connection sent something. */
    void heard(Connection connection, long now) {
        AtomicLong last = lastHeard.get(connection);
        if (last != null) last.set(now);
    }

    /** The connection closed; a connection that was never admitted, or already released, changes nothing. */
    synchronized void release(Connection connection) {
        if (lastHeard.remove(connection) == null) {
            return;
        }
        total.decrementAndGet();
        AtomicInteger mine = perSource.get(connection.source());
        if (mine != null && mine.decrementAndGet() <= 0) {
            perSource.remove(connection.source());
        }
    }

    /** Closes the connections silent for longer than the idle time. */
    void sweep(long now) {
        long idle = TimeUnit.SECONDS.toNanos(limits.idleTimeoutSeconds());
        for (Map.Entry<Connection, AtomicLong> e : lastHeard.entrySet()) {
            if (now - e.getValue().get() > idle) {
                Connection c = e.getKey();
                LOG.debug("closing the connection from {}: silent for more than {} s (connection.idle.timeout)",
                        c.source().getHostAddress(), limits.idleTimeoutSeconds());
                counters.increment("connections.idle-closed");
                release(c);
                try {
                    c.closeIdle();
                } catch (RuntimeException ex) {
                    LOG.debug("closing an idle connection: {}", ex.toString());
                }
            }
        }
    }
}
