package org.screamrouter.sip.stack.internal;

import java.util.function.Supplier;

/**
 * A bound whiteboard service (request handler, flow listener), obtained on first use rather than when it is
 * bound: those services use the stack's own services, so getting them while the stack activates would be a
 * circular activation.
 */
final class LazyService<T> {
    private final Supplier<T> obtain;
    private final java.util.concurrent.atomic.AtomicInteger inUse = new java.util.concurrent.atomic.AtomicInteger();
    private volatile T service;

    LazyService(Supplier<T> obtain) {
        this.obtain = obtain;
    }

    T get() {
        T s = service;
        if (s == null) {
            synchronized (this) {
                s = service;
                if (s == null) {
                    s = obtain.get();
                    service = s;
                }
            }
        }
        return s;
    }

    /**
     * Marks one call into the service as begun; {@link #leave} must follow. A service is released only once no call is
     * in it ({@link #awaitIdle}): a handler that is being replaced finishes the requests it has before it deactivates.
     */
    void enter() {
        inUse.incrementAndGet();
    }

    void leave() {
        if (inUse.decrementAndGet() == 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Waits until no call is in the service, at most {@code nanos}; returns whether none is. */
    boolean awaitIdle(long nanos) {
        long deadline = System.nanoTime() + nanos;
        synchronized (this) {
            while (inUse.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return inUse.get() == 0;
                }
            }
        }
        return true;
    }

    /** The service if it was ever obtained, for releasing it. */
    T obtained() {
        return service;
    }
}
