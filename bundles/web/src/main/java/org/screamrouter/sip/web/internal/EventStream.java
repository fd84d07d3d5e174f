package org.screamrouter.sip.web.internal;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The open Server-Sent Events streams of {@code GET /api/events} and what goes out on them: one {@code event:} per
 * device event ({@code ONLINE}, {@code UPDATED}, {@code OFFLINE}, {@code REMOVED}) with the device as {@code data:}
 * (the row of {@code GET /api/devices}), numbered by {@code id:}; comments as keep-alives. A stream whose session
 * ended, or that cannot be written, is closed and dropped. Its methods are called from one thread (the component's).
 */
final class EventStream {
    /** One open stream: where its text goes, and the session it belongs to. */
    interface Client {
        String session();

        /** Writes and flushes; an {@link IOException} drops the client. */
        void send(String text) throws IOException;

        void close();
    }

    private final List<Client> clients = new CopyOnWriteArrayList<>();
    private long nextId = 1;

    /** A new stream: told how long to wait before reconnecting, then kept. */
    void add(Client client) {
        if (write(client, "retry: 3000\n: device events of ScreamRouter SIP\n\n")) {
            clients.add(client);
        }
    }

    /** Sends one event to every stream whose session is still {@code alive}, closing the others. */
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
                write(c, "event: session-ended\ndata: {}\n\n");
                drop(c);
            } else if (!write(c, text)) {
                drop(c);
            }
        }
    }

    private void drop(Client c) {
        clients.remove(c);
        c.close();
    }

    private static boolean write(Client c, String text) {
        try {
            c.send(text);
            return true;
        } catch (IOException | RuntimeException e) {
            c.close();
            return false;
        }
    }
}
