package org.screamrouter.sip.web.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open Server-Sent Events streams of {@code GET /api/events} and what goes out on them: one {@code event:} per
 * device event ({@code ONLINE}, {@code UPDATED}, {@code OFFLINE}, {@code REMOVED}) with the device as {@code data:}
 * (the row of {@code GET /api/devices}), numbered by {@code id:}; comments as keep-alives. A stream whose session
 * ended gets {@code event: session-ended} and ends; a stream whose queue is full (it stopped reading) is ended at once,
 * logged once. Nothing here blocks: each stream queues its text ({@link EventOutput}). {@link #add}, {@link #publish},
 * {@link #keepAlive} and {@link #closeAll} are called from one thread (the component's); {@link #remove} from any.
 */
final class EventStream {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    static final String SESSION_ENDED = "event: session-ended\ndata: {}\n\n";

    /** What became of a text offered to a stream. */
    enum Offer {
        QUEUED,
        /** The stream's queue would pass its bound: it does not read. */
        FULL,
        /** The stream has ended. */
        CLOSED
    }

    /** One open stream: where its text goes, and the session it belongs to. Never blocks. */
    interface Client {
        String session();

        /** The browser's address, for the log. */
        String remote();

        /** Queues {@code text} to be written. */
        Offer offer(String text);

        /** Queues {@code text}, then ends the stream once everything queued is written. */
        void finish(String text);

        /** Ends the stream now; what is queued is dropped. */
        void close();
    }

    private final List<Client> clients = new CopyOnWriteArrayList<>();
    private long nextId = 1;

    /** A new stream: told how long to wait before reconnecting, then kept. */
    void add(Client client) {
        if (client.offer("retry: 3000\n: device events of ScreamRouter SIP\n\n") == Offer.QUEUED) {
            clients.add(client);
        } else {
            client.close();
        }
    }

    /** Forgets a stream that ended by itself (the browser went away). */
    void remove(Client client) {
        clients.remove(client);
    }

    /** Queues one event on every stream whose session is still {@code alive}, ending the others. */
    void publish(String event, String json, Predicate<String> alive) {
        String text = "id: " + nextId++ + "\nevent: " + event + "\ndata: " + json + "\n\n";
        deliver(text, alive);
    }

    /** A comment on every stream: a closed connection shows up, and proxies keep it open. */
    void keepAlive(Predicate<String> alive) {
        deliver(": keep-alive\n\n", alive);
    }

    /** Ends every stream (the component stops). */
    void closeAll() {
        for (Client c : clients) {
            clients.remove(c);
            c.close();
        }
    }

    int size() {
        return clients.size();
    }

    private void deliver(String text, Predicate<String> alive) {
        for (Client c : clients) {
            if (!alive.test(c.session())) {
                clients.remove(c);
                c.finish(SESSION_ENDED);
                continue;
            }
            switch (c.offer(text)) {
                case QUEUED -> { }
                case FULL -> {
                    clients.remove(c);
                    LOG.info("Web console: the event stream of {} is ended: it stopped reading and its queue is full "
                            + "(its browser reconnects and reloads the list)", c.remote());
                    c.close();
                }
                case CLOSED -> {
                    clients.remove(c);
                    c.close();
                }
            }
        }
    }
}
