package org.screamrouter.sip.client.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;

/** A scheduler driven by the test: time moves only when the test says, tasks run on the test's thread. */
final class ManualScheduler implements Scheduler {
    private record Timed(long at, Runnable task, long seq) {}

    private final Queue<Runnable> ready = new ArrayDeque<>();
    private final List<Timed> timed = new ArrayList<>();
    private long now;
    private long seq;

    @Override
    public synchronized Runnable schedule(Runnable task, Duration delay) {
        Timed t = new Timed(now + delay.toMillis(), task, seq++);
        timed.add(t);
        return () -> {
            synchronized (this) {
                timed.remove(t);
            }
        };
    }

    @Override
    public synchronized void execute(Runnable command) {
        ready.add(command);
    }

    /** The delays of the timers now pending, from now, in ms. */
    synchronized List<Long> pendingDelays() {
        return timed.stream().sorted(Comparator.comparingLong(Timed::at)).map(t -> t.at() - now).toList();
    }

    /** Runs everything ready now. */
    void runReady() {
        while (true) {
            Runnable r;
            synchronized (this) {
                r = ready.poll();
            }
            if (r == null) return;
            r.run();
        }
    }

    /** Moves time forward, running timers as they fall due. */
    void advance(Duration d) {
        long until = now + d.toMillis();
        runReady();
        while (true) {
            Timed next;
            synchronized (this) {
                next = timed.stream().filter(t -> t.at() <= until)
                        .min(Comparator.comparingLong(Timed::at).thenComparingLong(Timed::seq)).orElse(null);
                if (next == null) {
                    now = until;
                    return;
                }
                timed.remove(next);
                now = next.at();
            }
            next.task().run();
            runReady();
        }
    }
}
