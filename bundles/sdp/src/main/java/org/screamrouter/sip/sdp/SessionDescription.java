package org.screamrouter.sip.sdp;

import java.util.List;
import java.util.Optional;
import org.screamrouter.sip.sdp.internal.FrozenList;

/**
 * A session description (RFC 8866 section 5): session-level lines, attributes and media sections,
 * all in the order received. Writing it with {@link SdpWriter} gives back the bytes it was parsed from
 * when those were well-formed.
 *
 * <p>Fields that RFC 8866 makes mandatory ({@code o=}, {@code s=}, {@code t=}) are {@code null} or
 * empty only in what the lenient parser returns for a description that lacked them.
 *
 * @param version         {@code v=}, always 0 today
 * @param origin          {@code o=}
 * @param sessionName     {@code s=}
 * @param information     {@code i=}, or {@code null}
 * @param uri             {@code u=}, or {@code null}
 * @param emails          {@code e=} lines
 * @param phones          {@code p=} lines
 * @param connection      session-level {@code c=}, or {@code null}
 * @param timeZones       {@code z=} pairs (empty when there is no z= line)
 * @param encryptionKey   {@code k=}, or {@code null}
 * @param unrecognizedLines session-level lines the lenient parser kept without understanding them
 */
public record SessionDescription(int version, Origin origin, String sessionName, String information, String uri,
                                 List<String> emails, List<String> phones, Connection connection,
                                 List<Bandwidth> bandwidths, List<Timing> timings,
                                 List<TimeZoneAdjustment> timeZones, EncryptionKey encryptionKey,
                                 List<Attribute> attributes, List<MediaDescription> media,
                                 List<UnrecognizedLine> unrecognizedLines) implements AttributeSection {

    public SessionDescription {
        emails = FrozenList.freeze(emails);
        phones = FrozenList.freeze(phones);
        bandwidths = FrozenList.freeze(bandwidths);
        timings = FrozenList.freeze(timings);
        timeZones = FrozenList.freeze(timeZones);
        attributes = FrozenList.freeze(attributes);
        media = FrozenList.freeze(media);
        unrecognizedLines = FrozenList.freeze(unrecognizedLines);
    }

    /** The usual SIP shape: {@code v=0}, an origin, a name, one connection, {@code t=0 0}, attributes and media. */
    public static SessionDescription of(Origin origin, String sessionName, Connection connection,
                                        List<Attribute> attributes, List<MediaDescription> media) {
        return new SessionDescription(0, origin, sessionName, null, null, List.of(), List.of(), connection,
                List.of(), List.of(Timing.UNBOUNDED), List.of(), null, attributes, media, List.of());
    }

    /** The effective direction of a media section: its own attribute, else the session's, else sendrecv (RFC 8866 section 6.7). */
    public Direction direction(MediaDescription m) {
        return m.direction().or(this::direction).orElse(Direction.SENDRECV);
    }

    /** The effective connection of a media section: its own {@code c=}, else the session's (RFC 8866 section 5.7). */
    public Optional<Connection> connection(MediaDescription m) {
        return m.connection().or(() -> Optional.ofNullable(connection));
    }

    /** {@code a=ice-ufrag} of the media section, else of the session (RFC 8839 section 5.4). */
    public Optional<String> iceUfrag(MediaDescription m) {
        return m.iceUfrag().or(this::iceUfrag);
    }

    /** {@code a=ice-pwd} of the media section, else of the session. */
    public Optional<String> icePwd(MediaDescription m) {
        return m.icePwd().or(this::icePwd);
    }

    /** {@code a=fingerprint} of the media section, else of the session (RFC 8122 section 5). */
    public Optional<Fingerprint> fingerprint(MediaDescription m) {
        return m.fingerprint().or(this::fingerprint);
    }

    /** {@code a=setup} of the media section, else of the session. */
    public Optional<Setup> setup(MediaDescription m) {
        return m.setup().or(this::setup);
    }

    /** ScreamRouter's attributes, each from the session level first, then from the first media section that has it. */
    public ScreamRouterAttributes screamRouter() {
        DeviceRole role = screamRouterRole().orElse(null);
        String uuid = screamRouterUuid().orElse(null);
        List<String> protocols = screamRouterProtocols();
        for (MediaDescription m : media) {
            if (role == null) {
                role = m.screamRouterRole().orElse(null);
            }
            if (uuid == null) {
                uuid = m.screamRouterUuid().orElse(null);
            }
            if (protocols.isEmpty()) {
                protocols = m.screamRouterProtocols();
            }
        }
        return new ScreamRouterAttributes(role, uuid, protocols);
    }

    /** The first media section of type {@code media} ({@code audio}...), if any. */
    public Optional<MediaDescription> firstMedia(String mediaType) {
        return media.stream().filter(m -> m.media().equalsIgnoreCase(mediaType)).findFirst();
    }

    public SessionDescription withOrigin(Origin newOrigin) {
        return new SessionDescription(version, newOrigin, sessionName, information, uri, emails, phones, connection,
                bandwidths, timings, timeZones, encryptionKey, attributes, media, unrecognizedLines);
    }

    public SessionDescription withMedia(List<MediaDescription> newMedia) {
        return new SessionDescription(version, origin, sessionName, information, uri, emails, phones, connection,
                bandwidths, timings, timeZones, encryptionKey, attributes, newMedia, unrecognizedLines);
    }

    /** The description in SDP wire form, CRLF line endings. */
    public String toSdp() {
        return SdpWriter.write(this);
    }
}
