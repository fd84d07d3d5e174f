/**
 * What the registrar knows: {@link Device}s with their capabilities and online state, the current
 * {@link Binding}s of every address-of-record, through the {@link DeviceRegistry} service, and the
 * {@link DeviceEvents} it posts, and the {@link SipAuthenticator} other handlers ask before serving a request, and the {@link SipCredentials}
 * of its users; the {@link StoreStatus} of a store file (also used by the presence server).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.6.0")
package org.screamrouter.sip.registrar;
