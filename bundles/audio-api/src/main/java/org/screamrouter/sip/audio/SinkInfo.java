package org.screamrouter.sip.audio;

/**
 * A configured sink input.
 *
 * @param sinkId the sink
 * @param screamPort the UDP port its Scream receiver listens on (0 when the sink has no input)
 * @param format the last received format ({@code 48000 Hz 32 bit 2 ch}), or empty before the first packet
 * @param packetsReceived Scream packets received
 * @param listeners how many listeners it has now
 * @param toneActive whether the test tone plays now (switched on, or the input is silent)
 */
public record SinkInfo(String sinkId, int screamPort, String format, long packetsReceived, int listeners,
        boolean toneActive) {
}
