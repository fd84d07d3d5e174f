package org.screamrouter.sip.itests;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Waits for a condition with a deadline, polling; fails with what was last seen. No sleep-and-hope. */
public final class Await {
    private Await() {
    }

    public static <T> T until(String what, Duration within, Callable<T> probe, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        T last = null;
        Exception lastError = null;
        while (true) {
            try {
                last = probe.call();
                lastError = null;
                if (done.test(last)) return last;
            } catch (Exception e) {
                lastError = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError error = new AssertionError("timed out after " + within.toMillis() + " ms waiting for " + what
                        + "; last seen: " + last);
                if (lastError != null) error.initCause(lastError);
                throw error;
            }
            Thread.sleep(50);
        }
    }
}
