package org.screamrouter.sip.sdp;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.screamrouter.sip.sdp.internal.AttributeSyntax;
import org.screamrouter.sip.sdp.internal.SyntaxError;

/**
 * An ICE candidate, {@code a=candidate} (RFC 8839 section 5.1):
 * {@code <foundation> <component> <transport> <priority> <address> <port> typ <type> [raddr <addr>] [rport <port>] *(<name> <value>)}.
 * The address may be IPv4, IPv6 or an mDNS {@code .local} name (RFC 8839 section 5.1 allows an FQDN).
 *
 * @param relatedAddress {@code raddr}, or {@code null}
 * @param relatedPort    {@code rport}, or -1
 * @param tcpType        {@code tcptype} (RFC 6544: active, passive, so), or {@code null}
 * @param extensions     the other name/value pairs in order ({@code generation}, {@code ufrag}, {@code network-id}...)
 */
public record Candidate(String foundation, int component, String transport, long priority,
                        String address, int port, String type, String relatedAddress, int relatedPort,
                        String tcpType, List<Extension> extensions) {

    /** One extension pair of a candidate. */
    public record Extension(String name, String value) {
        public Extension {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public Candidate {
        Objects.requireNonNull(foundation, "foundation");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(type, "type");
        extensions = List.copyOf(extensions);
    }

    /**
     * Parses a candidate from the value of {@code a=candidate:}, the {@code candidate:...} string a
     * browser's {@code RTCIceCandidate.candidate} holds, or a whole {@code a=candidate:...} line.
     */
    public static Optional<Candidate> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String value = text;
        if (value.startsWith("a=")) {
            value = value.substring(2);
        }
        if (value.regionMatches(true, 0, "candidate:", 0, 10)) {
            value = value.substring(10);
        }
        try {
            return Optional.of(AttributeSyntax.candidate(value));
        } catch (SyntaxError e) {
            return Optional.empty();
        }
    }

    /** The value of extension {@code name} ({@code generation}, {@code ufrag}...). */
    public Optional<String> extension(String name) {
        for (Extension e : extensions) {
            if (e.name.equalsIgnoreCase(name)) {
                return Optional.of(e.value);
            }
        }
        return Optional.empty();
    }

    public boolean isIpv6() {
        return address.indexOf(':') >= 0;
    }

    /** A host candidate hidden behind an mDNS name (draft-ietf-mmusic-mdns-ice-candidates). */
    public boolean isMdns() {
        return address.regionMatches(true, address.length() - 6, ".local", 0, 6);
    }

    /** The value after {@code a=candidate:}, in RFC 8839 order. */
    public String toAttributeValue() {
        StringBuilder sb = new StringBuilder(96);
        sb.append(foundation).append(' ').append(component).append(' ').append(transport).append(' ')
          .append(priority).append(' ').append(address).append(' ').append(port).append(" typ ").append(type);
        if (relatedAddress != null) {
            sb.append(" raddr ").append(relatedAddress);
        }
        if (relatedPort >= 0) {
            sb.append(" rport ").append(relatedPort);
        }
        if (tcpType != null) {
            sb.append(" tcptype ").append(tcpType);
        }
        for (Extension e : extensions) {
            sb.append(' ').append(e.name).append(' ').append(e.value);
        }
        return sb.toString();
    }

    public Attribute toAttribute() {
        return new Attribute("candidate", toAttributeValue());
    }
}
