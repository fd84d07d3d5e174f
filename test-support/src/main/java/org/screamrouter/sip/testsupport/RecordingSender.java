package org.screamrouter.sip.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipSender;

/** A {@link SipSender} that keeps every request; the test answers them, or every one is answered 200 at once. */
public final class RecordingSender implements SipSender {
    public final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
    /** When true, every request is answered 200 as it is sent. */
    public volatile boolean autoAnswer;

    @Override
    public CompletionStage<Response> send(Request request, Flow destination, Duration timeout) {
        Sent s = new Sent(request, destination, timeout, new CompletableFuture<>());
        sent.add(s);
        if (autoAnswer) s.answer(200);
        return s.answer();
    }

    /** The requests of this method sent so far. */
    public List<Sent> of(String method) {
        synchronized (sent) {
            return sent.stream().filter(s -> s.method().equals(method)).toList();
        }
    }

    /** Waits (5 s at most) until {@code n} requests were sent, for components that send on their own threads. */
    public List<Sent> awaitSent(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sent.size() < n && System.nanoTime() < deadline) Thread.sleep(5);
        synchronized (sent) {
            if (sent.size() < n) throw new AssertionError("expected " + n + " requests sent, got " + sent.size() + ": " + sent);
            return List.copyOf(sent);
        }
    }
}
