package org.screamrouter.sip.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventStreamTest {
    /** A stream that keeps what it was offered; {@code full} refuses every offer as a full queue would, {@code broken} as a closed one. */
    static final class Recorder implements EventStream.Client {
        final String session;
        final List<String> sent = new ArrayList<>();
        boolean full;
        boolean broken;
        boolean closed;
        String finishedWith;

        Recorder(String session) {
            this.session = session;
        }

        @Override
        public String session() {
            return session;
        }

        @Override
        public String remote() {
            return "127.0.0.1:50000";
        }

        @Override
        public EventStream.Offer offer(String text) {
            if (broken || closed) return EventStream.Offer.CLOSED;
            if (full) return EventStream.Offer.FULL;
            sent.add(text);
            return EventStream.Offer.QUEUED;
        }

        @Override
        public void finish(String text) {
            finishedWith = text;
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
    void aStreamWhoseSessionEndedIsToldAndFinished() {
        Recorder a = new Recorder("alive");
        Recorder b = new Recorder("gone");
        stream.add(a);
        stream.add(b);
        stream.keepAlive(Set.of("alive")::contains);
        assertThat(a.sent).last().isEqualTo(": keep-alive\n\n");
        assertThat(b.finishedWith).isEqualTo("event: session-ended\ndata: {}\n\n");
        assertThat(a.finishedWith).isNull();
        assertThat(stream.size()).isEqualTo(1);
    }

    @Test
    void aStreamWhoseQueueIsFullIsEndedTheOthersGetTheEvent() {
        Recorder slow = new Recorder("s1");
        Recorder fine = new Recorder("s2");
        stream.add(slow);
        stream.add(fine);
        slow.full = true;
        stream.publish("UPDATED", "{}", s -> true);
        assertThat(slow.closed).isTrue();
        assertThat(fine.sent).last().isEqualTo("id: 1\nevent: UPDATED\ndata: {}\n\n");
        assertThat(stream.size()).isEqualTo(1);
    }

    @Test
    void aStreamThatEndedIsDropped() {
        Recorder a = new Recorder("s1");
        stream.add(a);
        a.broken = true;
        stream.publish("UPDATED", "{}", s -> true);
        assertThat(stream.size()).isZero();
        Recorder dead = new Recorder("s2");
        dead.broken = true;
        stream.add(dead);
        assertThat(stream.size()).as("never kept").isZero();
        Recorder gone = new Recorder("s3");
        stream.add(gone);
        stream.remove(gone);
        assertThat(stream.size()).as("removed when it ended by itself").isZero();
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
