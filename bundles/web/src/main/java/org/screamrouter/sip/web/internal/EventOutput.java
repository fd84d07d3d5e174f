package org.screamrouter.sip.web.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import javax.servlet.AsyncContext;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;

/**
 * One open event stream's response, written without ever blocking (Servlet 3.1 non-blocking output): text is queued
 * and written while {@link ServletOutputStream#isReady()} says so, the rest when the container calls
 * {@link #onWritePossible()}. Every write happens under this object's lock, so one stream's writes never interleave,
 * whichever thread (the component's, the container's) makes them. The queue is bounded by events and bytes: a browser
 * that stops reading fills its socket buffers, then its queue, and the next {@link #offer} answers
 * {@link EventStream.Offer#FULL} (the caller ends the stream; the browser's EventSource reconnects).
 */
final class EventOutput implements EventStream.Client, WriteListener {
    private final AsyncContext async;
    private final ServletOutputStream out;
    private final String session;
    private final String remote;
    private final int maxEvents;
    private final long maxBytes;
    private final Consumer<EventOutput> ended;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean listening;
    private boolean flushNeeded;
    private boolean finishing;
    private boolean closed;

    /**
     * @param ended told once when the stream ends, however (closed, finished, failed)
     */
    EventOutput(AsyncContext async, ServletOutputStream out, String session, String remote, int maxEvents, long maxBytes,
            Consumer<EventOutput> ended) {
        this.async = async;
        this.out = out;
        this.session = session;
        this.remote = remote;
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
        this.ended = ended;
    }

    /** Switches the response to non-blocking output; on the request's thread, after {@code startAsync}. */
    void start() {
        out.setWriteListener(this);
    }

    @Override
    public String session() {
        return session;
    }

    @Override
    public String remote() {
        return remote;
    }

    @Override
    public synchronized EventStream.Offer offer(String text) {
        if (closed || finishing) {
            return EventStream.Offer.CLOSED;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (queue.size() >= maxEvents || queuedBytes + bytes.length > maxBytes) {
            return EventStream.Offer.FULL;
        }
        queue.addLast(bytes);
        queuedBytes += bytes.length;
        drain();
        return EventStream.Offer.QUEUED;
    }

    @Override
    public synchronized void finish(String text) {
        if (closed || finishing) {
            return;
        }
        if (offer(text) == EventStream.Offer.FULL) {
            close(); // it does not read: the last words would not reach it either
            return;
        }
        finishing = true;
        drain();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            queuedBytes = 0;
        }
        try {
            async.complete();
        } catch (IllegalStateException already) {
            // completed by the container (the client went away)
        }
        ended.accept(this);
    }

    @Override
    public void onWritePossible() {
        synchronized (this) {
            listening = true;
            drain();
        }
    }

    @Override
    public void onError(Throwable t) {
        close();
    }

    synchronized int queued() {
        return queue.size();
    }

    /** Writes what is queued as long as the output is ready; with the lock held. */
    private void drain() {
        if (!listening) {
            return; // the container's first onWritePossible starts it
        }
        try {
            while (!closed && out.isReady()) {
                byte[] next = queue.pollFirst();
                if (next != null) {
                    queuedBytes -= next.length;
                    out.write(next);
                    flushNeeded = true;
                } else if (flushNeeded) {
                    flushNeeded = false;
                    out.flush();
                } else {
                    if (finishing) {
                        close();
                    }
                    return;
                }
            }
        } catch (IOException | IllegalStateException e) {
            close();
        }
    }
}
