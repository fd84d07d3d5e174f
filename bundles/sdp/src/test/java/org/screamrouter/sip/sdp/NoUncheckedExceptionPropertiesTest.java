package org.screamrouter.sip.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * No byte sequence makes the library throw an unchecked exception: random bytes, random SDP-ish
 * lines, and corpus files mutated byte by byte. Bounded to a few seconds in total.
 */
class NoUncheckedExceptionPropertiesTest {

    private static final String INSERTS = " :/\r\n=0";

    private static final List<String> CORPUS = Corpus.files().stream().map(Path::toFile)
            .map(f -> Corpus.text(f.toPath())).toList();

    @Property(tries = 2000)
    void randomBytesNeverThrowUnchecked(@ForAll @Size(max = 400) byte[] bytes) {
        exercise(new String(bytes, StandardCharsets.UTF_8));
    }

    @Property(tries = 2000)
    void randomSdpLinesNeverThrowUnchecked(@ForAll("sdpLines") List<String> lines) {
        exercise(String.join("\r\n", lines));
    }

    @Property(tries = 3000)
    void mutatedCorpusNeverThrowsUnchecked(@ForAll("corpusIndex") int file, @ForAll long seed) {
        exercise(mutate(CORPUS.get(file), new Random(seed)));
    }

    @Provide
    Arbitrary<Integer> corpusIndex() {
        return Arbitraries.integers().between(0, CORPUS.size() - 1);
    }

    @Provide
    Arbitrary<List<String>> sdpLines() {
        Arbitrary<String> type = Arbitraries.of("v", "o", "s", "i", "u", "e", "p", "c", "b", "t", "r", "z", "k", "a", "m", "x", "");
        Arbitrary<String> name = Arbitraries.of("rtpmap", "fmtp", "candidate", "rtcp", "fingerprint", "extmap", "ssrc",
                "ssrc-group", "group", "msid", "crypto", "setup", "ptime", "sctp-port", "ice-ufrag", "sendonly",
                "x-screamrouter-role", "x-screamrouter-supported-protocols", "mid", "max-message-size", "goo");
        Arbitrary<String> value = Arbitraries.strings().withChars("0123456789 :/.-abcIPNtyphostxrdAVUDL*=;,\t\u0000\u00e9")
                .ofMaxLength(40);
        Arbitrary<String> line = Arbitraries.oneOf(
                net.jqwik.api.Combinators.combine(type, value).as((t, v) -> t + "=" + v),
                net.jqwik.api.Combinators.combine(name, value).as((n, v) -> "a=" + n + ":" + v),
                value);
        return line.list().ofMaxSize(25);
    }

    /** Deletes, duplicates, flips or inserts bytes, or swaps two lines. */
    static String mutate(String text, Random random) {
        StringBuilder sb = new StringBuilder(text);
        int edits = 1 + random.nextInt(8);
        for (int i = 0; i < edits && sb.length() > 0; i++) {
            int at = random.nextInt(sb.length());
            switch (random.nextInt(5)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, sb.charAt(at));
                case 2 -> sb.setCharAt(at, (char) random.nextInt(256));
                case 3 -> sb.insert(at, INSERTS.charAt(random.nextInt(INSERTS.length())));
                default -> {
                    int end = Math.min(sb.length(), at + random.nextInt(60));
                    sb.delete(at, end);
                }
            }
        }
        return sb.toString();
    }

    /** Everything a caller might do with untrusted SDP; only checked exceptions are allowed out. */
    static void exercise(String text) {
        ParseResult lenient = SdpParser.parseLenient(text);
        SessionDescription d = lenient.description();
        SdpWriter.write(d);
        views(d);
        for (MediaDescription m : d.media()) {
            views(m);
            d.direction(m);
            m.payloadTypes();
        }
        DeviceCapabilities.from(d);
        d.screamRouter();
        try {
            SdpParser.parse(text);
        } catch (SdpParseException expected) {
            assertThat(expected.getMessage()).startsWith("line ");
        }
        try {
            SdpFragment.parse(text).toSdpFrag();
        } catch (SdpParseException expected) {
            assertThat(expected.getMessage()).startsWith("line ");
        }
        try {
            new OfferAnswer(new LocalCapabilities("u", "1", 1, "10.0.0.1", 4000, List.of(Codec.PCMU, Codec.OPUS), true,
                    Direction.SENDRECV)).answer(d);
        } catch (OfferRejectedException expected) {
            assertThat(expected.sipStatus()).isEqualTo(488);
        }
        Candidate.parse(text);
    }

    private static void views(AttributeSection s) {
        s.rtpMaps();
        s.fmtps().forEach(Fmtp::parameterMap);
        s.ptime();
        s.maxPtime();
        s.rtcp();
        s.rtcpFeedback();
        s.direction();
        s.mid();
        s.groups();
        s.msids();
        s.ssrcs();
        s.ssrcGroups();
        s.extMaps();
        s.setup();
        s.fingerprints();
        s.cryptos();
        s.iceUfrag();
        s.icePwd();
        s.iceOptions();
        s.candidates().forEach(Candidate::toAttributeValue);
        s.sctpPort();
        s.maxMessageSize();
        s.screamRouterRole();
        s.screamRouterUuid();
        s.screamRouterProtocols();
    }
}
