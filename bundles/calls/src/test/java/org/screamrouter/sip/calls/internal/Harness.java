package org.screamrouter.sip.calls.internal;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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
import javax.sip.ServerTransaction;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.audio.ListenerInfo;
import org.screamrouter.sip.audio.RtpCodec;
import org.screamrouter.sip.audio.SinkInfo;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipSender;

/**
 * The calls' collaborators for unit tests: real JAIN-SIP messages, a scheduler whose time the test moves, a bridge
 * and a sender that keep what they were asked and let the test complete it, requests as they arrive.
 */
final class Harness {
    static final SipMessages MESSAGES = new SipMessages() {
        private final MessageFactory m = new MessageFactoryImpl();
        private final HeaderFactory h = new HeaderFactoryImpl();
        private final AddressFactory a = new AddressFactoryImpl();
        @Override public MessageFactory messages() { return m; }
        @Override public HeaderFactory headers() { return h; }
        @Override public AddressFactory addresses() { return a; }
    };

    static final Sink KITCHEN = new Sink("kitchen", null, true);

    static CallsConfig config(Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>(overrides);
        return (CallsConfig) Proxy.newProxyInstance(CallsConfig.class.getClassLoader(), new Class<?>[] {CallsConfig.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) return CallsConfig.class;
                    Object v = values.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
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

    private static final java.util.concurrent.atomic.AtomicInteger STACK_TAGS = new java.util.concurrent.atomic.AtomicInteger();

    /** A request as it arrives, and the responses the handler sent. */
    static final class Exchange implements SipExchange {
        final Request request;
        final List<Response> responses = Collections.synchronizedList(new ArrayList<>());
        private final Flow flow;

        Exchange(String raw) {
            this(raw, InetAddress.getLoopbackAddress());
        }

        Exchange(String raw, InetAddress source) {
            try {
                this.request = MESSAGES.messages().createRequest(raw.replace("\r\n", "\n").replace("\n", "\r\n"));
            } catch (java.text.ParseException e) {
                throw new IllegalArgumentException(e);
            }
            String transport = ((javax.sip.header.ViaHeader) request.getHeader("Via")).getTransport().toLowerCase(java.util.Locale.ROOT);
            this.flow = new Flow(transport, new InetSocketAddress(source, 5070));
        }

        Response last() {
            synchronized (responses) {
                return responses.get(responses.size() - 1);
            }
        }

        List<Integer> statuses() {
            synchronized (responses) {
                return responses.stream().map(Response::getStatusCode).toList();
            }
        }

        @Override public Request request() { return request; }
        @Override public Flow flow() { return flow; }
        /** As the stack makes them: a To tag of its own on everything but 100 (RFC 3261 8.2.6.2). */
        @Override public Response createResponse(int status) {
            try {
                Response r = MESSAGES.messages().createResponse(status, request);
                javax.sip.header.ToHeader to = (javax.sip.header.ToHeader) r.getHeader("To");
                if (status > 100 && to.getTag() == null) to.setTag("stack" + Integer.toHexString(STACK_TAGS.incrementAndGet()));
                return r;
            } catch (java.text.ParseException e) {
                throw new IllegalStateException(e);
            }
        }
        @Override public Response createResponse(int status, String reason) {
            Response r = createResponse(status);
            if (reason != null) {
                try {
                    r.setReasonPhrase(reason);
                } catch (java.text.ParseException e) {
                    throw new IllegalStateException(e);
                }
            }
            return r;
        }
        @Override public void respond(Response response) { responses.add(response); }
        @Override public boolean answered() { return !responses.isEmpty(); }
        @Override public ServerTransaction serverTransaction() { throw new UnsupportedOperationException(); }
    }

    static String header(javax.sip.message.Message m, String name) {
        javax.sip.header.Header h = m.getHeader(name);
        if (h == null) return null;
        String s = h.toString().trim();
        return s.substring(s.indexOf(':') + 1).trim();
    }

    static String body(javax.sip.message.Message m) {
        return m.getRawContent() == null ? null : new String(m.getRawContent(), StandardCharsets.UTF_8);
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

    /** A request the calls sent, and its answer, which the test gives. */
    record Sent(Request request, Flow flow, Duration timeout, CompletableFuture<Response> answer) {
        void answer(int status) {
            try {
                answer.complete(MESSAGES.messages().createResponse(status, request));
            } catch (java.text.ParseException e) {
                throw new IllegalStateException(e);
            }
        }

        String method() {
            return request.getMethod();
        }

        String header(String name) {
            return Harness.header(request, name);
        }

        long cseq() {
            return ((javax.sip.header.CSeqHeader) request.getHeader("CSeq")).getSeqNumber();
        }
    }

    static final class FakeSender implements SipSender {
        final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());

        @Override
        public CompletionStage<Response> send(Request request, Flow destination, Duration timeout) {
            Sent s = new Sent(request, destination, timeout, new CompletableFuture<>());
            sent.add(s);
            return s.answer();
        }

        List<Sent> of(String method) {
            synchronized (sent) {
                return sent.stream().filter(s -> s.method().equals(method)).toList();
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
            return dialogs.newCall(new Exchange(raw), KITCHEN, kind, bridge);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The exchange of the call's INVITE (the fake that records the responses to it). */
    static Exchange invite(Call call) {
        return (Exchange) call.invite;
    }
}
