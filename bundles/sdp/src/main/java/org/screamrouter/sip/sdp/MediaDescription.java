package org.screamrouter.sip.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.screamrouter.sip.sdp.internal.FrozenList;

/**
 * One media section (RFC 8866 section 5.14): the {@code m=} line and the {@code i= c= b= k= a=} lines
 * under it.
 *
 * @param media       {@code audio}, {@code video}, {@code application}...
 * @param port        0 for a rejected or bundle-only stream (RFC 3264 section 6, RFC 9143)
 * @param portCount   the {@code /<number of ports>} suffix, or -1 when absent
 * @param protocol    e.g. {@code RTP/AVP}, {@code UDP/TLS/RTP/SAVPF}, {@code DTLS/SCTP}
 * @param formats     payload types (for RTP) or other format tokens, in preference order
 * @param information {@code i=}, or {@code null}
 * @param encryptionKey {@code k=}, or {@code null}
 * @param unrecognizedLines lines the lenient parser kept without understanding them
 */
public record MediaDescription(String media, int port, int portCount, String protocol, List<String> formats,
                               String information, List<Connection> connections, List<Bandwidth> bandwidths,
                               EncryptionKey encryptionKey, List<Attribute> attributes,
                               List<UnrecognizedLine> unrecognizedLines) implements AttributeSection {

    public MediaDescription {
        Objects.requireNonNull(media, "media");
        Objects.requireNonNull(protocol, "protocol");
        formats = FrozenList.freeze(formats);
        connections = FrozenList.freeze(connections);
        bandwidths = FrozenList.freeze(bandwidths);
        attributes = FrozenList.freeze(attributes);
        unrecognizedLines = FrozenList.freeze(unrecognizedLines);
    }

    /** A media section with only an {@code m=} line and attributes. */
    public static MediaDescription of(String media, int port, String protocol, List<String> formats, List<Attribute> attributes) {
        return new MediaDescription(media, port, -1, protocol, formats, null, List.of(), List.of(), null, attributes, List.of());
    }

    /** The first {@code c=} line of this section, if any. */
    public Optional<Connection> connection() {
        return connections.isEmpty() ? Optional.empty() : Optional.of(connections.get(0));
    }

    /** True for an RTP profile ({@code RTP/AVP}, {@code RTP/SAVPF}, {@code UDP/TLS/RTP/SAVPF}...). */
    public boolean isRtp() {
        return protocol.contains("RTP/");
    }

    /** True when the port is 0: rejected by an answer, disabled, or bundle-only (RFC 3264 section 8.2). */
    public boolean isRejected() {
        return port == 0;
    }

    /** The payload types of the {@code m=} line that are numbers, in order. */
    public List<Integer> payloadTypes() {
        List<Integer> list = new ArrayList<>(formats.size());
        for (String f : formats) {
            int pt = Formats.payloadType(f);
            if (pt >= 0) {
                list.add(pt);
            }
        }
        return List.copyOf(list);
    }

    public MediaDescription withPort(int newPort) {
        return new MediaDescription(media, newPort, portCount, protocol, formats, information, connections,
                bandwidths, encryptionKey, attributes, unrecognizedLines);
    }

    public MediaDescription withAttributes(List<Attribute> newAttributes) {
        return new MediaDescription(media, port, portCount, protocol, formats, information, connections,
                bandwidths, encryptionKey, newAttributes, unrecognizedLines);
    }

    public MediaDescription withConnections(List<Connection> newConnections) {
        return new MediaDescription(media, port, portCount, protocol, formats, information, newConnections,
                bandwidths, encryptionKey, attributes, unrecognizedLines);
    }
}
