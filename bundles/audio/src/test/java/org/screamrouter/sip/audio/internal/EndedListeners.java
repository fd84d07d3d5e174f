package org.screamrouter.sip.audio.internal;

import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;
import org.screamrouter.sip.audio.ListenerEndedListener;

/** A listener-ended callback as SCR hands it to the bridge (service objects), for tests without a framework. */
final class EndedListeners {
    private EndedListeners() {}

    static ComponentServiceObjects<ListenerEndedListener> objects(ListenerEndedListener listener) {
        return new ComponentServiceObjects<>() {
            @Override public ListenerEndedListener getService() { return listener; }
            @Override public void ungetService(ListenerEndedListener service) { }
            @Override public ServiceReference<ListenerEndedListener> getServiceReference() { return null; }
        };
    }
}
