package org.screamrouter.sip.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The writer returns the parsed text for a description the parser built and judged writable verbatim
 * (see {@code SourceText}). These tests hold that shortcut to what the field-by-field writer gives: a
 * copy of the description (same components, another object) never takes the shortcut, so the two
 * writes must agree on every input, well-formed, mutated, or crafted to be valid but not in the
 * writer's form.
 */
class VerbatimWriteTest {

    private static final long SEED = 0x5DEECE66DL;

    /** Same components, another object: written field by field. */
    static SessionDescription copy(SessionDescription d) {
        return new SessionDescription(d.version(), d.origin(), d.sessionName(), d.information(), d.uri(), d.emails(),
                d.phones(), d.connection(), d.bandwidths(), d.timings(), d.timeZones(), d.encryptionKey(),
                d.attributes(), d.media(), d.unrecognizedLines());
    }

    static void assertShortcutAgrees(String text) {
        SessionDescription d = SdpParser.parseLenient(text).description();
        assertThat(SdpWriter.write(d)).as("input:%n%s", text).isEqualTo(SdpWriter.write(copy(d)));
    }

    @TestFactory
    Stream<DynamicTest> wellFormedCorpusFileIsWrittenByTheFieldWriterAsReceived() {
        return Corpus.wellFormed().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            String text = Corpus.text(f);
            assertThat(SdpWriter.write(copy(SdpParser.parse(text)))).isEqualTo(text);
        }));
    }

    @Test
    void benchmarkedBrowserOffersTakeTheShortcut() throws SdpParseException {
        for (String name : List.of("chrome-audio-only.sdp", "chromium120-audio-video-offer.sdp")) {
            String text = Corpus.text(name);
            assertThat(SdpWriter.write(SdpParser.parse(text))).isSameAs(text);
        }
    }

    @Test
    void aChangedDescriptionIsWrittenFieldByField() throws SdpParseException {
        SessionDescription d = SdpParser.parse(Corpus.text("chrome-audio-only.sdp"));
        SessionDescription next = d.withOrigin(d.origin().withNextVersion());
        assertThat(SdpWriter.write(next)).contains("o=- 863426017819471768 3 IN IP4 127.0.0.1\r\n")
                .isEqualTo(Corpus.text("chrome-audio-only.sdp").replace(" 2 IN IP4", " 3 IN IP4"));
    }

    @Test
    void validLinesNotInTheWritersFormAreRewritten() {
        String base = "v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nb=AS:64\r\nt=0 0\r\n"
                + "m=audio 4000 RTP/AVP 0 8\r\nc=IN IP4 224.2.1.1/127/3\r\nb=TIAS:64000\r\na=rtpmap:0 PCMU/8000\r\n";
        assertShortcutAgrees(base);
        assertThat(SdpWriter.write(SdpParser.parseLenient(base).description())).isSameAs(base);
        List<String[]> variants = List.of(
                new String[] {"v=0", "v=00"},
                new String[] {"o=- 1 2 IN", "o=-  1 2 IN"},
                new String[] {"IP4 10.0.0.1\r\ns=", "IP4 10.0.0.1 \r\ns="},
                new String[] {"c=IN IP4 10.0.0.1", "c=IN  IP4 10.0.0.1"},
                new String[] {"b=AS:64", "b=AS:064"},
                new String[] {"t=0 0", "t=00 0"},
                new String[] {"t=0 0", "t=0 00"},
                new String[] {"t=0 0\r\n", "t=0 0\r\nr=7d 1h 0 25h\r\n"},
                new String[] {"t=0 0\r\n", "t=0 0\r\nr=7d  1h 0 25h\r\n"},
                new String[] {"t=0 0\r\n", "t=0 0\r\nz=2882844526 -1h 2898848070 0\r\n"},
                new String[] {"t=0 0\r\n", "t=0 0\r\nk=prompt\r\n"},
                new String[] {"m=audio 4000", "m=audio 04000"},
                new String[] {"m=audio 4000", "m=audio 4000/2"},
                new String[] {"m=audio 4000", "m=audio 4000/02"},
                new String[] {"m=audio 4000", "m=audio  4000"},
                new String[] {"RTP/AVP 0 8", "RTP/AVP 0 08"},
                new String[] {"RTP/AVP 0 8", "RTP/AVP 0 8 "},
                new String[] {"/127/3", "/0127/3"},
                new String[] {"/127/3", "/127/03"},
                new String[] {"224.2.1.1/127/3", "ff15::101/3"},
                new String[] {"a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:0 PCMU/8000\n"},
                new String[] {"a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:0 PCMU/8000"},
                new String[] {"a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:0 PCMU/8000\r\n\r\n"},
                new String[] {"a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:0 PCMU/8000\r\r\n"},
                new String[] {"s=-\r\n", "s=-\r\ni=x\r\n"},
                new String[] {"b=TIAS:64000\r\n", "b=TIAS:64000\r\ni=late\r\n"},
                new String[] {"s=-\r\n", "s=-\r\nf=unknown\r\n"},
                new String[] {"a=rtpmap:0 PCMU/8000", "a=x-unknown:1"});
        for (String[] v : variants) {
            assertThat(base).contains(v[0]);
            assertShortcutAgrees(base.replace(v[0], v[1]));
        }
        // IP6 with a number of addresses is in the writer's form when single-spaced and plain
        String ip6 = base.replace("IP4 224.2.1.1/127/3", "IP6 ff15::101/3");
        assertThat(SdpWriter.write(SdpParser.parseLenient(ip6).description())).isEqualTo(ip6);
    }

    @Test
    void mutatedCorpusAndRandomInputAgreeWithTheFieldWriter() {
        List<String> corpus = Corpus.files().stream().map(Path::toFile).map(f -> Corpus.text(f.toPath())).toList();
        Random random = new Random(SEED);
        for (int i = 0; i < 20_000; i++) {
            String input;
            if (i % 10 == 0) {
                byte[] bytes = new byte[random.nextInt(300)];
                random.nextBytes(bytes);
                input = new String(bytes, StandardCharsets.ISO_8859_1);
            } else {
                input = NoUncheckedExceptionPropertiesTest.mutate(corpus.get(random.nextInt(corpus.size())), random);
            }
            assertShortcutAgrees(input);
        }
    }
}
