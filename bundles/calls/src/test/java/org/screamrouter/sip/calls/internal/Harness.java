package org.screamrouter.sip.calls.internal;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.audio.ListenerInfo;
import org.screamrouter.sip.audio.RtpCodec;
import org.screamrouter.sip.audio.SinkInfo;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.testsupport.Configs;
import org.screamrouter.sip.testsupport.FakeExchange;

/**
 * The calls' collaborators for unit tests: real JAIN-SIP messages, a scheduler whose time the test moves, a bridge
 * and a sender that keep what they were asked and let the test complete it, requests as they arrive.
 */
final class Harness {
    static final Sink KITCHEN = new Sink("kitchen", null, true);

    static CallsConfig config(Map<String, Object> overrides) {
        return Configs.of(CallsConfig.class, overrides);
    }

    static final CallsConfig DEFAULTS = config(Map.of());

    // messages

    static String rtpOffer(int port, String formats, String... rtpmaps) {
        StringBuilder s = new StringBuilder("v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n")
                .append("m=audio ").append(port).append(" RTP/AVP ").append(formats).append("\r\n");
        for (String r : rtpmaps) s.append("a=rtpmap:").append(r).append("\r\n");
        return s.append("a=sendrecv\r\n").toString();
    }

    static final String RTP_OFFER = rtpOffer(4000, "0 8", "0 PCMU/8000", "8 PCMA/8000");

    static final String WEBRTC_OFFER = "v=0\r\no=- 8634 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=audio 45076 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\n"
            + "a=ice-ufrag:peer\r\na=ice-pwd:peerpasswordpeerpassword\r\n"
            + "a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:8E:50:55:EA:8C:D3:B6:5C:09:5E:D6:BC\r\n"
            + "a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";

    static final String ANSWERED_CANDIDATE = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host";

    /** The engine's answer to {@link #WEBRTC_OFFER}: its ICE credentials, media id and first candidate. */
    static final String WEBRTC_ANSWER = "v=0\r\no=- 4242 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=audio 50000 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\n"
            + "a=ice-ufrag:ours\r\na=ice-pwd:ourpasswordourpassword1\r\n"
            + "a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:8E:50:55:EA:8C:D3:B6:5C:09:5E:D6:BC\r\n"
            + "a=setup:active\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
            + "a=" + ANSWERED_CANDIDATE + "\r\n";

    /** A request as text: Via, Max-Forwards, From, To, Call-ID, CSeq, Contact, extra headers, then the body. */
    static String request(String method, String uri, String transport, String branch, String callId, long cseq,
            String fromTag, String toTag, String contentType, String body, String... extra) {
        StringBuilder s = new StringBuilder(method + " " + uri + " SIP/2.0\n"
                + "Via: SIP/2.0/" + transport.toUpperCase(java.util.Locale.ROOT) + " 127.0.0.1:5070;branch=" + branch + "\n"
                + "Max-Forwards: 70\nFrom: <sip:peer@127.0.0.1>;tag=" + fromTag + "\n"
                + "To: <" + uri + ">" + (toTag == null ? "" : ";tag=" + toTag) + "\n"
                + "Call-ID: " + callId + "\nCSeq: " + cseq + " " + method + "\n");
        for (String e : extra) s.append(e).append('\n');
        if (body == null) return s.append("Content-Length: 0\n\n").toString();
        return s.append("Content-Type: ").append(contentType).append("\nContent-Length: ")
                .append(body.getBytes(StandardCharsets.UTF_8).length).append("\n\n").append(body).toString();
    }

    static String invite(String callId, String branch, String body) {
        return request("INVITE", "sip:kitchen@127.0.0.1:5060", "udp", branch, callId, 1, "peer1", null, "application/sdp", body,
                "Contact: <sip:peer@127.0.0.1:5070>");
    }

    /** A request of the dialog: our To-tag, the peer's From tag {@code peer1}. */
    static String inDialog(String method, Call call, long cseq, String branch, String contentType, String body) {
        return inDialog(method, call.callId, call.localTag, call.flow.transport(), cseq, branch, contentType, body);
    }

    static String inDialog(String method, String callId, String localTag, String transport, long cseq, String branch,
            String contentType, String body) {
        return request(method, "sip:kitchen@127.0.0.1:5060", transport, branch, callId, cseq, "peer1", localTag, contentType, body);
    }

    /** Time that moves only when the test says: tasks run on the test's thread, in due order. */
    static final class ManualScheduler implements CallScheduler {
        private final PriorityQueue<Task> tasks = new PriorityQueue<>();
        private long now = 1_000_000_000_000L;
        private long sequence;
        private boolean shutdown;

        final class Task implements Future<Object>, Comparable<Task> {
            final long due;
            final long order = sequence++;
            final Runnable run;
            boolean cancelled;
            boolean done;

            Task(long due, Runnable run) {
                this.due = due;
                this.run = run;
            }

            @Override public int compareTo(Task o) {
                return due != o.due ? Long.compare(due, o.due) : Long.compare(order, o.order);
            }
            @Override public boolean cancel(boolean interrupt) {
                synchronized (ManualScheduler.this) {
                    if (done) return false;
                    cancelled = true;
                    tasks.remove(this);
                    return true;
                }
            }
            @Override public boolean isCancelled() { return cancelled; }
            @Override public boolean isDone() { return done || cancelled; }
            @Override public Object get() { throw new UnsupportedOperationException(); }
            @Override public Object get(long t, TimeUnit u) { throw new UnsupportedOperationException(); }
        }

