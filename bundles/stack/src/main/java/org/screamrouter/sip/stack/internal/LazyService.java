package org.screamrouter.sip.stack.internal;

import java.util.function.Supplier;

/**
 * A bound whiteboard service (request handler, flow listener), obtained on first use rather than when it is
 * bound: those services use the stack's own services, so getting them while the stack activates would be a
 * circular activation.
 */
final class LazyService<T> {
    private final Supplier<T> obtain;
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

    /** The service if it was ever obtained, for releasing it. */
    T obtained() {
        return service;
    }
}
