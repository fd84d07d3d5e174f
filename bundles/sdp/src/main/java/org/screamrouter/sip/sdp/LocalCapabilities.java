package org.screamrouter.sip.sdp;

import java.util.List;
import java.util.Objects;

/**
 * What the answering side offers for one session: where it receives RTP, which codecs in which
 * order of preference, whether it handles DTMF events (RFC 4733), and its direction.
 *
 * @param username       the {@code o=} username
 * @param sessionId      the {@code o=} session id, fixed for the session's life (RFC 8866 section 5.2)
 * @param initialVersion the {@code o=} version of the first answer
 * @param address        unicast address for {@code o=} and {@code c=}; IPv6 when it holds a colon
 * @param audioPort      the RTP port of the one audio stream answered
 * @param codecs         supported codecs (telephone-event is governed by {@code telephoneEvent}, not listed here)
 * @param telephoneEvent whether RFC 4733 telephone-event is supported
 * @param direction      what this side does: a sink only receives ({@link Direction#RECVONLY})
 */
public record LocalCapabilities(String username, String sessionId, long initialVersion, String address, int audioPort,
                                List<Codec> codecs, boolean telephoneEvent, Direction direction) {

    public LocalCapabilities {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(direction, "direction");
        codecs = List.copyOf(codecs);
        if (audioPort <= 0 || audioPort > 65535) {
            throw new IllegalArgumentException("audio port out of range: " + audioPort);
        }
    }
}
