/**
 * SDP for the ScreamRouter SIP server: the model of a session description (RFC 8866), a strict and
 * a lenient {@link org.screamrouter.sip.sdp.SdpParser}, a byte-exact {@link org.screamrouter.sip.sdp.SdpWriter},
 * typed views of the WebRTC, RTP and ScreamRouter attributes ({@link org.screamrouter.sip.sdp.AttributeSection}),
 * {@link org.screamrouter.sip.sdp.DeviceCapabilities} of a registering device, trickle ICE fragments
 * (RFC 8840, {@link org.screamrouter.sip.sdp.SdpFragment}) and RFC 3264 offer/answer for plain RTP
 * ({@link org.screamrouter.sip.sdp.OfferAnswer}).
 *
 * <p>Everything here is immutable and thread-safe except {@link org.screamrouter.sip.sdp.OfferAnswer},
 * which keeps the {@code o=} version of one session and is safe to share between threads.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.screamrouter.sip.sdp;
