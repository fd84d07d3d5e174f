package org.screamrouter.sip.client.internal;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Where the client's timers and callbacks run; a manual one in tests, so refresh timing is tested without sleeping. */
interface Scheduler extends Executor {
    /** Runs {@code task} after {@code delay}; the returned action cancels it. */
    Runnable schedule(Runnable task, Duration delay);

    static Scheduler of(ScheduledExecutorService executor) {
        return new Scheduler() {
            @Override
            public Runnable schedule(Runnable task, Duration delay) {
                try {
                    var future = executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
                    return () -> future.cancel(false);
                } catch (RejectedExecutionException closed) {
                    return () -> { };
                }
            }

            /** After shutdown, on the caller's thread: a stage still waiting must complete, not hang. */
            @Override
            public void execute(Runnable command) {
                try {
                    executor.execute(command);
                } catch (RejectedExecutionException closed) {
                    command.run();
                }
            }
        };
    }
}
