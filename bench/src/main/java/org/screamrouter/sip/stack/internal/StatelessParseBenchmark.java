package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The parse of a datagram on the stateless path (issue 15: OPTIONS at 0.67x Kamailio, about half of its CPU in the
 * parse): our strict parser against JAIN-SIP's own on the requests bench/sipp sends, and the checks ours adds.
 * Run by bench/parse-bench.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StatelessParseBenchmark {
    /** The requests of bench/sipp/options.xml and register.xml as sipp sends them (its fields filled). */
    static final String OPTIONS = "OPTIONS sip:127.0.0.1:27810 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:27821;branch=z9hG4bK-4711-1-0\r\n"
            + "From: <sip:dev0012345@127.0.0.1>;tag=1\r\n"
            + "To: <sip:127.0.0.1:27810>\r\n"
            + "Call-ID: 1-4711@127.0.0.1\r\n"
            + "CSeq: 1 OPTIONS\r\n"
            + "Contact: <sip:dev0012345@127.0.0.1:27821>\r\n"
            + "Max-Forwards: 70\r\n"
            + "User-Agent: sipp-bench\r\n"
            + "Content-Length: 0\r\n\r\n";
    static final String REGISTER = "REGISTER sip:127.0.0.1:27810 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:27821;branch=z9hG4bK-4711-1-0\r\n"
            + "From: <sip:dev0012345@127.0.0.1>;tag=1\r\n"
            + "To: <sip:dev0012345@127.0.0.1>\r\n"
            + "Call-ID: 1-4711@127.0.0.1\r\n"
            + "CSeq: 1 REGISTER\r\n"
            + "Contact: <sip:dev0012345@127.0.0.1:27821>\r\n"
            + "Max-Forwards: 70\r\n"
            + "Expires: 3600\r\n"
            + "User-Agent: sipp-bench\r\n"
            + "Content-Length: 0\r\n\r\n";

    @Param({"OPTIONS", "REGISTER"})
    public String request;

    private byte[] bytes;
    private final StrictMessageParser strict = new StrictMessageParser();
    private final StringMsgParser jainSip = new StringMsgParser();

    @Setup
    public void setUp() {
        bytes = (request.equals("OPTIONS") ? OPTIONS : REGISTER).getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public SIPMessage strictParse() throws Exception {
        return strict.parseSIPMessage(bytes, true, false, null);
    }

    @Benchmark
    public SIPMessage jainSipParse() throws Exception {
        return jainSip.parseSIPMessage(bytes, true, false, null);
    }

    @Benchmark
    public String repeatedSingleHeader() {
        return StrictMessageParser.repeatedSingleHeader(bytes);
    }

    @Benchmark
    public String writtenVersion() {
        return StrictMessageParser.writtenVersion(bytes);
    }
}