        @Override
        public synchronized void execute(Runnable task) {
            if (shutdown) throw new java.util.concurrent.RejectedExecutionException("shut down");
            tasks.add(new Task(now, task));
        }

        @Override
        public synchronized Future<?> schedule(Runnable task, long delayMillis) {
            if (shutdown) throw new java.util.concurrent.RejectedExecutionException("shut down");
            Task t = new Task(now + TimeUnit.MILLISECONDS.toNanos(delayMillis), task);
            tasks.add(t);
            return t;
        }

        @Override public synchronized boolean isShutdown() { return shutdown; }
        @Override public synchronized long nanoTime() { return now; }
        @Override public synchronized void shutdownNow() {
            shutdown = true;
            tasks.clear();
        }

        /** Timers not yet run. */
        synchronized int pending() {
            return tasks.size();
        }

        /** Runs what is due now, also what that schedules for now. */
        void runReady() {
            advance(0);
        }

        /** Moves time on, running every task that falls due on the way at its time. */
        void advance(long millis) {
            long target;
            synchronized (this) {
                target = now + TimeUnit.MILLISECONDS.toNanos(millis);
            }
            while (true) {
                Task next;
                synchronized (this) {
                    next = tasks.peek();
                    if (next == null || next.due > target) {
                        now = target;
                        return;
                    }
                    tasks.poll();
                    now = Math.max(now, next.due);
                    next.done = true;
                }
                next.run.run();
            }
        }
    }

    /** An audio bridge that keeps what it was asked; the answers are the test's to complete. */
    static final class FakeBridge implements AudioBridge {
        record WebRtc(String sinkId, String offer, BiConsumer<String, String> onIceCandidate, String clientIp,
                CompletableFuture<String> answer) {
        }

        record Rtp(String sinkId, RtpCodec codec, InetSocketAddress remote, CompletableFuture<InetSocketAddress> local) {
        }

        final Map<String, WebRtc> webRtc = new ConcurrentHashMap<>();
        final Map<String, Rtp> rtp = new ConcurrentHashMap<>();
        final List<String> started = Collections.synchronizedList(new ArrayList<>());
        final List<String> removed = Collections.synchronizedList(new ArrayList<>());
        final List<String> remoteCandidates = Collections.synchronizedList(new ArrayList<>());
        final Map<String, ListenerInfo> listeners = new ConcurrentHashMap<>();
        volatile CompletableFuture<Void> startResult = CompletableFuture.completedFuture(null);

        @Override
        public CompletionStage<String> addWebRtcListener(String sinkId, String listenerId, String offerSdp,
                Consumer<String> onLocalDescription, BiConsumer<String, String> onIceCandidate, String clientIp) {
            WebRtc w = new WebRtc(sinkId, offerSdp, onIceCandidate, clientIp, new CompletableFuture<>());
            webRtc.put(listenerId, w);
            return w.answer();
        }

        @Override
        public CompletionStage<Void> addRemoteIceCandidate(String sinkId, String listenerId, String candidate, String sdpMid) {
            remoteCandidates.add(sinkId + "/" + listenerId + " " + sdpMid + " " + candidate);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<InetSocketAddress> prepareRtpListener(String sinkId, String listenerId, RtpCodec codec,
                InetSocketAddress remote) {
            Rtp r = new Rtp(sinkId, codec, remote, new CompletableFuture<>());
            rtp.put(listenerId, r);
            return r.local();
        }

        @Override
        public CompletionStage<Void> startRtpListener(String sinkId, String listenerId) {
            started.add(sinkId + "/" + listenerId);
            return startResult;
        }

        @Override
        public CompletionStage<Boolean> removeListener(String sinkId, String listenerId) {
            removed.add(sinkId + "/" + listenerId);
            return CompletableFuture.completedFuture(true);
        }

        @Override public List<ListenerInfo> listeners(String sinkId) { return List.of(); }
        @Override public List<ListenerInfo> listeners() { return List.of(); }
        @Override public Optional<ListenerInfo> listener(String sinkId, String listenerId) {
            return Optional.ofNullable(listeners.get(sinkId + "/" + listenerId));
        }
        @Override public List<SinkInfo> sinks() { return List.of(); }

        static ListenerInfo listener(String sinkId, String listenerId, String peer, long packets) {
            return new ListenerInfo(sinkId, listenerId, ListenerInfo.Kind.WEBRTC, peer, ListenerInfo.State.CONNECTED,
                    "opus/48000/2", packets, packets * 100, Instant.now());
        }
    }

    /** A call as {@link DialogMessages#newCall} makes it from an INVITE of this Call-ID over this transport. */
    static Call call(DialogMessages dialogs, String callId, String transport, CallInfo.Kind kind, AudioBridge bridge) {
        String raw = request("INVITE", "sip:kitchen@127.0.0.1:5060", transport, "z9hG4bK-" + callId, callId, 1, "peer1", null,
                "application/sdp", kind == CallInfo.Kind.RTP ? RTP_OFFER : WEBRTC_OFFER, "Contact: <sip:peer@127.0.0.1:5070>");
        try {
            return dialogs.newCall(new FakeExchange(raw), KITCHEN, kind, bridge);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The exchange of the call's INVITE (the fake that records the responses to it). */
    static FakeExchange invite(Call call) {
        return (FakeExchange) call.invite;
    }
}
