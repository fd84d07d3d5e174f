package org.screamrouter.sip.calls.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.osgi.service.component.ComponentServiceObjects;
import org.screamrouter.sip.audio.AudioBridge;

/**
 * The audio bridges bound. The one new calls use is the best ranked (the reference is greedy: a WHEP relay ranked
 * above the embedded engine takes over as it starts); a call keeps the bridge it started on ({@link Call#bridge}).
 * Each bridge is obtained on first use, not when it is bound, so that activating the calls never activates a bridge
 * (with its native engine) before the first call.
 */
final class Bridges {
    private final Map<ComponentServiceObjects<AudioBridge>, Handle> handles = new ConcurrentHashMap<>();
    private volatile Handle current;

    void bind(ComponentServiceObjects<AudioBridge> objects) {
        Handle handle = new Handle(objects);
        handles.put(objects, handle);
        current = handle;
    }

    /**
     * A bridge went. When it had been obtained, {@code endCalls} gets it first (its listeners are gone with it, so the
     * calls on it have no media any more); then it is released.
     */
    void unbind(ComponentServiceObjects<AudioBridge> gone, Consumer<AudioBridge> endCalls) {
        Handle handle = handles.remove(gone);
        if (handle == null) {
            return;
        }
        AudioBridge stopped = handle.obtainedOrNull();
        if (stopped != null) {
            endCalls.accept(stopped);
        }
        if (current == handle) current = null;
        handle.release();
    }

    /** The bridge for a new call, obtained now if it was not yet; null when there is none (or it is going). */
    AudioBridge current() {
        Handle handle = current;
        return handle == null ? null : handle.get();
    }

    /** Releases the bridge new calls use (the calls are stopping). */
    void releaseCurrent() {
        Handle handle = current;
        if (handle != null) {
            handle.release();
        }
    }

    private static final class Handle {
        private final ComponentServiceObjects<AudioBridge> objects;
        private AudioBridge obtained;

        Handle(ComponentServiceObjects<AudioBridge> objects) {
            this.objects = objects;
        }

        synchronized AudioBridge get() {
            if (obtained == null) {
                try {
                    obtained = objects.getService();
                } catch (IllegalStateException gone) {
                    return null;
                }
            }
            return obtained;
        }

        synchronized AudioBridge obtainedOrNull() {
            return obtained;
        }

        synchronized void release() {
            if (obtained != null) {
                try {
                    objects.ungetService(obtained);
                } catch (IllegalStateException | IllegalArgumentException gone) {
                    // the bridge's bundle is stopping
                }
                obtained = null;
            }
        }
    }
}
