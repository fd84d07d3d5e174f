package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DueTimesTest {
    private static final Instant T = Instant.parse("2026-12-06T10:00:00.250Z");

    @Test
    void takesOutOnlyWhatIsFiledUpToTheSecondAndEachKeyOnce() {
        DueTimes due = new DueTimes();
        due.at("a", T);
        due.at("b", T.plusSeconds(5));
        due.at("a", T.plusMillis(700)); // the same second, filed twice
        due.at("c", T.minusSeconds(30)); // already past when filed
        assertThat(due.size()).isEqualTo(4);

        assertThat(due.upTo(T)).containsExactly("c", "a");
        assertThat(due.upTo(T.plusSeconds(4))).isEmpty();
        assertThat(due.upTo(T.plusSeconds(5).plusMillis(10))).containsExactly("b");
        assertThat(due.size()).isZero();
    }
}
