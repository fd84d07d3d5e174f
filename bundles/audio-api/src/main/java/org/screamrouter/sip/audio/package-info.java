/**
 * The audio bridge: a sink's audio sent to WebRTC and RTP listeners. {@link AudioBridge} is the service;
 * {@link ListenerInfo} describes one listener; {@link ListenerEndedListener} is the whiteboard callback by which the
 * engine tells when it dropped a listener on its own (ICE failure, no connectivity); {@link RtpCodec} names the codecs
 * an RTP listener may negotiate.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.screamrouter.sip.audio;
