package org.screamrouter.sip.bench.sdp;

import gov.nist.javax.sdp.SessionDescriptionImpl;
import gov.nist.javax.sdp.parser.SDPAnnounceParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.screamrouter.sip.sdp.SdpParseException;
import org.screamrouter.sip.sdp.SdpParser;
import org.screamrouter.sip.sdp.SdpWriter;
import org.screamrouter.sip.sdp.SessionDescription;

/**
 * Parse + write of real browser offers with our SDP library against the SDP parser shipped in
 * jain-sip-ri, on the same text in the same run. The corpus is read where it lives
 * ({@code <checkout>/corpus/sdp}, or {@code -Dsdp.corpus=DIR}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SdpParseWriteBenchmark {

    @Param({"chrome-audio-only.sdp", "chromium120-audio-video-offer.sdp"})
    public String file;

    private String text;

    @Setup
    public void load() throws IOException, SdpParseException, ParseException {
        text = Files.readString(corpus().resolve(file));
        // both sides must accept the input, or the comparison is meaningless
        SdpParser.parse(text);
        new SDPAnnounceParser(text).parse();
    }

    static Path corpus() {
        String configured = System.getProperty("sdp.corpus");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("corpus").resolve("sdp");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("SDP corpus not found: run from the checkout or pass -Dsdp.corpus=<checkout>/corpus/sdp");
    }

    @Benchmark
    public String screamRouterParseWrite() throws SdpParseException {
        return SdpWriter.write(SdpParser.parse(text));
    }

    @Benchmark
    public String jainSipParseWrite() throws ParseException {
        return new SDPAnnounceParser(text).parse().toString();
    }

    @Benchmark
    public SessionDescription screamRouterParse() throws SdpParseException {
        return SdpParser.parse(text);
    }

    @Benchmark
    public SessionDescriptionImpl jainSipParse() throws ParseException {
        return new SDPAnnounceParser(text).parse();
    }
}
