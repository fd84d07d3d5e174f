package org.screamrouter.sip.calls.internal;

import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.screamrouter.sip.audio.ListenerEndedListener;
import org.screamrouter.sip.audio.ListenerInfo;

/**
 * The bridge's {@link ListenerEndedListener}, relayed to the {@link CallsComponent} as an asynchronous event. A
 * separate component because the calls component uses the bridge and the bridge binds its listeners: had the calls
 * component been the listener itself, each would need the other to activate (a circular reference).
 */
@Component(service = ListenerEndedListener.class)
public final class ListenerEndedRelay implements ListenerEndedListener {
    static final String TOPIC = "org/screamrouter/sip/calls/LISTENER_ENDED";
    static final String SINK = "sink";
    static final String LISTENER = "listener";
    static final String REASON = "reason";

    @Reference
    private EventAdmin events;

    @Override
    public void listenerEnded(ListenerInfo listener, Reason reason) {
        events.postEvent(new Event(TOPIC, Map.of(SINK, listener.sinkId(), LISTENER, listener.listenerId(), REASON, reason.name())));
    }
}
