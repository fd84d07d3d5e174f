package org.screamrouter.sip.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventStreamTest {
    /** A stream that keeps what it was sent; {@code broken} fails every write. */
    static final class Recorder implements EventStream.Client {
        final String session;
        final List<String> sent = new ArrayList<>();
        boolean broken;
        boolean closed;

        Recorder(String session) {
            this.session = session;
        }

        @Override
        public String session() {
            return session;
        }

        @Override
        public void send(String text) throws IOException {
            if (broken) throw new IOException("connection reset");
            sent.add(text);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final EventStream stream = new EventStream();

    @Test
    void eachEventGoesToEveryStreamNumberedWithItsKindAndData() {
        Recorder a = new Recorder("s1");
        Recorder b = new Recorder("s2");
        stream.add(a);
        stream.add(b);
        assertThat(a.sent).containsExactly("retry: 3000\n: device events of ScreamRouter SIP\n\n");
        stream.publish("ONLINE", "{\"uuid\":\"u1\"}", s -> true);
        stream.publish("OFFLINE", "{\"uuid\":\"u1\"}", s -> true);
        assertThat(a.sent).containsSubsequence("id: 1\nevent: ONLINE\ndata: {\"uuid\":\"u1\"}\n\n", "id: 2\nevent: OFFLINE\ndata: {\"uuid\":\"u1\"}\n\n");
        assertThat(b.sent).isEqualTo(a.sent);
        assertThat(stream.size()).isEqualTo(2);
    }

    @Test
    void aStreamWhoseSessionEndedIsToldAndClosed() {
        Recorder a = new Recorder("alive");
        Recorder b = new Recorder("gone");
        stream.add(a);
        stream.add(b);
        stream.keepAlive(Set.of("alive")::contains);
        assertThat(a.sent).last().isEqualTo(": keep-alive\n\n");
        assertThat(b.sent).last().isEqualTo("event: session-ended\ndata: {}\n\n");
        assertThat(b.closed).isTrue();
        assertThat(a.closed).isFalse();
        assertThat(stream.size()).isEqualTo(1);
    }

    @Test
    void aStreamThatCannotBeWrittenIsDropped() {
        Recorder a = new Recorder("s1");
        stream.add(a);
        a.broken = true;
        stream.publish("UPDATED", "{}", s -> true);
        assertThat(a.closed).isTrue();
        assertThat(stream.size()).isZero();
        Recorder dead = new Recorder("s2");
        dead.broken = true;
        stream.add(dead);
        assertThat(stream.size()).as("never kept").isZero();
    }

    @Test
    void closeAllEndsEveryStream() {
        Recorder a = new Recorder("s1");
        stream.add(a);
        stream.closeAll();
        assertThat(a.closed).isTrue();
        assertThat(stream.size()).isZero();
    }
}
