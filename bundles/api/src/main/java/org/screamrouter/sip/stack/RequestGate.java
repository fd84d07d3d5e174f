package org.screamrouter.sip.stack;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What lets a handler's component shut down under load without failing a request: each request passes
 * {@link #enter()} / {@link #leave()}, and the deactivation calls {@link #close(Duration)} before it releases what the
 * requests use (a store, a timer). Requests already in finish first; later ones get {@link HandlerClosedException},
 * which the stack takes as "hold it for my successor".
 *
 * <p>Needed because the order is not ours: Felix SCR may deactivate a component before the stack's reference to its
 * service is unbound, so requests still reach a handler whose {@code @Deactivate} is running.
 */
public final class RequestGate {
    private final String name;
    private int inside;
    private boolean closed;

    /** @param name what the gate guards, for the exception's message ("registrar") */
    public RequestGate(String name) {
        this.name = name;
    }

    /** Lets one request in, or throws {@link HandlerClosedException} once the gate is closing. */
    public synchronized void enter() {
        if (closed) {
            throw new HandlerClosedException(name + " is stopping");
        }
        inside++;
    }

    public synchronized void leave() {
        if (--inside == 0) {
            notifyAll();
        }
    }

    /** Closes the gate and waits at most {@code wait} for the requests inside; returns whether none is left. */
    public synchronized boolean close(Duration wait) {
        closed = true;
        long deadline = System.nanoTime() + wait.toNanos();
        while (inside > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return inside == 0;
            }
        }
        return true;
    }
}
