package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.SipStackImpl;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.Properties;

/** A bare JAIN-SIP stack and our UDP processors on it, for the tests of the UDP intake. */
final class UdpProcessors {
    private UdpProcessors() {
    }

    /** A stack of this many channel threads per UDP processor (and this receive buffer, if any). */
    static SipStackImpl stack(String name, int threads, Integer receiveBuffer) throws Exception {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", name);
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", Integer.toString(threads));
        if (receiveBuffer != null) p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", receiveBuffer.toString());
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", "org.screamrouter.sip.jainsip.Slf4jStackLogger");
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", "org.screamrouter.sip.jainsip.Slf4jServerLogger");
        return new SipStackImpl(p);
    }

    /** A UDP port free on loopback a moment ago. */
    static int freePort() throws SocketException {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** A processor of ours on this loopback port, not yet started. */
    static UdpIntake.Processor processor(SipStackImpl stack, int port) throws Exception {
        return new UdpIntake.Processor(InetAddress.getLoopbackAddress(), stack, port, new SourceRates(null), new UdpHandOver(), null);
    }
}
