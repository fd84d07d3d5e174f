package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.sip.header.AcceptHeader;
import javax.sip.header.AllowHeader;
import javax.sip.header.SupportedHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The answer to sipp's OPTIONS on the stateless path (issue 15), in the steps the stack and the registrar's OPTIONS
 * handler take: the response made from the request (its headers copied, the To tag, the Server header), the three
 * headers the handler puts in, the source address put in the Via (RFC 3581), and the encoding into the datagram.
 * Run by bench/parse-bench.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StatelessAnswerBenchmark {
    private SIPRequest request;
    private final MessageSupport messages = new MessageSupport("ScreamRouter-SIP/0.1.0");
    private AllowHeader allow;
    private AcceptHeader accept;
    private SupportedHeader supported;

    @Setup
    public void setUp() throws Exception {
        request = (SIPRequest) new StrictMessageParser()
                .parseSIPMessage(StatelessParseBenchmark.OPTIONS.getBytes(StandardCharsets.UTF_8), true, false, null);
        // an Allow of ten methods, as the distribution serves
        allow = messages.headers().createAllowHeader("ACK, BYE, CANCEL, INFO, INVITE, MESSAGE, NOTIFY, OPTIONS, REGISTER, SUBSCRIBE");
        accept = messages.headers().createAcceptHeader("application", "sdp");
        supported = messages.headers().createSupportedHeader("path");
    }

    @Benchmark
    public Response response() {
        return messages.response(request, Response.OK, null);
    }

    @Benchmark
    public Response optionsAnswer() throws Exception {
        Response response = messages.response(request, Response.OK, null);
        response.setHeader(allow);
        response.setHeader(accept);
        response.setHeader(supported);
        ViaHeader via = (ViaHeader) response.getHeader(ViaHeader.NAME);
        via.setReceived("127.0.0.1");
        via.setParameter("rport", "27821");
        return response;
    }

    @Benchmark
    public byte[] optionsDatagram() throws Exception {
        return ((SIPResponse) optionsAnswer()).encodeAsBytes("UDP");
    }
}
