/**
 * The SIP stack's API: request handlers are whiteboard services ({@link SipRequestHandler} with a
 * {@value SipRequestHandler#METHOD} property), messages come from one factory ({@link SipMessages}),
 * requests outside a dialog go out through {@link SipSender}, and every bound listening point is a
 * {@link ListeningPoint} service so other bundles can follow port and transport changes.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.9.0")
package org.screamrouter.sip.stack;
