package org.screamrouter.sip.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.screamrouter.sip.sdp.internal.AttributeSyntax;
import org.screamrouter.sip.sdp.internal.SyntaxError;

/**
 * Typed views of the {@code a=} lines of one section, session or media (RFC 8866 section 5.13 and
 * the RFCs named on each method). Views read the attributes on demand; a value that does not parse
 * is skipped (the lenient parser has already reported it), so a view never throws.
 */
public interface AttributeSection {

    /** The attributes of this section in the order received. */
    List<Attribute> attributes();

    /** The value of the first attribute named {@code name} ({@code ""} for a property attribute). */
    default Optional<String> attribute(String name) {
        for (Attribute a : attributes()) {
            if (a.name().equals(name)) {
                return Optional.of(a.value() == null ? "" : a.value());
            }
        }
        return Optional.empty();
    }

    default boolean hasAttribute(String name) {
        for (Attribute a : attributes()) {
            if (a.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The values of every attribute named {@code name}, in order. */
    default List<String> attributeValues(String name) {
        List<String> values = new ArrayList<>();
        for (Attribute a : attributes()) {
            if (a.name().equals(name)) {
                values.add(a.value() == null ? "" : a.value());
            }
        }
        return values;
    }

    /** A parser of one attribute value. */
    @FunctionalInterface
    interface ValueParser<T> {
        T parse(String value) throws SyntaxError;
    }

    private <T> List<T> all(String name, ValueParser<T> parser) {
        List<T> list = new ArrayList<>();
        for (Attribute a : attributes()) {
            if (a.name().equals(name) && a.value() != null) {
                try {
                    list.add(parser.parse(a.value()));
                } catch (SyntaxError e) {
                    // reported by the parser; a view shows only what is valid
                }
            }
        }
        return List.copyOf(list);
    }

    private <T> Optional<T> first(String name, ValueParser<T> parser) {
        for (Attribute a : attributes()) {
            if (a.name().equals(name) && a.value() != null) {
                try {
                    return Optional.of(parser.parse(a.value()));
                } catch (SyntaxError e) {
                    // skip an invalid one, as a receiver would
                }
            }
        }
        return Optional.empty();
    }

    /** {@code a=rtpmap} (RFC 8866 section 6.6). */
    default List<RtpMap> rtpMaps() {
        return all("rtpmap", AttributeSyntax::rtpMap);
    }

    default Optional<RtpMap> rtpMap(int payloadType) {
        return rtpMaps().stream().filter(r -> r.payloadType() == payloadType).findFirst();
    }

    /** {@code a=fmtp} (RFC 8866 section 6.15). */
    default List<Fmtp> fmtps() {
        return all("fmtp", AttributeSyntax::fmtp);
    }

    default Optional<Fmtp> fmtp(String format) {
        return fmtps().stream().filter(f -> f.format().equals(format)).findFirst();
    }

    /** {@code a=ptime} in milliseconds (RFC 8866 section 6.4). */
    default OptionalDouble ptime() {
        return first("ptime", AttributeSyntax::milliseconds).map(OptionalDouble::of).orElse(OptionalDouble.empty());
    }

    /** {@code a=maxptime} in milliseconds (RFC 8866 section 6.5). */
    default OptionalDouble maxPtime() {
        return first("maxptime", AttributeSyntax::milliseconds).map(OptionalDouble::of).orElse(OptionalDouble.empty());
    }

    /** {@code a=rtcp} (RFC 3605). */
    default Optional<RtcpAddress> rtcp() {
        return first("rtcp", AttributeSyntax::rtcp);
    }

    /** {@code a=rtcp-mux} (RFC 5761 section 5.1.1). */
    default boolean rtcpMux() {
        return hasAttribute("rtcp-mux");
    }

    /** {@code a=rtcp-rsize} (RFC 5506 section 5). */
    default boolean rtcpReducedSize() {
        return hasAttribute("rtcp-rsize");
    }

    /** {@code a=rtcp-fb} (RFC 4585 section 4.2). */
    default List<RtcpFeedback> rtcpFeedback() {
        return all("rtcp-fb", AttributeSyntax::rtcpFeedback);
    }

    /** The direction attribute of this section alone (RFC 8866 section 6.7); see {@link SessionDescription#direction(MediaDescription)}. */
    default Optional<Direction> direction() {
        for (Attribute a : attributes()) {
            if (a.value() == null) {
                Direction d = Direction.fromAttributeName(a.name());
                if (d != null) {
                    return Optional.of(d);
                }
            }
        }
        return Optional.empty();
    }

    /** {@code a=mid} (RFC 5888 section 4). */
    default Optional<String> mid() {
        return first("mid", v -> AttributeSyntax.tokenValue(v, "mid"));
    }

    /** {@code a=group} (RFC 5888 section 5). */
    default List<Group> groups() {
        return all("group", AttributeSyntax::group);
    }

    /** The {@code a=group:BUNDLE} group (RFC 9143). */
    default Optional<Group> bundleGroup() {
        return groups().stream().filter(Group::isBundle).findFirst();
    }

    /** {@code a=bundle-only} (RFC 9143 section 6). */
    default boolean bundleOnly() {
        return hasAttribute("bundle-only");
    }

    /** {@code a=msid} (RFC 8830). */
    default List<Msid> msids() {
        return all("msid", AttributeSyntax::msid);
    }

    /** {@code a=ssrc} (RFC 5576 section 4.1). */
    default List<Ssrc> ssrcs() {
        return all("ssrc", AttributeSyntax::ssrc);
    }

    /** {@code a=ssrc-group} (RFC 5576 section 4.2). */
    default List<SsrcGroup> ssrcGroups() {
        return all("ssrc-group", AttributeSyntax::ssrcGroup);
    }

    /** {@code a=extmap} (RFC 8285). */
    default List<ExtMap> extMaps() {
        return all("extmap", AttributeSyntax::extMap);
    }

    /** {@code a=setup} (RFC 4145, RFC 8842). */
    default Optional<Setup> setup() {
        return first("setup", AttributeSyntax::setup);
    }

    /** {@code a=fingerprint} (RFC 8122). */
    default List<Fingerprint> fingerprints() {
        return all("fingerprint", AttributeSyntax::fingerprint);
    }

    default Optional<Fingerprint> fingerprint() {
        return first("fingerprint", AttributeSyntax::fingerprint);
    }

    /** {@code a=crypto} (RFC 4568). */
    default List<Crypto> cryptos() {
        return all("crypto", AttributeSyntax::crypto);
    }

    /** {@code a=ice-ufrag} (RFC 8839 section 5.4). */
    default Optional<String> iceUfrag() {
        return first("ice-ufrag", v -> AttributeSyntax.iceCredential(v, "ice-ufrag"));
    }

    /** {@code a=ice-pwd} (RFC 8839 section 5.4). */
    default Optional<String> icePwd() {
        return first("ice-pwd", v -> AttributeSyntax.iceCredential(v, "ice-pwd"));
    }

    /** {@code a=ice-options} (RFC 8839 section 5.6), e.g. {@code trickle}. */
    default List<String> iceOptions() {
        return first("ice-options", v -> AttributeSyntax.tokenList(v, "ice-options")).orElse(List.of());
    }

    /** {@code a=ice-lite} (RFC 8839 section 5.3). */
    default boolean iceLite() {
        return hasAttribute("ice-lite");
    }

    /** {@code a=end-of-candidates} (RFC 8840 section 8.2). */
    default boolean endOfCandidates() {
        return hasAttribute("end-of-candidates");
    }

    /** {@code a=candidate} (RFC 8839 section 5.1). */
    default List<Candidate> candidates() {
        return all("candidate", AttributeSyntax::candidate);
    }

    /** {@code a=sctp-port} (RFC 8841 section 5.1). */
    default OptionalInt sctpPort() {
        return first("sctp-port", v -> AttributeSyntax.port(v, "sctp-port")).map(OptionalInt::of).orElse(OptionalInt.empty());
    }

    /** {@code a=max-message-size} (RFC 8841 section 6.1). */
    default OptionalLong maxMessageSize() {
        return first("max-message-size", v -> AttributeSyntax.number(v, Long.MAX_VALUE, "max-message-size"))
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    /** {@code a=x-screamrouter-role} of this section. */
    default Optional<DeviceRole> screamRouterRole() {
        return first(ScreamRouterAttributes.ROLE, AttributeSyntax::role);
    }

    /** {@code a=x-screamrouter-uuid} of this section. */
    default Optional<String> screamRouterUuid() {
        return first(ScreamRouterAttributes.UUID, v -> AttributeSyntax.tokenValue(v, "uuid"));
    }

    /** {@code a=x-screamrouter-supported-protocols} of this section, lower case. */
    default List<String> screamRouterProtocols() {
        return first(ScreamRouterAttributes.SUPPORTED_PROTOCOLS, AttributeSyntax::protocols).orElse(List.of());
    }
}
