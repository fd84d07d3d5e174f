package org.screamrouter.sip.calls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;
import org.screamrouter.sip.audio.AudioBridge;

class BridgesTest {
    /** What happened, in order, across the bridges and the calls' end. */
    private final List<String> log = new ArrayList<>();
    private final Bridges bridges = new Bridges();

    private final class Objects implements ComponentServiceObjects<AudioBridge> {
        final String name;
        final AudioBridge bridge = new Harness.FakeBridge();
        boolean gone;

        Objects(String name) {
            this.name = name;
        }

        @Override
        public AudioBridge getService() {
            if (gone) throw new IllegalStateException("unregistered");
            log.add("get " + name);
            return bridge;
        }

        @Override
        public void ungetService(AudioBridge service) {
            log.add("unget " + name);
        }

        @Override
        public ServiceReference<AudioBridge> getServiceReference() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aBridgeIsObtainedOnFirstUseOnly() {
        Objects embedded = new Objects("embedded");
        bridges.bind(embedded);
        assertThat(log).isEmpty();
        assertThat(bridges.current()).isSameAs(embedded.bridge);
        assertThat(bridges.current()).isSameAs(embedded.bridge);
        assertThat(log).containsExactly("get embedded");
    }

    @Test
    void theLastBoundBridgeServesNewCallsAndTheOtherKeepsItsCalls() {
        Objects embedded = new Objects("embedded");
        Objects relay = new Objects("relay");
        bridges.bind(embedded);
        AudioBridge first = bridges.current();
        bridges.bind(relay);
        assertThat(bridges.current()).isSameAs(relay.bridge);

        List<AudioBridge> ended = new ArrayList<>();
        bridges.unbind(embedded, stopped -> {
            ended.add(stopped);
            log.add("calls ended");
        });
        assertThat(ended).containsExactly(first);
        assertThat(log).containsExactly("get embedded", "get relay", "calls ended", "unget embedded");
        assertThat(bridges.current()).isSameAs(relay.bridge);
    }

    @Test
    void aBridgeNeverObtainedEndsNoCallsAndIsNotReleased() {
        Objects embedded = new Objects("embedded");
        bridges.bind(embedded);
        bridges.unbind(embedded, stopped -> log.add("calls ended"));
        assertThat(log).isEmpty();
        assertThat(bridges.current()).isNull();
    }

    @Test
    void whenTheCurrentBridgeGoesThereIsNoneForNewCalls() {
        Objects embedded = new Objects("embedded");
        bridges.bind(embedded);
        bridges.current();
        bridges.unbind(embedded, stopped -> { });
        assertThat(bridges.current()).isNull();
        bridges.unbind(embedded, stopped -> log.add("twice"));
        assertThat(log).containsExactly("get embedded", "unget embedded");
    }

    @Test
    void aBridgeGoingWhileObtainedIsNoBridge() {
        Objects embedded = new Objects("embedded");
        bridges.bind(embedded);
        embedded.gone = true;
        assertThat(bridges.current()).isNull();
    }

    @Test
    void releasingTheCurrentBridgeUngetsItOnce() {
        Objects embedded = new Objects("embedded");
        bridges.bind(embedded);
        bridges.current();
        bridges.releaseCurrent();
        bridges.releaseCurrent();
        assertThat(log).containsExactly("get embedded", "unget embedded");
    }
}
