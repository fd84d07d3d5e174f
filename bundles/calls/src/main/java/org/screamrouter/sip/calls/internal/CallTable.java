package org.screamrouter.sip.calls.internal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.audio.ListenerInfo;
import org.screamrouter.sip.calls.CallInfo;

/**
 * The calls by Call-ID (also each call's listener id at the bridge), and how the {@link org.screamrouter.sip.calls.Calls}
 * service lists them. A call is in the table from its INVITE until it ended, or until the ACK of its error response
 * came or was given up: a rejected call still counts for {@link Admission} while its response is retransmitted.
 */
final class CallTable {
    private final Map<String, Call> calls = new ConcurrentHashMap<>();

    Call get(String callId) {
        return calls.get(callId);
    }

    /** Adds a call; false when its Call-ID is in a call already. */
    boolean add(Call call) {
        return calls.putIfAbsent(call.callId, call) == null;
    }

    /** Removes this call (not a later one with the same Call-ID). */
    void remove(Call call) {
        calls.remove(call.callId, call);
    }

    int size() {
        return calls.size();
    }

    /** How many calls came from this IP address. */
    long from(InetAddress source) {
        return calls.values().stream().filter(c -> c.flow.remote().getAddress().equals(source)).count();
    }

    /** Every call now, a copy. */
    List<Call> all() {
        return List.copyOf(calls.values());
    }

    void clear() {
        calls.clear();
    }

    /** The calls not yet over, oldest first. */
    List<CallInfo> list() {
        List<CallInfo> out = new ArrayList<>();
        for (Call call : calls.values()) {
            CallInfo info = info(call);
            if (info != null) out.add(info);
        }
        out.sort(Comparator.comparing(CallInfo::started));
        return out;
    }

    Optional<CallInfo> info(String callId) {
        Call call = calls.get(callId);
        return call == null ? Optional.empty() : Optional.ofNullable(info(call));
    }

    /** A call as listed, with its packets (and for WebRTC its peer) as its bridge counts them; null when it is over. */
    private static CallInfo info(Call call) {
        CallInfo.State state = call.listedState();
        if (state == null) {
            return null;
        }
        AudioBridge engine = call.bridge;
        long packets = 0;
        String media;
        synchronized (call) {
            media = call.media;
        }
        if (engine != null) {
            Optional<ListenerInfo> l = engine.listener(call.sink.id(), call.callId);
            if (l.isPresent()) {
                packets = l.get().packetsSent();
                if (call.kind == CallInfo.Kind.WEBRTC && l.get().peer() != null) {
                    media = l.get().peer();
                }
            }
        }
        return new CallInfo(call.callId, call.sink.id(), call.flow.toString(), call.kind, state, call.started, packets, media);
    }
}
