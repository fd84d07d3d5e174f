package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import gov.nist.javax.sip.parser.ParserFactory;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class CommonHeaderParsersTest {
    @Test
    void eachNameGetsTheParserJainSipsFactoryWouldMake() throws Exception {
        for (String name : CommonHeaderParsers.names()) {
            for (String written : new String[] {name, name.toLowerCase(Locale.ROOT), name.toUpperCase(Locale.ROOT), " " + name + " "}) {
                String line = written + ": x";
                assertThat(CommonHeaderParsers.forLine(line)).as(line).isNotNull()
                        .hasSameClassAs(ParserFactory.createParser(line + "\n"));
            }
        }
    }

    @Test
    void otherHeadersAndLinesWithoutANameAreLeftToTheFactory() {
        assertThat(CommonHeaderParsers.forLine("Subject: x")).isNull();
        assertThat(CommonHeaderParsers.forLine("Viax: x")).isNull();
        assertThat(CommonHeaderParsers.forLine("Vi: x")).isNull();
        assertThat(CommonHeaderParsers.forLine(": x")).isNull();
        assertThat(CommonHeaderParsers.forLine("   : x")).isNull();
        assertThat(CommonHeaderParsers.forLine("Via x")).isNull();
        assertThat(CommonHeaderParsers.forLine("")).isNull();
    }

    @Test
    void namesWithLettersOutsideAsciiAreLeftToTheFactory() throws Exception {
        // String.regionMatches(ignoreCase) folds U+0130 into i and the Kelvin sign into k
        for (String line : new String[] {"V\u0130a: SIP/2.0/UDP 127.0.0.1", "Call-\u0130D: x", "\u212A: path"}) {
            assertThat(CommonHeaderParsers.forLine(line)).as(line).isNull();
        }
        // where the factory does not fold them either: an unknown header there, so it must not be a Via here
        assertThat(ParserFactory.createParser("V\u0130a: SIP/2.0/UDP 127.0.0.1\n").getClass())
                .isEqualTo(gov.nist.javax.sip.parser.HeaderParser.class);
    }
}
