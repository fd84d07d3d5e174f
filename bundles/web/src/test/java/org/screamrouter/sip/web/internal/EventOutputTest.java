package org.screamrouter.sip.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.servlet.AsyncContext;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import org.junit.jupiter.api.Test;

/** The non-blocking writer of one event stream, on an output the test makes ready or not. */
class EventOutputTest {
    /** An output that is ready while {@link #ready}; not ready, it remembers that the container would call back. */
    static final class Output extends ServletOutputStream {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final List<String> calls = new ArrayList<>();
        boolean ready = true;
        /** Writes allowed before it stops being ready by itself (a socket buffer filling up). */
        int readyWrites = Integer.MAX_VALUE;
        boolean failing;
        WriteListener listener;

        @Override
        public boolean isReady() {
            return ready && readyWrites > 0;
        }

        @Override
        public void setWriteListener(WriteListener l) {
            listener = l;
        }

        @Override
        public void write(int b) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void write(byte[] b) throws IOException {
            assertThat(isReady()).as("written only when ready").isTrue();
            if (failing) throw new IOException("broken pipe");
            written.write(b, 0, b.length);
            readyWrites--;
            calls.add("write");
        }

        @Override
        public void flush() {
            assertThat(isReady()).as("flushed only when ready").isTrue();
            calls.add("flush");
        }

        String text() {
            return written.toString(StandardCharsets.UTF_8);
        }
    }

    private final Output out = new Output();
    private final AtomicInteger completed = new AtomicInteger();
    private final List<EventOutput> ended = new ArrayList<>();
    private final AsyncContext async = (AsyncContext) Proxy.newProxyInstance(AsyncContext.class.getClassLoader(),
            new Class<?>[] {AsyncContext.class}, (p, m, a) -> {
                if (m.getName().equals("complete")) completed.incrementAndGet();
                return null;
            });
    private final EventOutput stream = new EventOutput(async, out, "s1", "127.0.0.1:50000", 3, 100, ended::add);

    @Test
    void nothingIsWrittenBeforeTheContainerSaysItMayThenInOrderAndFlushed() {
        stream.start();
        assertThat(out.listener).isSameAs(stream);
        assertThat(stream.offer("one\n")).isEqualTo(EventStream.Offer.QUEUED);
        assertThat(out.text()).isEmpty();
        stream.onWritePossible();
        assertThat(out.text()).isEqualTo("one\n");
        assertThat(stream.offer("two\n")).isEqualTo(EventStream.Offer.QUEUED);
        assertThat(out.text()).isEqualTo("one\ntwo\n");
        assertThat(out.calls).containsExactly("write", "flush", "write", "flush");
    }

    @Test
    void aStreamThatIsNotReadyQueuesUpToItsBoundThenIsFull() {
        stream.onWritePossible();
        out.ready = false;
        assertThat(stream.offer("a")).isEqualTo(EventStream.Offer.QUEUED);
        assertThat(stream.offer("b")).isEqualTo(EventStream.Offer.QUEUED);
        assertThat(stream.offer("c")).isEqualTo(EventStream.Offer.QUEUED);
        assertThat(stream.offer("d")).as("3 events at most").isEqualTo(EventStream.Offer.FULL);
        assertThat(out.text()).isEmpty();
        out.ready = true;
        stream.onWritePossible();
        assertThat(out.text()).isEqualTo("abc");
        assertThat(stream.queued()).isZero();
        out.ready = false;
        assertThat(stream.offer("x".repeat(100))).isEqualTo(EventStream.Offer.QUEUED);
        assertThat(stream.offer("y")).as("100 bytes at most").isEqualTo(EventStream.Offer.FULL);
    }

    @Test
    void theOutputStopsBeingReadyMidwayAndTheContainerResumesIt() {
        stream.onWritePossible();
        out.ready = false;
        stream.offer("a");
        stream.offer("b");
        stream.offer("c");
        out.ready = true;
        out.readyWrites = 2;
        stream.onWritePossible();
        assertThat(out.text()).isEqualTo("ab");
        assertThat(stream.queued()).isEqualTo(1);
        out.readyWrites = Integer.MAX_VALUE;
        stream.onWritePossible();
        assertThat(out.text()).isEqualTo("abc");
        assertThat(out.calls).last().isEqualTo("flush");
    }

    @Test
    void finishWritesWhatIsQueuedThenCompletes() {
        stream.onWritePossible();
        out.ready = false;
        stream.offer("a");
        stream.finish("bye");
        assertThat(completed).hasValue(0);
        assertThat(stream.offer("late")).isEqualTo(EventStream.Offer.CLOSED);
        out.ready = true;
        stream.onWritePossible();
        assertThat(out.text()).isEqualTo("abye");
        assertThat(completed).hasValue(1);
        assertThat(ended).containsExactly(stream);
    }

    @Test
    void aFailedWriteOrAContainerErrorEndsItOnce() {
        stream.onWritePossible();
        out.failing = true;
        assertThat(stream.offer("a")).isEqualTo(EventStream.Offer.QUEUED);
        assertThat(completed).hasValue(1);
        assertThat(stream.offer("b")).isEqualTo(EventStream.Offer.CLOSED);
        stream.onError(new IOException("reset"));
        stream.close();
        assertThat(completed).hasValue(1);
        assertThat(ended).containsExactly(stream);
    }
}
