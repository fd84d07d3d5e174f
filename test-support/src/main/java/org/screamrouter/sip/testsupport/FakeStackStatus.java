package org.screamrouter.sip.testsupport;

import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipStackStatus;

/** A stack status with fixed listening points and served methods, and no counters. */
public record FakeStackStatus(List<ListeningPoint> listeningPoints, SortedSet<String> servedMethods) implements SipStackStatus {
    /** A stack on UDP 127.0.0.1:5060 serving these methods. */
    public static FakeStackStatus udpOnLoopback(String... methods) {
        return new FakeStackStatus(List.of(new ListeningPoint("udp", "127.0.0.1", 5060)), new TreeSet<>(List.of(methods)));
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of();
    }
}
