/**
 * What the mDNS publisher announces now ({@link MdnsPublication}, {@link MdnsAnnouncement}): the
 * {@code _screamrouter-sip._udp.local.} service (RFC 6762 multicast DNS, RFC 6763 DNS-based service discovery)
 * that lets a device find the router without configuration.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.screamrouter.sip.mdns;
