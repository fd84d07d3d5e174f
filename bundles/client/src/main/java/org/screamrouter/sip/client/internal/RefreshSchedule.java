package org.screamrouter.sip.client.internal;

import java.time.Duration;

/** When to refresh and when to retry: 85% of the granted expiry; 1 s doubling per failure, at most 30 s. */
final class RefreshSchedule {
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private RefreshSchedule() {
    }

    static Duration refreshAfter(int grantedSeconds) {
        return Duration.ofMillis(Math.max(1, grantedSeconds) * 850L);
    }

    /** The wait after the {@code failures}-th failure in a row (1 for the first). */
    static Duration backoff(int failures) {
        if (failures <= 1) return Duration.ofSeconds(1);
        if (failures > 6) return MAX_BACKOFF;
        Duration d = Duration.ofSeconds(1L << (failures - 1));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }
}
