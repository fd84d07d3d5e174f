package org.screamrouter.sip.calls.internal;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.sdp.LocalCapabilities;
import org.screamrouter.sip.sdp.MediaDescription;
import org.screamrouter.sip.sdp.OfferAnswer;
import org.screamrouter.sip.sdp.OfferRejectedException;
import org.screamrouter.sip.sdp.ParseResult;
import org.screamrouter.sip.sdp.SdpParser;
import org.screamrouter.sip.sdp.SessionDescription;
import org.screamrouter.sip.stack.ContactUris;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipResponses;

/**
 * The offer of an INVITE that starts a call (RFC 3264 section 5), checked before any listener exists: an
 * {@code application/sdp} body that parses, with an audio stream that is WebRTC ({@code SAVP} with a DTLS
 * fingerprint) or plain RTP ({@code RTP/AVP}, {@code RTP/AVPF}). For plain RTP the answer is made at once with a
 * placeholder port, so that an offer without a common codec gets its 488 before any listener exists.
 *
 * @param text         the offer as received (the WebRTC engine reads it itself)
 * @param description  the offer parsed
 * @param kind         how media will be sent
 * @param rtpAnswer    plain RTP: the answer with a placeholder port (its codec is the one the bridge sends); else null
 * @param mediaTarget  plain RTP: where media will go ({@link MediaTarget}); else null
 * @param localAddress our address toward the peer, for the plain RTP answer
 * @param sessionId    the answer's {@code o=} session id
 */
record InviteOffer(String text, SessionDescription description, CallInfo.Kind kind, SessionDescription rtpAnswer,
        InetSocketAddress mediaTarget, String localAddress, String sessionId) {

    /** The INVITE's offer; empty after answering an INVITE whose offer cannot be taken (400, 415, 488 + Warning). */
    static Optional<InviteOffer> read(SipExchange exchange, HeaderFactory headers) {
        Request request = exchange.request();
        if (!Requests.hasBody(request)) {
            refuse(exchange, headers, 304, "no offer: an INVITE without SDP is not supported");
            return Optional.empty();
        }
        if (!"application/sdp".equalsIgnoreCase(Requests.contentType(request))) {
            exchange.respond(SipResponses.unsupportedMediaType(exchange, headers, "Unsupported Media Type (the offer must be application/sdp)",
                    "application", "sdp"));
            return Optional.empty();
        }
        String text = new String(request.getRawContent(), StandardCharsets.UTF_8);
        ParseResult parsed = SdpParser.parseLenient(text);
        if (parsed.hasErrors()) {
            exchange.respond(Response.BAD_REQUEST, "Bad Request (malformed SDP: " + parsed.errors().get(0) + ")");
            return Optional.empty();
        }
        SessionDescription offer = parsed.description();
        Optional<MediaDescription> audio = offer.media().stream()
                .filter(m -> m.media().equalsIgnoreCase("audio") && m.port() != 0).findFirst();
        if (audio.isEmpty()) {
            refuse(exchange, headers, 304, "no audio stream offered");
            return Optional.empty();
        }
        String proto = audio.get().protocol().toUpperCase(Locale.ROOT);
        CallInfo.Kind kind;
        if (proto.contains("SAVP") && offer.fingerprint(audio.get()).isPresent()) {
            kind = CallInfo.Kind.WEBRTC;
        } else if (proto.equals("RTP/AVP") || proto.equals("RTP/AVPF")) {
            kind = CallInfo.Kind.RTP;
        } else {
            refuse(exchange, headers, 302, "transport " + audio.get().protocol() + " not supported: offer RTP/AVP, or "
                    + "UDP/TLS/RTP/SAVPF with a DTLS fingerprint");
            return Optional.empty();
        }
        String localAddress = ContactUris.localAddressFor(exchange.flow());
        String sessionId = Long.toString(System.currentTimeMillis());
        if (kind == CallInfo.Kind.WEBRTC) {
            return Optional.of(new InviteOffer(text, offer, kind, null, null, localAddress, sessionId));
        }
        LocalCapabilities placeholder = RtpNegotiation.local(localAddress, 9, sessionId);
        SessionDescription rtpAnswer;
        try {
            rtpAnswer = OfferAnswer.answer(offer, placeholder, RtpNegotiation.origin(placeholder));
        } catch (OfferRejectedException e) {
            refuse(exchange, headers, e.reason() == OfferRejectedException.Reason.NO_COMMON_CODEC ? 305 : 304, e.getMessage());
            return Optional.empty();
        }
        return Optional.of(new InviteOffer(text, offer, kind, rtpAnswer, MediaTarget.choose(offer, audio.get(), exchange.flow()),
                localAddress, sessionId));
    }

    /** 488 with {@code Warning: <code> screamrouter "<text>"}. */
    private static void refuse(SipExchange exchange, HeaderFactory headers, int warnCode, String text) {
        exchange.respond(SipResponses.notAcceptableHere(exchange, headers, warnCode, text));
    }
}
