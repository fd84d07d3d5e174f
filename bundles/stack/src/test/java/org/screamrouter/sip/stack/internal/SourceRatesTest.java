package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceRatesTest {
    private static final long SECOND = 1_000_000_000L;

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByAddress(InetAddress.getByName(text).getAddress()); // a literal, from bytes
    }

    @Test
    void aSourceGetsItsBurstThenTheRateThenThrottleThenSilence() throws Exception {
        SourceRates rates = new SourceRates(null);
        rates.limits(new SourceRates.Limits(10, 20));
        InetAddress flood = ip("10.0.0.1");
        List<SourceRates.Verdict> first = new ArrayList<>();
        for (int i = 0; i < 60; i++) first.add(rates.admit(flood, 0));
        assertThat(first.subList(0, 20)).containsOnly(SourceRates.Verdict.ADMIT);
        assertThat(first.subList(20, 40)).as("past the burst: 503s, which count too").containsOnly(SourceRates.Verdict.THROTTLE);
        assertThat(first.subList(41, 60)).as("in debt by a burst: dropped").containsOnly(SourceRates.Verdict.DROP);
        // another source is not affected
        assertThat(rates.admit(ip("10.0.0.2"), 0)).isEqualTo(SourceRates.Verdict.ADMIT);
        // the debt is paid back at the rate: 4 s repay 40 tokens, the next request is served again
        assertThat(rates.admit(flood, 4 * SECOND + SECOND / 5)).isEqualTo(SourceRates.Verdict.ADMIT);
    }

    /**
     * tryAdmit (the plain OPTIONS path) admits what admit would and takes nothing when it refuses: the request it leaves
     * to the usual path is counted there, once, as the same sequence through admit alone.
     */
    @Test
    void tryAdmitTakesOnlyWhatAdmitWouldAndNothingWhenItRefuses() throws Exception {
        SourceRates rates = new SourceRates(null);
        rates.limits(new SourceRates.Limits(10, 3));
        InetAddress source = ip("10.0.0.9");
        assertThat(rates.tryAdmit(source, 0)).as("a source without a bucket: the usual path makes it").isFalse();
        assertThat(rates.tracked()).isZero();
        assertThat(rates.admit(source, 0)).isEqualTo(SourceRates.Verdict.ADMIT);
        assertThat(rates.tryAdmit(source, 0)).isTrue();
        assertThat(rates.tryAdmit(source, 0)).isTrue();
        for (int i = 0; i < 5; i++) assertThat(rates.tryAdmit(source, 0)).as("the burst is spent").isFalse();
        // the refusals took nothing: the usual path now throttles exactly a burst's worth, then drops
        for (int i = 0; i < 3; i++) assertThat(rates.admit(source, 0)).isEqualTo(SourceRates.Verdict.THROTTLE);
        assertThat(rates.admit(source, 0)).isEqualTo(SourceRates.Verdict.DROP);
        // refilled at the rate (10/s): a tenth of a second repays one token of the debt of 3, a second ends it
        assertThat(rates.tryAdmit(source, SECOND / 10)).isFalse();
        assertThat(rates.tryAdmit(source, SECOND)).isTrue();
        rates.limits(SourceRates.Limits.OFF);
        assertThat(rates.tryAdmit(ip("10.0.0.10"), 0)).as("no limit").isTrue();
    }

    @Test
    void aSourceAtTheRateIsAlwaysServedAndZeroMeansNoLimit() throws Exception {
        SourceRates rates = new SourceRates(null);
        rates.limits(new SourceRates.Limits(100, 10));
        InetAddress steady = ip("10.0.0.3");
        for (int i = 0; i < 10_000; i++) {
            assertThat(rates.admit(steady, i * (SECOND / 100))).isEqualTo(SourceRates.Verdict.ADMIT);
        }
        rates.limits(SourceRates.Limits.OFF);
        for (int i = 0; i < 10_000; i++) assertThat(rates.admit(steady, 0)).isEqualTo(SourceRates.Verdict.ADMIT);
        assertThat(rates.tracked()).isZero();
    }

    @Test
    void theTableOfSourcesIsBounded() throws Exception {
        SourceRates rates = new SourceRates(null);
        rates.limits(new SourceRates.Limits(10, 10));
        for (int i = 0; i < SourceRates.MAX_SOURCES + 1000; i++) {
            rates.admit(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}), i);
        }
        assertThat(rates.tracked()).isLessThanOrEqualTo(SourceRates.MAX_SOURCES);
    }
}
