package org.screamrouter.sip.calls.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The calls' own threads and the clock their timers read. The engine's completions and callbacks, the answer deadline
 * and the retransmission timers run here, never on the stack's threads. An interface so that tests move time
 * themselves.
 */
interface CallScheduler extends Executor {
    /** Runs the task once after the delay. */
    Future<?> schedule(Runnable task, long delayMillis);

    boolean isShutdown();

    /** The clock of the timers: {@link System#nanoTime()}. */
    long nanoTime();

    /** Ends the threads; timers not yet run never run. */
    void shutdownNow();

    /** Two daemon threads named {@code sip-calls}; a cancelled timer leaves the queue at once. */
    static CallScheduler threads() {
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "sip-calls");
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        return new CallScheduler() {
            @Override
            public void execute(Runnable task) {
                ex.execute(task);
            }

            @Override
            public Future<?> schedule(Runnable task, long delayMillis) {
                return ex.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
            }

            @Override
            public boolean isShutdown() {
                return ex.isShutdown();
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void shutdownNow() {
                ex.shutdownNow();
            }
        };
    }
}
