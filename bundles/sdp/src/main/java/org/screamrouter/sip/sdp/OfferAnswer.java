package org.screamrouter.sip.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * RFC 3264 offer/answer for plain RTP audio, one instance per session (dialog): it keeps the
 * {@code o=} line of the answers it produced so that each new answer carries the next version
 * (RFC 3264 section 8). Thread-safe.
 *
 * <p>For each offered media section, in order (section 6): the first plain RTP ({@code RTP/AVP},
 * {@code RTP/AVPF}) audio stream with a port is accepted with the offered codecs the local side
 * supports, in the offerer's order and with the offerer's payload type numbers (section 6.1);
 * {@code a=fmtp} is the local one when configured, else the offerer's; telephone-event is kept only
 * when both sides support it, at the clock rates of the chosen codecs; the direction is the mirror of
 * the offered one, narrowed by the local direction. Every other section is rejected with port 0.
 */
public final class OfferAnswer {

    private final LocalCapabilities local;
    private Origin origin;

    public OfferAnswer(LocalCapabilities local) {
        this.local = local;
    }

    /**
     * The answer to {@code offer}. Each successful call uses the next {@code o=} version.
     *
     * @throws OfferRejectedException when no stream can be accepted (to be answered with 488)
     */
    public synchronized SessionDescription answer(SessionDescription offer) throws OfferRejectedException {
        Origin next = origin == null
                ? Origin.of(local.username(), local.sessionId(), local.initialVersion(), local.address())
                : origin.withNextVersion();
        SessionDescription answer = answer(offer, local, next);
        origin = next;
        return answer;
    }

    /** The answer with a given origin, for callers that keep the session version themselves. */
    public static SessionDescription answer(SessionDescription offer, LocalCapabilities local, Origin origin)
            throws OfferRejectedException {
        List<MediaDescription> media = new ArrayList<>(offer.media().size());
        boolean accepted = false;
        List<String> unmatched = new ArrayList<>();
        boolean audioOffered = false;
        for (MediaDescription m : offer.media()) {
            MediaDescription answered = null;
            if (!accepted && isPlainRtpAudio(m)) {
                audioOffered = true;
                answered = acceptAudio(offer, m, local, unmatched);
            }
            if (answered != null) {
                accepted = true;
                media.add(answered);
            } else {
                media.add(reject(m));
            }
        }
        if (!accepted) {
            if (audioOffered) {
                StringJoiner supported = new StringJoiner(", ");
                local.codecs().forEach(c -> supported.add(c.name() + '/' + c.clockRate() + (c.channels() == 1 ? "" : "/" + c.channels())));
                throw new OfferRejectedException(OfferRejectedException.Reason.NO_COMMON_CODEC,
                        "no common codec: offered " + String.join(", ", unmatched) + "; supported " + supported);
            }
            throw new OfferRejectedException(OfferRejectedException.Reason.NO_SUPPORTED_MEDIA,
                    "no plain RTP audio stream offered");
        }
        List<Timing> timings = offer.timings().isEmpty() ? List.of(Timing.UNBOUNDED) : offer.timings();
        return new SessionDescription(0, origin, "-", null, null, List.of(), List.of(), Connection.of(local.address()),
                List.of(), timings, List.of(), null, List.of(), media, List.of());
    }

    private static boolean isPlainRtpAudio(MediaDescription m) {
        String proto = m.protocol().toUpperCase(Locale.ROOT);
        return m.media().equalsIgnoreCase("audio") && m.port() != 0 && (proto.equals("RTP/AVP") || proto.equals("RTP/AVPF"));
    }

    private static MediaDescription acceptAudio(SessionDescription offer, MediaDescription m, LocalCapabilities local,
                                                List<String> unmatched) {
        List<AudioFormat> offered = AudioFormat.of(m);
        List<AudioFormat> codecs = new ArrayList<>();
        for (AudioFormat f : offered) {
            if (f.isTelephoneEvent()) {
                continue;
            }
            if (local.codecs().stream().anyMatch(c -> c.matches(f))) {
                codecs.add(f);
            } else {
                unmatched.add(f.codec() + '/' + f.clockRate() + (f.channels() == 1 ? "" : "/" + f.channels()));
            }
        }
        if (codecs.isEmpty()) {
            return null;
        }
        List<AudioFormat> events = new ArrayList<>();
        if (local.telephoneEvent()) {
            List<AudioFormat> offeredEvents = offered.stream().filter(AudioFormat::isTelephoneEvent).toList();
            for (AudioFormat e : offeredEvents) {
                if (codecs.stream().anyMatch(c -> c.clockRate() == e.clockRate())) {
                    events.add(e);
                }
            }
            if (events.isEmpty() && !offeredEvents.isEmpty()) {
                // RFC 4733 section 2.5.1.2 prefers the codec's rate, but an 8 kHz event beats no DTMF at all
                events.add(offeredEvents.get(0));
            }
        }
        List<String> formats = new ArrayList<>();
        List<Attribute> attributes = new ArrayList<>();
        for (AudioFormat f : offered) {
            if (!codecs.contains(f) && !events.contains(f)) {
                continue;
            }
            String pt = Integer.toString(f.payloadType());
            formats.add(pt);
            attributes.add(Attribute.of("rtpmap", f.toRtpMap().toAttributeValue()));
            String fmtp = local.codecs().stream().filter(c -> c.matches(f) && c.fmtp() != null).map(Codec::fmtp)
                    .findFirst().orElse(m.fmtp(pt).map(Fmtp::parameters).orElse(null));
            if (fmtp != null) {
                attributes.add(Attribute.of("fmtp", pt + ' ' + fmtp));
            }
        }
        m.ptime().ifPresent(p -> attributes.add(Attribute.of("ptime", m.attribute("ptime").orElse(""))));
        Direction direction = offer.direction(m).mirrored().intersect(local.direction());
        attributes.add(Attribute.property(direction.attributeName()));
        return new MediaDescription("audio", local.audioPort(), -1, m.protocol(), formats, null, List.of(), List.of(),
                null, attributes, List.of());
    }

    /** A rejected stream: port 0, the offered formats (RFC 3264 section 6 asks for at least one). */
    private static MediaDescription reject(MediaDescription m) {
        List<Attribute> attributes = m.mid().map(mid -> List.of(Attribute.of("mid", mid))).orElse(List.of());
        return new MediaDescription(m.media(), 0, -1, m.protocol(), m.formats(), null, List.of(), List.of(), null,
                attributes, List.of());
    }
}
