package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.UDPMessageChannel;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request without a transaction that reaches a listening point with no listener (it is being taken down) is
 * dropped: the device retransmits to the next one. The drop was only counted; a hand-over that lost requests so
 * (the UDP processor's threads taking datagrams before the provider had its listener, {@code UdpIntakeOpenTest}) left
 * no line in the log. Now it leaves one, at most every 10 s.
 */
class StatelessRequestsDropTest {
    private final RecordingLogger log = new RecordingLogger();
    private SipStackImpl stack;
    private UdpIntake.Processor processor;
    private UDPMessageChannel channel;

    @AfterEach
    void stop() {
        if (channel != null) channel.close(); // its thread waits for the processor to be opened: ends on the interrupt
        if (processor != null) processor.stop();
        if (stack != null) stack.stop();
    }

    @Test
    void aRequestDroppedForWantOfAListenerIsCountedAndLogged() throws Exception {
        stack = UdpProcessors.stack("stateless-requests-test", 1, null);
        int port = UdpProcessors.freePort();
        // a real UDP processor of no listening point, as one is while JAIN-SIP takes it down, and a channel of it
        processor = UdpProcessors.processor(stack, port);
        processor.start();
        channel = new UDPMessageChannel(stack, processor, "stateless-requests-test-channel") { };
        SIPRequest options = (SIPRequest) new StringMsgParser().parseSIPMessage((
                "OPTIONS sip:registrar@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-stateless-1\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:dev@127.0.0.1>;tag=1\r\n"
                + "To: <sip:registrar@127.0.0.1>\r\n"
                + "Call-ID: stateless-1\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII), true, false, null);
        options.setRemoteAddress(InetAddress.getLoopbackAddress());
        options.setRemotePort(5999);
        Counters counters = new Counters();
        StatelessRequests stateless = new StatelessRequests(counters, log.logger());

        stateless.processRequest(options, channel);
        stateless.processRequest(options, channel); // within 10 s of the first: counted, not logged again

        assertThat(counters.snapshot()).containsEntry("dropped.no-listener", 2L);
        assertThat(log.lines).hasSize(1);
        assertThat(log.lines.get(0)).element(0).asString().contains("no listener");
        assertThat(log.lines.get(0).subList(1, log.lines.get(0).size())).containsExactly("OPTIONS", "127.0.0.1", 5999, 1);
    }
}
