package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.UDPMessageChannel;
import java.lang.reflect.Proxy;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * A request without a transaction that reaches a listening point with no listener (it is being taken down) is
 * dropped: the device retransmits to the next one. The drop was only counted; a hand-over that lost requests so
 * (the UDP processor's threads taking datagrams before the provider had its listener, {@code UdpIntakeOpenTest}) left
 * no line in the log. Now it leaves one, at most every 10 s.
 */
class StatelessRequestsDropTest {
    private final List<List<Object>> lines = new ArrayList<>();
    private SipStackImpl stack;
    private UdpIntake.Processor processor;
    private UDPMessageChannel channel;

    @AfterEach
    void stop() {
        if (channel != null) channel.close(); // its thread waits for the processor to be opened: ends on the interrupt
        if (processor != null) processor.stop();
        if (stack != null) stack.stop();
    }

    /** A logger that keeps what {@code warn(String, Object...)} was given (the collaborator, not the thing under test). */
    private Logger recording() {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class}, (proxy, method, args) -> {
            if (method.getName().equals("warn") && args.length == 2 && args[1] instanceof Object[] values) {
                List<Object> line = new ArrayList<>(List.of(args[0]));
                line.addAll(Arrays.asList(values));
                lines.add(line);
            }
            return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
        });
    }

    @Test
    void aRequestDroppedForWantOfAListenerIsCountedAndLogged() throws Exception {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "stateless-requests-test");
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "1");
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", "org.screamrouter.sip.jainsip.Slf4jStackLogger");
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", "org.screamrouter.sip.jainsip.Slf4jServerLogger");
        stack = new SipStackImpl(p);
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        // a real UDP processor of no listening point, as one is while JAIN-SIP takes it down, and a channel of it
        processor = new UdpIntake.Processor(InetAddress.getLoopbackAddress(), stack, port, new SourceRates(null), new UdpHandOver());
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
        StatelessRequests stateless = new StatelessRequests(counters, recording());

        stateless.processRequest(options, channel);
        stateless.processRequest(options, channel); // within 10 s of the first: counted, not logged again

        assertThat(counters.snapshot()).containsEntry("dropped.no-listener", 2L);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).element(0).asString().contains("no listener");
        assertThat(lines.get(0).subList(1, lines.get(0).size())).containsExactly("OPTIONS", "127.0.0.1", 5999, 1);
    }
}
