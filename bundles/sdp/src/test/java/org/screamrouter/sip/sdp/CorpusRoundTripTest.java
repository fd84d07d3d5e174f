package org.screamrouter.sip.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class CorpusRoundTripTest {

    @Test
    void corpusHoldsTheTwelveFilesOfItsReadme() {
        assertThat(Corpus.files()).hasSize(12);
    }

    @TestFactory
    Stream<DynamicTest> everyCorpusFileParsesLeniently() {
        return Corpus.files().stream().map(f -> DynamicTest.dynamicTest(name(f), () -> {
            ParseResult r = SdpParser.parseLenient(Corpus.text(f));
            assertThat(r.description().media()).isNotEmpty();
        }));
    }

    @TestFactory
    Stream<DynamicTest> wellFormedCorpusFileParsesStrictlyWithoutErrors() {
        return Corpus.wellFormed().stream().map(f -> DynamicTest.dynamicTest(name(f), () -> {
            SdpParser.parse(Corpus.text(f));
            assertThat(SdpParser.parseLenient(Corpus.text(f)).errors()).isEmpty();
        }));
    }

    @TestFactory
    Stream<DynamicTest> wellFormedCorpusFileIsWrittenBackByteForByte() {
        return Corpus.wellFormed().stream().map(f -> DynamicTest.dynamicTest(name(f), () -> {
            String text = Corpus.text(f);
            assertThat(SdpWriter.write(SdpParser.parse(text))).isEqualTo(text);
        }));
    }

    @TestFactory
    Stream<DynamicTest> lineFeedOnlyInputIsWrittenBackWithCrlf() {
        return Corpus.wellFormed().stream().map(f -> DynamicTest.dynamicTest(name(f), () -> {
            String text = Corpus.text(f);
            assertThat(SdpWriter.write(SdpParser.parse(text.replace("\r\n", "\n")))).isEqualTo(text);
        }));
    }

    @Test
    void invalidLinesAreKeptByTheLenientParserAndWrittenBack() {
        String text = Corpus.text(Corpus.INVALID);
        assertThat(SdpWriter.write(SdpParser.parseLenient(text).description())).isEqualTo(text);
    }

    private static String name(Path f) {
        return f.getFileName().toString();
    }
}
