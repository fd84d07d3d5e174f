package org.screamrouter.sip.presence.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs asynchronous tasks one after the other per key (a subscription's NOTIFYs go out in order, each after
 * the answer to the one before, RFC 6665 4.2.2), on the owner's executor; callers never wait.
 */
final class SerialQueue {
    private static final Logger LOG = LoggerFactory.getLogger(SerialQueue.class);
    private final ConcurrentHashMap<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();
    private final Executor executor;

    SerialQueue(Executor executor) {
        this.executor = executor;
    }

    void submit(String key, Supplier<? extends CompletionStage<?>> task) {
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] mine = new CompletableFuture[1];
        tails.compute(key, (k, tail) -> {
            CompletableFuture<Void> start = tail == null ? CompletableFuture.completedFuture(null) : tail;
            mine[0] = start.thenComposeAsync(v -> {
                try {
                    return task.get().toCompletableFuture().handle((r, e) -> {
                        if (e != null) LOG.debug("queued task of {} failed: {}", key, e.toString());
                        return (Void) null;
                    });
                } catch (RuntimeException e) {
                    LOG.warn("queued task of {} failed", key, e);
                    return CompletableFuture.<Void>completedFuture(null);
                }
            }, executor).exceptionally(e -> null);
            return mine[0];
        });
        mine[0].whenComplete((v, e) -> tails.remove(key, mine[0]));
    }

    /** How many keys have work queued or running. */
    int busy() {
        return tails.size();
    }
}
