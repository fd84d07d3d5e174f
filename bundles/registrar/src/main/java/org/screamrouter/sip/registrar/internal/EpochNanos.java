package org.screamrouter.sip.registrar.internal;

import java.time.Instant;

/**
 * An instant as nanoseconds since the epoch in one {@code long} (1677 to 2262), for the times a refresh or a
 * keep-alive moves in place: writing a number keeps no new object alive (docs/registrar-state.md, "Refreshes in
 * place").
 */
final class EpochNanos {
    /** Stands for no instant ({@code null}). */
    static final long NONE = Long.MIN_VALUE;

    private EpochNanos() {
    }

    static long of(Instant t) {
        return t == null ? NONE : t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    static Instant instant(long nanos) {
        return nanos == NONE ? null : Instant.ofEpochSecond(0, nanos);
    }
}
