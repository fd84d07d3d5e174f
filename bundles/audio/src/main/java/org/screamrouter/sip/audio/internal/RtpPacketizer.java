package org.screamrouter.sip.audio.internal;

import java.util.random.RandomGenerator;

/**
 * RTP fixed header (RFC 3550 section 5.1) for one outgoing stream: version 2, no padding, extension or CSRC; a random
 * SSRC, initial sequence number and timestamp (section 5.1 asks for random starts); the marker bit on the first packet
 * (start of a talkspurt, RFC 3551 section 4.1); each packet advances the timestamp by a fixed number of samples.
 */
final class RtpPacketizer {
    static final int HEADER = 12;
    private final int payloadType;
    private final int ssrc;
    private final int timestampStep;
    private int sequence;
    private int timestamp;
    private boolean first = true;

    RtpPacketizer(int payloadType, int timestampStep, RandomGenerator random) {
        this(payloadType, random.nextInt(), random.nextInt(0x10000), random.nextInt(), timestampStep);
    }

    RtpPacketizer(int payloadType, int ssrc, int firstSequence, int firstTimestamp, int timestampStep) {
        this.payloadType = payloadType;
        this.ssrc = ssrc;
        this.sequence = firstSequence & 0xffff;
        this.timestamp = firstTimestamp;
        this.timestampStep = timestampStep;
    }

    int ssrc() {
        return ssrc;
    }

    /** Writes the header of the next packet into {@code packet[0..12)} and advances sequence number and timestamp. */
    void nextHeader(byte[] packet) {
        packet[0] = (byte) 0x80;
        packet[1] = (byte) ((first ? 0x80 : 0) | payloadType);
        packet[2] = (byte) (sequence >> 8);
        packet[3] = (byte) sequence;
        packet[4] = (byte) (timestamp >>> 24);
        packet[5] = (byte) (timestamp >>> 16);
        packet[6] = (byte) (timestamp >>> 8);
        packet[7] = (byte) timestamp;
        packet[8] = (byte) (ssrc >>> 24);
        packet[9] = (byte) (ssrc >>> 16);
        packet[10] = (byte) (ssrc >>> 8);
        packet[11] = (byte) ssrc;
        first = false;
        sequence = (sequence + 1) & 0xffff;
        timestamp += timestampStep;
    }
}
