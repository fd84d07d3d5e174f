package org.screamrouter.sip.sdp.internal;

import java.util.List;
import org.screamrouter.sip.sdp.Attribute;
import org.screamrouter.sip.sdp.Bandwidth;
import org.screamrouter.sip.sdp.Connection;
import org.screamrouter.sip.sdp.MediaDescription;
import org.screamrouter.sip.sdp.Origin;
import org.screamrouter.sip.sdp.RepeatTime;
import org.screamrouter.sip.sdp.SessionDescription;
import org.screamrouter.sip.sdp.TimeZoneAdjustment;
import org.screamrouter.sip.sdp.Timing;
import org.screamrouter.sip.sdp.UnrecognizedLine;

/**
 * Serialises the model in RFC 8866 section 5 order with CRLF. The buffer is sized up front from the
 * attribute text so that writing a browser offer grows it at most once.
 */
public final class SdpWriting {

    private SdpWriting() {
    }

    public static String write(SessionDescription d) {
        String parsed = parsedText(d);
        if (parsed != null) {
            return parsed;
        }
        StringBuilder sb = new StringBuilder(estimate(d));
        writeSession(sb, d);
        for (MediaDescription m : d.media()) {
            writeMedia(sb, m);
        }
        return sb.toString();
    }

    /** Writes the attributes and media of a trickle ICE fragment (RFC 8840 section 9): no v=, o=, s=, t=. */
    public static String writeFragment(List<Attribute> attributes, List<MediaDescription> media) {
        StringBuilder sb = new StringBuilder(256);
        attributes(sb, attributes);
        for (MediaDescription m : media) {
            writeMedia(sb, m);
        }
        return sb.toString();
    }

    /**
     * The text {@code d} was parsed from, when {@code d} is the very description the parser built from it
     * and the parser found that writing it would give that text back (see {@link SourceText}); else null.
     * Relaying a device's SDP unchanged then costs no copy at all.
     */
    private static String parsedText(SessionDescription d) {
        if (d.attributes() instanceof FrozenList<Attribute> list) {
            SourceText source = list.source;
            if (source != null && source.description == d) {
                return source.text;
            }
        }
        return null;
    }

    private static int estimate(SessionDescription d) {
        int n = 128;
        n += attributeLength(d.attributes());
        for (MediaDescription m : d.media()) {
            n += 64 + m.formats().size() * 4 + attributeLength(m.attributes());
        }
        return n;
    }

    private static int attributeLength(List<Attribute> attributes) {
        int n = 0;
        for (int i = 0, size = attributes.size(); i < size; i++) {
            Attribute a = attributes.get(i);
            n += a.name().length() + 5 + (a.value() == null ? 0 : a.value().length());
        }
        return n;
    }

    private static void writeSession(StringBuilder sb, SessionDescription d) {
        sb.append("v=").append(d.version()).append("\r\n");
        Origin o = d.origin();
        if (o != null) {
            sb.append("o=").append(o.username()).append(' ').append(o.sessionId()).append(' ')
              .append(o.sessionVersion()).append(' ').append(o.networkType()).append(' ')
              .append(o.addressType()).append(' ').append(o.address()).append("\r\n");
        }
        line(sb, 's', d.sessionName());
        line(sb, 'i', d.information());
        line(sb, 'u', d.uri());
        for (String e : d.emails()) {
            line(sb, 'e', e);
        }
        for (String p : d.phones()) {
            line(sb, 'p', p);
        }
        if (d.connection() != null) {
            connection(sb, d.connection());
        }
        bandwidths(sb, d.bandwidths());
        for (Timing t : d.timings()) {
            sb.append("t=").append(t.startTime()).append(' ').append(t.stopTime()).append("\r\n");
            for (RepeatTime r : t.repeats()) {
                sb.append("r=").append(r.interval()).append(' ').append(r.activeDuration());
                for (String off : r.offsets()) {
                    sb.append(' ').append(off);
                }
                sb.append("\r\n");
            }
        }
        if (!d.timeZones().isEmpty()) {
            sb.append("z=");
            boolean first = true;
            for (TimeZoneAdjustment z : d.timeZones()) {
                if (!first) {
                    sb.append(' ');
                }
                first = false;
                sb.append(z.adjustmentTime()).append(' ').append(z.offset());
            }
            sb.append("\r\n");
        }
        if (d.encryptionKey() != null) {
            line(sb, 'k', d.encryptionKey().toString());
        }
        attributes(sb, d.attributes());
        unrecognized(sb, d.unrecognizedLines());
    }

    private static void writeMedia(StringBuilder sb, MediaDescription m) {
        sb.append("m=").append(m.media()).append(' ').append(m.port());
        if (m.portCount() >= 0) {
            sb.append('/').append(m.portCount());
        }
        sb.append(' ').append(m.protocol());
        List<String> formats = m.formats();
        for (int i = 0, n = formats.size(); i < n; i++) {
            sb.append(' ').append(formats.get(i));
        }
        sb.append("\r\n");
        line(sb, 'i', m.information());
        for (Connection c : m.connections()) {
            connection(sb, c);
        }
        bandwidths(sb, m.bandwidths());
        if (m.encryptionKey() != null) {
            line(sb, 'k', m.encryptionKey().toString());
        }
        attributes(sb, m.attributes());
        unrecognized(sb, m.unrecognizedLines());
    }

    private static void line(StringBuilder sb, char type, String value) {
        if (value != null) {
            sb.append(type).append('=').append(value).append("\r\n");
        }
    }

    private static void connection(StringBuilder sb, Connection c) {
        sb.append("c=").append(c.networkType()).append(' ').append(c.addressType()).append(' ').append(c.address());
        if (c.ttl() >= 0) {
            sb.append('/').append(c.ttl());
        }
        if (c.addressCount() >= 0) {
            sb.append('/').append(c.addressCount());
        }
        sb.append("\r\n");
    }

    private static void bandwidths(StringBuilder sb, List<Bandwidth> bandwidths) {
        for (Bandwidth b : bandwidths) {
            sb.append("b=").append(b.type()).append(':').append(b.value()).append("\r\n");
        }
    }

    private static void attributes(StringBuilder sb, List<Attribute> attributes) {
        for (int i = 0, n = attributes.size(); i < n; i++) {
            Attribute a = attributes.get(i);
            sb.append("a=").append(a.name());
            if (a.value() != null) {
                sb.append(':').append(a.value());
            }
            sb.append("\r\n");
        }
    }

    private static void unrecognized(StringBuilder sb, List<UnrecognizedLine> lines) {
        for (UnrecognizedLine u : lines) {
            sb.append(u.text()).append("\r\n");
        }
    }
}
