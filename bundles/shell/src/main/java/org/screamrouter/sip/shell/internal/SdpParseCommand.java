package org.screamrouter.sip.shell.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.screamrouter.sip.sdp.AudioFormat;
import org.screamrouter.sip.sdp.Candidate;
import org.screamrouter.sip.sdp.DeviceCapabilities;
import org.screamrouter.sip.sdp.Diagnostic;
import org.screamrouter.sip.sdp.MediaDescription;
import org.screamrouter.sip.sdp.ParseResult;
import org.screamrouter.sip.sdp.ScreamRouterAttributes;
import org.screamrouter.sip.sdp.SdpParser;
import org.screamrouter.sip.sdp.SessionDescription;

/** {@code sdp:parse <file>}: a readable summary of an SDP file, read leniently so that faults are listed, not fatal. */
@Service
@Command(scope = "sdp", name = "parse", description = "Parses an SDP file and prints its media, codecs, ICE, DTLS, ScreamRouter attributes and problems")
public class SdpParseCommand implements Action {

    @Argument(index = 0, name = "file", description = "The SDP file", required = true)
    @Completion(FileCompleter.class)
    String file;

    @Override
    public Object execute() throws Exception {
        ParseResult result = SdpParser.parseLenient(Files.readAllBytes(Path.of(file)));
        SessionDescription d = result.description();
        System.out.println("origin:  " + d.origin() + "   session: " + d.sessionName());
        d.bundleGroup().ifPresent(g -> System.out.println("bundle:  " + String.join(" ", g.mids())));
        for (MediaDescription m : d.media()) {
            System.out.printf("m=%s port %d %s  mid=%s  %s%n", m.media(), m.port(), m.protocol(),
                    m.mid().orElse("-"), d.direction(m).attributeName());
            List<AudioFormat> formats = AudioFormat.of(m);
            System.out.println("  codecs:  " + formats.stream().map(AudioFormat::toString).collect(Collectors.joining(", ")));
            System.out.printf("  ice:     ufrag=%s pwd=%s options=%s candidates=%d%s%n", d.iceUfrag(m).orElse("-"),
                    d.icePwd(m).orElse("-"), m.iceOptions(), m.candidates().size(), m.endOfCandidates() ? " (complete)" : "");
            for (Candidate c : m.candidates()) {
                System.out.printf("           %s %s %s:%d %s%n", c.component(), c.transport(), c.address(), c.port(), c.type());
            }
            System.out.printf("  dtls:    %s setup=%s%n", d.fingerprint(m).map(Object::toString).orElse("-"),
                    d.setup(m).map(s -> s.attributeValue()).orElse("-"));
        }
        ScreamRouterAttributes sr = d.screamRouter();
        System.out.printf("screamrouter: role=%s uuid=%s protocols=%s webrtc=%s%n", sr.role() == null ? "-" : sr.role().attributeValue(),
                sr.uuid() == null ? "-" : sr.uuid(), sr.protocols(), DeviceCapabilities.from(d).webRtc());
        System.out.println(result.diagnostics().isEmpty() ? "no problems" : result.diagnostics().size() + " problem(s):");
        for (Diagnostic diagnostic : result.diagnostics()) {
            System.out.println("  " + diagnostic.severity() + " " + diagnostic);
        }
        return null;
    }
}
