package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link StrictMessageParser#repeatedSingleHeader} reads the header names in place, without a string per line
 * (issue 15: it allocated 1.6 KB per message). It must answer as the string-based reading it replaced, kept here as
 * the reference: every line's name decoded as US-ASCII, trimmed, lower-cased and looked up by long and compact name.
 */
class RepeatedSingleHeaderTest {
    /** Names as peers and attackers write them: every spelling of the single headers, near misses, controls. */
    private static final String[] NAMES = {"Call-ID", "call-id", "CALL-ID", "i", "I", " i ", "Call\rID", "Call_ID", "CSeq", "cseq",
            "CSEQ ", "Content-Length", "content-length", "l", "L", "\tl", "Content-Lenght", "Content-Type", "c", "C", "From", "f", "F",
            "fRoM", "From\u0001", "Max-Forwards", "max-forwards", "Max-Forward", "To", "to", "t", "T", " To", "Tö", "Via", "v",
            "Contact", "m", "X-Custom", "", " ", "\u00e9"};

    @Property(tries = 2000)
    void answersAsTheStringReadingOnGeneratedHeaderSections(@ForAll long seed) {
        Random random = new Random(seed);
        StringBuilder m = new StringBuilder("OPTIONS sip:a@127.0.0.1 SIP/2.0\r\n");
        int lines = random.nextInt(12);
        for (int i = 0; i < lines; i++) {
            if (random.nextInt(8) == 0) {
                m.append(random.nextBoolean() ? " " : "\t").append("folded: text"); // a continuation line
            } else {
                m.append(NAMES[random.nextInt(NAMES.length)]).append(random.nextInt(10) == 0 ? "" : ": value");
            }
            m.append(random.nextInt(6) == 0 ? "\n" : "\r\n");
        }
        m.append(random.nextBoolean() ? "\r\n" : "").append(random.nextBoolean() ? "To: after the body's start\r\n" : "");
        byte[] bytes = m.toString().getBytes(random.nextBoolean() ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        assertThat(StrictMessageParser.repeatedSingleHeader(bytes)).as(m.toString()).isEqualTo(reference(bytes));
    }

    @Property(tries = 2000)
    void answersAsTheStringReadingOnMutatedTortureMessages(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        List<Path> corpus = CorpusConformanceTest.corpus();
        byte[] message = RequestPathFuzzTest.mutate(Files.readAllBytes(corpus.get(random.nextInt(corpus.size()))), random);
        assertThat(StrictMessageParser.repeatedSingleHeader(message)).isEqualTo(reference(message));
    }

    @Test
    void namesTheRepeatedHeaderContentLengthFirst() {
        assertThat(StrictMessageParser.repeatedSingleHeader(bytes("To: a\r\nt: b\r\nl: 0\r\nContent-Length: 0\r\n\r\n"))).isEqualTo("Content-Length");
        assertThat(StrictMessageParser.repeatedSingleHeader(bytes("To: a\r\nf: x\r\nt: b\r\nFROM: y\r\n\r\n"))).isEqualTo("From");
        assertThat(StrictMessageParser.repeatedSingleHeader(bytes("CSeq: 1 A\r\ncseq: 2 A\r\ni: x\r\nCall-ID: y\r\n\r\n"))).isEqualTo("CSeq");
        assertThat(StrictMessageParser.repeatedSingleHeader(bytes("Via: a\r\nv: b\r\nTo: a\r\n\r\nTo: in the body\r\n"))).isNull();
    }

    private static byte[] bytes(String headers) {
        return ("OPTIONS sip:a@127.0.0.1 SIP/2.0\r\n" + headers).getBytes(StandardCharsets.UTF_8);
    }

    /** The reading this replaced (the stack's code until issue 15's sixth session). */
    private static String reference(byte[] message) {
        Map<String, String> single = Map.ofEntries(Map.entry("content-length", "Content-Length"), Map.entry("l", "Content-Length"),
                Map.entry("to", "To"), Map.entry("t", "To"), Map.entry("from", "From"), Map.entry("f", "From"),
                Map.entry("call-id", "Call-ID"), Map.entry("i", "Call-ID"), Map.entry("cseq", "CSeq"),
                Map.entry("max-forwards", "Max-Forwards"), Map.entry("content-type", "Content-Type"), Map.entry("c", "Content-Type"));
        Map<String, Integer> seen = new HashMap<>();
        int lineStart = 0;
        for (int i = 0; i <= message.length; i++) {
            if (i == message.length || message[i] == '\n') {
                int end = i > lineStart && message[i - 1] == '\r' ? i - 1 : i;
                if (end == lineStart && lineStart > 0) break;
                int colon = -1;
                for (int j = lineStart; j < end; j++) {
                    if (message[j] == ':') {
                        colon = j;
                        break;
                    }
                }
                if (lineStart > 0 && colon > lineStart && message[lineStart] != ' ' && message[lineStart] != '\t') {
                    String name = single.get(new String(message, lineStart, colon - lineStart, StandardCharsets.US_ASCII).trim().toLowerCase(Locale.ROOT));
                    if (name != null) seen.merge(name, 1, Integer::sum);
                }
                lineStart = i + 1;
            }
        }
        if (seen.getOrDefault("Content-Length", 0) > 1) return "Content-Length";
        List<String> repeated = new ArrayList<>();
        seen.forEach((name, count) -> {
            if (count > 1) repeated.add(name);
        });
        return repeated.stream().sorted().findFirst().orElse(null);
    }
}
