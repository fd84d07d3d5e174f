package org.screamrouter.sip.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.screamrouter.sip.auth.internal.NonceCounts.Verdict;

class NonceCountsTest {
    private static final long LIFE = 300_000;

    @Test
    void aCountMustGrow() {
        NonceCounts c = new NonceCounts(10, 1000);
        assertThat(c.use("a", 1000, 1, 1000, LIFE)).isEqualTo(Verdict.ACCEPTED);
        assertThat(c.use("a", 1000, 1, 1001, LIFE)).isEqualTo(Verdict.REPLAYED);
        assertThat(c.use("a", 1000, 3, 1002, LIFE)).isEqualTo(Verdict.ACCEPTED);
        assertThat(c.use("a", 1000, 2, 1003, LIFE)).isEqualTo(Verdict.REPLAYED);
        assertThat(c.use("b", 1000, 1, 1004, LIFE)).isEqualTo(Verdict.ACCEPTED);
    }

    @Test
    void aNonceIssuedBeforeTheTableWasMadeIsForgotten() {
        NonceCounts c = new NonceCounts(10, 5000);
        assertThat(c.use("old", 4999, 1, 5000, LIFE)).isEqualTo(Verdict.FORGOTTEN);
        assertThat(c.use("new", 5000, 1, 5000, LIFE)).isEqualTo(Verdict.ACCEPTED);
    }

    @Test
    void pastCapacityTheFirstUsedIsDroppedAndCannotBeReplayed() {
        NonceCounts c = new NonceCounts(3, 0);
        for (int i = 1; i <= 3; i++) assertThat(c.use("n" + i, i, 1, 10, LIFE)).isEqualTo(Verdict.ACCEPTED);
        assertThat(c.use("n4", 4, 1, 10, LIFE)).isEqualTo(Verdict.ACCEPTED);
        assertThat(c.size()).isEqualTo(3);
        // n1 was dropped: its next count is not taken as a first use
        assertThat(c.use("n1", 1, 2, 10, LIFE)).isEqualTo(Verdict.FORGOTTEN);
        assertThat(c.use("n2", 2, 2, 10, LIFE)).isEqualTo(Verdict.ACCEPTED);
    }

    @Test
    void expiredEntriesGoAndTheMemoryStaysBounded() {
        NonceCounts c = new NonceCounts(1000, 0);
        for (int i = 0; i < 500; i++) c.use("n" + i, 1, 1, 2, LIFE);
        assertThat(c.size()).isEqualTo(500);
        assertThat(c.use("late", LIFE + 10, 1, LIFE + 10, LIFE)).isEqualTo(Verdict.ACCEPTED);
        assertThat(c.size()).isEqualTo(1);
        for (int i = 0; i < 5000; i++) c.use("m" + i, LIFE + 20 + i, 1, LIFE + 20 + i, LIFE);
        assertThat(c.size()).isLessThanOrEqualTo(1000);
    }
}
