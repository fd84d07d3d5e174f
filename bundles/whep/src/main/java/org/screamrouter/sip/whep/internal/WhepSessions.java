package org.screamrouter.sip.whep.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The WHEP sessions this endpoint made: who asked (client address), when it last showed life, and the engine's
 * candidates not yet fetched. Bounded: sessions in total and per client, and candidates per session. Thread-safe.
 */
final class WhepSessions {
    /** Candidates kept per session until fetched; libwebrtc gathers a handful per interface. */
    static final int MAX_PENDING_CANDIDATES = 64;

    record Candidate(String candidate, String sdpMid) {}

    static final class Session {
        final String sinkId;
        final String listenerId;
        final String client;
        private long lastLife;
        private final List<Candidate> pending = new ArrayList<>();

        Session(String sinkId, String listenerId, String client, long now) {
            this.sinkId = sinkId;
            this.listenerId = listenerId;
            this.client = client;
            this.lastLife = now;
        }
    }

    /** Why a new session was refused. */
    enum Refusal { TOO_MANY, TOO_MANY_FROM_CLIENT }

    private final Map<String, Session> sessions = new LinkedHashMap<>();

    /** A new session with a fresh listener id, or the reason there is none. */
    synchronized Object open(String sinkId, String client, int maxTotal, int maxPerClient, long now) {
        if (sessions.size() >= maxTotal) return Refusal.TOO_MANY;
        long mine = sessions.values().stream().filter(s -> s.client.equals(client)).count();
        if (mine >= maxPerClient) return Refusal.TOO_MANY_FROM_CLIENT;
        Session s = new Session(sinkId, UUID.randomUUID().toString(), client, now);
        sessions.put(s.listenerId, s);
        return s;
    }

    /** The session of this sink and listener id, marked alive now. */
    synchronized Optional<Session> touch(String sinkId, String listenerId, long now) {
        Session s = sessions.get(listenerId);
        if (s == null || !s.sinkId.equals(sinkId)) return Optional.empty();
        s.lastLife = now;
        return Optional.of(s);
    }

    synchronized Optional<Session> remove(String sinkId, String listenerId) {
        Session s = sessions.get(listenerId);
        if (s == null || !s.sinkId.equals(sinkId)) return Optional.empty();
        return Optional.ofNullable(sessions.remove(listenerId));
    }

    /** Keeps an engine candidate for the client's next fetch; false when the session is gone or its queue full. */
    synchronized boolean offer(String listenerId, Candidate c) {
        Session s = sessions.get(listenerId);
        if (s == null || s.pending.size() >= MAX_PENDING_CANDIDATES) return false;
        s.pending.add(c);
        return true;
    }

    /** The candidates not fetched yet, now fetched. */
    synchronized List<Candidate> drain(Session s) {
        List<Candidate> out = List.copyOf(s.pending);
        s.pending.clear();
        return out;
    }

    /** Removes and returns the sessions that showed no life since {@code now - timeout}. */
    synchronized List<Session> expire(long now, long timeout) {
        List<Session> gone = new ArrayList<>();
        sessions.values().removeIf(s -> {
            if (now - s.lastLife > timeout) {
                gone.add(s);
                return true;
            }
            return false;
        });
        return gone;
    }

    synchronized List<Session> all() {
        return List.copyOf(sessions.values());
    }

    synchronized int size() {
        return sessions.size();
    }
}
