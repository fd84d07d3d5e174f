package org.screamrouter.sip.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RequestGateTest {
    @Test
    void closeWaitsForTheRequestInsideAndLaterOnesAreTurnedAway() throws Exception {
        RequestGate gate = new RequestGate("registrar");
        gate.enter();
        CountDownLatch closing = new CountDownLatch(1);
        AtomicBoolean closedClean = new AtomicBoolean();
        Thread closer = new Thread(() -> {
            closing.countDown();
            closedClean.set(gate.close(Duration.ofSeconds(10)));
        });
        closer.start();
        assertThat(closing.await(5, TimeUnit.SECONDS)).isTrue();
        // the close is under way (or about to be): a new request is refused once it is
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (closer.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) Thread.onSpinWait();
        assertThat(closer.getState()).isEqualTo(Thread.State.TIMED_WAITING);
        assertThatThrownBy(gate::enter).isInstanceOf(HandlerClosedException.class).hasMessage("registrar is stopping");
        gate.leave();
        closer.join(5000);
        assertThat(closedClean).isTrue();
    }

    @Test
    void closeGivesUpAfterTheWait() {
        RequestGate gate = new RequestGate("presence");
        gate.enter();
        assertThat(gate.close(Duration.ofMillis(50))).isFalse();
    }
}
