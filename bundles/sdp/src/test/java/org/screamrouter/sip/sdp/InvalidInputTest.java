package org.screamrouter.sip.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InvalidInputTest {

    @Test
    void edgeInvalidLinesYieldsPreciseDiagnosticsWhenLenient() {
        ParseResult r = SdpParser.parseLenient(Corpus.text(Corpus.INVALID));
        assertThat(r.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                "line 7 `a=rtcp:1 IN IP7 X`: unknown address type IP7",
                "line 9 `a=goo:hithere`: unknown attribute goo",
                "line 10 `f=invalid:yes`: unknown line type f");
        assertThat(r.diagnostics()).extracting(Diagnostic::kind).containsExactly(
                Diagnostic.Kind.INVALID_VALUE, Diagnostic.Kind.UNKNOWN_ATTRIBUTE, Diagnostic.Kind.UNKNOWN_LINE_TYPE);
        assertThat(r.diagnostics().get(1).severity()).isEqualTo(Diagnostic.Severity.WARNING);
    }

    @Test
    void edgeInvalidLinesKeepsWhatItCouldReadWhenLenient() {
        SessionDescription d = SdpParser.parseLenient(Corpus.text(Corpus.INVALID)).description();
        MediaDescription audio = d.media().get(0);
        assertThat(audio.rtcp()).isEmpty();
        assertThat(audio.rtpMap(0)).contains(new RtpMap(0, "PCMU", 8000, null));
        assertThat(audio.attribute("goo")).contains("hithere");
        assertThat(audio.unrecognizedLines()).extracting(UnrecognizedLine::text).containsExactly("f=invalid:yes");
    }

    @Test
    void edgeInvalidLinesFailsStrictlyOnTheFirstError() {
        assertThatThrownBy(() -> SdpParser.parse(Corpus.text(Corpus.INVALID)))
                .isInstanceOf(SdpParseException.class)
                .hasMessage("line 7 `a=rtcp:1 IN IP7 X`: unknown address type IP7")
                .extracting(e -> ((SdpParseException) e).lineNumber()).isEqualTo(7);
    }

    @Test
    void unknownAddressTypeInConnectionLineIsNamed() {
        String sdp = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\nc=IN IP7 X\r\na=sendrecv\r\n";
        assertThatThrownBy(() -> SdpParser.parse(sdp)).hasMessage("line 6 `c=IN IP7 X`: unknown address type IP7");
    }

    @Test
    void connectionLineAfterAttributesIsOutOfOrder() {
        String sdp = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\na=sendrecv\r\nc=IN IP4 1.2.3.4\r\n";
        assertThatThrownBy(() -> SdpParser.parse(sdp)).hasMessage("line 7 `c=IN IP4 1.2.3.4`: c= line out of order");
    }

    @Test
    void missingSessionNameIsAnErrorWhenStrictAndADiagnosticWhenLenient() {
        String sdp = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\n";
        assertThatThrownBy(() -> SdpParser.parse(sdp)).hasMessage("line 3 `t=0 0`: missing s= line");
        ParseResult r = SdpParser.parseLenient(sdp);
        assertThat(r.diagnostics()).extracting(Diagnostic::kind).containsExactly(Diagnostic.Kind.MISSING_LINE);
        assertThat(r.description().sessionName()).isNull();
        assertThat(r.description().media()).hasSize(1);
    }

    @Test
    void duplicateSingleAttributeIsReported() {
        String sdp = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\na=mid:a\r\na=mid:b\r\na=sendonly\r\na=recvonly\r\n";
        ParseResult r = SdpParser.parseLenient(sdp);
        assertThat(r.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                "line 7 `a=mid:b`: duplicate attribute mid",
                "line 9 `a=recvonly`: more than one direction attribute (recvonly)");
        assertThatThrownBy(() -> SdpParser.parse(sdp)).hasMessage("line 7 `a=mid:b`: duplicate attribute mid");
    }

    @Test
    void missingTimingAtEndOfInputIsReportedAfterTheLastLine() {
        String sdp = "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\n";
        assertThatThrownBy(() -> SdpParser.parse(sdp)).hasMessage("line 4: missing t= line");
    }

    @Test
    void malformedLineAndEmptyLineAreReported() {
        String sdp = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n\r\nhello\r\nm=audio 5004 RTP/AVP 0\r\n";
        ParseResult r = SdpParser.parseLenient(sdp);
        assertThat(r.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                "line 5 ``: empty line", "line 6 `hello`: expected <type>=<value>");
    }

    @Test
    void trailingEmptyLineIsTolerated() throws SdpParseException {
        String sdp = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\n\r\n";
        assertThat(SdpParser.parse(sdp).media()).hasSize(1);
    }

    @Test
    void payloadTypeOutOfRangeOnAnRtpMediaLineIsRejected() {
        String sdp = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0 300\r\n";
        assertThatThrownBy(() -> SdpParser.parse(sdp)).hasMessage("line 5 `m=audio 5004 RTP/AVP 0 300`: payload type out of range: 300");
    }
}
