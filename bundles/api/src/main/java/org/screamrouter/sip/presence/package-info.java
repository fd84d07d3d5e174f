/**
 * Presence of devices (RFC 3856 over RFC 6665 SUBSCRIBE/NOTIFY, RFC 3903 PUBLISH, the RFC 3680 {@code reg}
 * package): the {@link PresenceService} lists the current subscriptions and publications, for the shell.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.screamrouter.sip.presence;
