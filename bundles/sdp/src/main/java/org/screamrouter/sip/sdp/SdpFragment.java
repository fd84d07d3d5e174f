package org.screamrouter.sip.sdp;

import java.util.ArrayList;
import java.util.List;
import org.screamrouter.sip.sdp.internal.FrozenList;
import org.screamrouter.sip.sdp.internal.SdpReader;
import org.screamrouter.sip.sdp.internal.SdpWriting;

/**
 * A trickle ICE fragment, {@code application/trickle-ice-sdpfrag} (RFC 8840 section 9), as carried in
 * SIP INFO bodies: session-level ICE attributes ({@code ice-ufrag}, {@code ice-pwd}, {@code ice-options})
 * and media sections identified by {@code a=mid} holding {@code a=candidate} and {@code a=end-of-candidates}.
 * It has no {@code v= o= s= t=} lines.
 */
public record SdpFragment(List<Attribute> attributes, List<MediaDescription> media) implements AttributeSection {

    /** The SIP Content-Type of a fragment (RFC 8840 section 9.1). */
    public static final String CONTENT_TYPE = "application/trickle-ice-sdpfrag";

    public SdpFragment {
        attributes = FrozenList.freeze(attributes);
        media = FrozenList.freeze(media);
    }

    /** Parses a fragment strictly: the first error fails with the line named. */
    public static SdpFragment parse(String text) throws SdpParseException {
        SessionDescription d = SdpReader.strict(text, true);
        return new SdpFragment(d.attributes(), d.media());
    }

    /** Parses a fragment, collecting problems instead of failing; unknown lines are dropped. */
    public static Lenient parseLenient(String text) {
        ParseResult r = SdpReader.lenient(text, true);
        return new Lenient(new SdpFragment(r.description().attributes(), r.description().media()), r.diagnostics());
    }

    /** A leniently parsed fragment and what was wrong with it. */
    public record Lenient(SdpFragment fragment, List<Diagnostic> diagnostics) {
        public Lenient {
            diagnostics = List.copyOf(diagnostics);
        }
    }

    /**
     * A fragment for one media section: the credentials (ICE restarts are detected by them, RFC 8840
     * section 4.4), the candidates, and {@code a=end-of-candidates} when gathering is complete.
     */
    public static SdpFragment of(String ufrag, String pwd, String mediaType, String mid, List<Candidate> candidates,
                                 boolean endOfCandidates) {
        List<Attribute> session = new ArrayList<>(3);
        session.add(Attribute.of("ice-options", "trickle"));
        session.add(Attribute.of("ice-ufrag", ufrag));
        session.add(Attribute.of("ice-pwd", pwd));
        List<Attribute> attrs = new ArrayList<>(candidates.size() + 2);
        attrs.add(Attribute.of("mid", mid));
        for (Candidate c : candidates) {
            attrs.add(c.toAttribute());
        }
        if (endOfCandidates) {
            attrs.add(Attribute.property("end-of-candidates"));
        }
        // RFC 8840 section 9: the m= line of a fragment is a placeholder: port 9, and the formats do not matter
        MediaDescription m = MediaDescription.of(mediaType, 9, "RTP/AVP", List.of("0"), attrs);
        return new SdpFragment(session, List.of(m));
    }

    /** The candidates of the media section with this mid. */
    public List<Candidate> candidates(String mid) {
        for (MediaDescription m : media) {
            if (m.mid().map(mid::equals).orElse(false)) {
                return m.candidates();
            }
        }
        return List.of();
    }

    /** The fragment as a body with CRLF line endings. */
    public String toSdpFrag() {
        return SdpWriting.writeFragment(attributes, media);
    }
}
